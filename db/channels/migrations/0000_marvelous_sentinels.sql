CREATE TABLE `allocation_rule_versions` (
	`version` int AUTO_INCREMENT NOT NULL,
	`author` varchar(64) NOT NULL,
	`note` varchar(500) NOT NULL DEFAULT '',
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `allocation_rule_versions_version` PRIMARY KEY(`version`)
);
--> statement-breakpoint
CREATE TABLE `allocation_rules` (
	`version` int NOT NULL,
	`channel` varchar(32) NOT NULL,
	`sku` varchar(64) NOT NULL DEFAULT '',
	`rule` json NOT NULL,
	CONSTRAINT `allocation_rules_version_channel_sku_pk` PRIMARY KEY(`version`,`channel`,`sku`)
);
--> statement-breakpoint
CREATE TABLE `channel_cursors` (
	`name` varchar(64) NOT NULL,
	`position` varchar(128) NOT NULL,
	`updated_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT `channel_cursors_name` PRIMARY KEY(`name`)
);
--> statement-breakpoint
CREATE TABLE `channel_listings` (
	`channel` varchar(32) NOT NULL,
	`sku` varchar(64) NOT NULL,
	`product_type` varchar(64),
	`allocated` int NOT NULL,
	`ledger_version` int NOT NULL DEFAULT 0,
	`rule_version` int NOT NULL DEFAULT 0,
	`sent` int,
	`sent_at` datetime(3),
	`confirmed` int,
	`confirmed_at` datetime(3),
	`status` enum('pending','sent','accepted','failed') NOT NULL DEFAULT 'pending',
	`submission_id` varchar(128),
	`failures` int NOT NULL DEFAULT 0,
	`retry_at` datetime(3),
	`updated_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT `channel_listings_channel_sku_pk` PRIMARY KEY(`channel`,`sku`)
);
--> statement-breakpoint
CREATE TABLE `channel_reconcile_runs` (
	`id` varchar(128) NOT NULL,
	`channel` varchar(32) NOT NULL,
	`checked` int NOT NULL,
	`drifted` int NOT NULL,
	`corrected` int NOT NULL,
	`failed` int NOT NULL,
	`units_at_risk` int NOT NULL,
	`report_key` varchar(512),
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `channel_reconcile_runs_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `channel_submissions` (
	`id` varchar(128) NOT NULL,
	`channel` varchar(32) NOT NULL,
	`kind` enum('listings-feed','vdf-inventory','listings-patch') NOT NULL,
	`items` int NOT NULL,
	`status` varchar(32) NOT NULL,
	`skus` mediumtext NOT NULL,
	`detail` text,
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`finished_at` datetime(3),
	CONSTRAINT `channel_submissions_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `channel_sync_errors` (
	`channel` varchar(32) NOT NULL,
	`sku` varchar(64) NOT NULL,
	`code` varchar(64) NOT NULL,
	`message` text NOT NULL,
	`first_seen` datetime(3) NOT NULL,
	`last_seen` datetime(3) NOT NULL,
	`attempts` int NOT NULL DEFAULT 1,
	`resolved_at` datetime(3),
	CONSTRAINT `channel_sync_errors_channel_sku_pk` PRIMARY KEY(`channel`,`sku`)
);
--> statement-breakpoint
CREATE INDEX `channel_listings_status_idx` ON `channel_listings` (`channel`,`status`);--> statement-breakpoint
CREATE INDEX `channel_listings_submission_idx` ON `channel_listings` (`submission_id`);--> statement-breakpoint
CREATE INDEX `channel_reconcile_runs_channel_idx` ON `channel_reconcile_runs` (`channel`,`created_at`);--> statement-breakpoint
CREATE INDEX `channel_submissions_created_idx` ON `channel_submissions` (`created_at`);--> statement-breakpoint
CREATE INDEX `channel_sync_errors_open_idx` ON `channel_sync_errors` (`resolved_at`);