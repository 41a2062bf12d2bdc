CREATE TABLE `lightspeed_credentials` (
	`account_id` varchar(32) NOT NULL,
	`refresh_token` varchar(512) NOT NULL,
	`access_token` varchar(512),
	`access_expires_at` datetime(3),
	`pending_refresh_token` varchar(512),
	`pending_access_token` varchar(512),
	`pending_access_expires_at` datetime(3),
	`refresh_started_at` datetime(3),
	`rotations` int NOT NULL DEFAULT 0,
	`needs_reauthorization` boolean NOT NULL DEFAULT false,
	`updated_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT `lightspeed_credentials_account_id` PRIMARY KEY(`account_id`)
);
--> statement-breakpoint
CREATE TABLE `lightspeed_cursors` (
	`account_id` varchar(32) NOT NULL,
	`shop_id` int NOT NULL,
	`entity` varchar(32) NOT NULL,
	`cursor_time` datetime(3) NOT NULL,
	`updated_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT `lightspeed_cursors_account_id_shop_id_entity_pk` PRIMARY KEY(`account_id`,`shop_id`,`entity`)
);
--> statement-breakpoint
CREATE TABLE `lightspeed_days` (
	`account_id` varchar(32) NOT NULL,
	`shop_id` int NOT NULL,
	`day` varchar(10) NOT NULL,
	`sales` int NOT NULL,
	`sale_lines` int NOT NULL,
	`reconciliation` varchar(16) NOT NULL,
	`differences` json NOT NULL DEFAULT ('[]'),
	`extracted_at` datetime(3) NOT NULL,
	`updated_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT `lightspeed_days_account_id_shop_id_day_pk` PRIMARY KEY(`account_id`,`shop_id`,`day`)
);
