CREATE TABLE `movements` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`movement_key` varchar(191) NOT NULL,
	`content_hash` char(16) NOT NULL,
	`kind` varchar(16) NOT NULL,
	`sku` varchar(64) NOT NULL,
	`location` varchar(32) NOT NULL,
	`quantity` int NOT NULL,
	`on_hand_delta` int NOT NULL,
	`occurred_at` datetime(3) NOT NULL,
	`channel` varchar(16),
	`order_id` varchar(96),
	`order_line_id` varchar(96),
	`recorded_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `movements_id` PRIMARY KEY(`id`),
	CONSTRAINT `movements_movement_key_unique` UNIQUE(`movement_key`)
);
--> statement-breakpoint
CREATE TABLE `pickup_cursors` (
	`source` varchar(64) NOT NULL,
	`pos_sale_id` bigint unsigned NOT NULL DEFAULT 0,
	`stock_updated_at` datetime(3),
	`updated_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT `pickup_cursors_source` PRIMARY KEY(`source`)
);
--> statement-breakpoint
CREATE TABLE `reservations` (
	`line_key` varchar(128) NOT NULL,
	`sku` varchar(64) NOT NULL,
	`location` varchar(32) NOT NULL,
	`channel` varchar(16) NOT NULL,
	`order_id` varchar(96),
	`open` int NOT NULL,
	`updated_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT `reservations_line_key` PRIMARY KEY(`line_key`)
);
--> statement-breakpoint
CREATE TABLE `safety_stock` (
	`scope` varchar(16) NOT NULL,
	`scope_key` varchar(64) NOT NULL,
	`quantity` int NOT NULL,
	`updated_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT `safety_stock_scope_scope_key_pk` PRIMARY KEY(`scope`,`scope_key`)
);
--> statement-breakpoint
CREATE TABLE `sku_sync` (
	`sku` varchar(64) NOT NULL,
	`ledger_version` bigint unsigned NOT NULL,
	`pushed_version` bigint unsigned NOT NULL DEFAULT 0,
	`changed_at` datetime(3) NOT NULL,
	`pushed_at` datetime(3),
	CONSTRAINT `sku_sync_sku` PRIMARY KEY(`sku`)
);
--> statement-breakpoint
CREATE TABLE `stock_incidents` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`movement_key` varchar(191) NOT NULL,
	`kind` varchar(16) NOT NULL,
	`sku` varchar(64) NOT NULL,
	`location` varchar(32) NOT NULL,
	`units` int NOT NULL,
	`order_ids` json NOT NULL,
	`line_keys` json NOT NULL,
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `stock_incidents_id` PRIMARY KEY(`id`),
	CONSTRAINT `stock_incidents_movement_key_unique` UNIQUE(`movement_key`)
);
--> statement-breakpoint
CREATE TABLE `stock_levels` (
	`sku` varchar(64) NOT NULL,
	`location` varchar(32) NOT NULL,
	`on_hand` int NOT NULL,
	`reserved` int NOT NULL,
	`counted_at` datetime(3),
	`version` int unsigned NOT NULL,
	`last_movement_at` datetime(3) NOT NULL,
	`updated_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT `stock_levels_sku_location_pk` PRIMARY KEY(`sku`,`location`)
);
--> statement-breakpoint
CREATE TABLE `warehouses` (
	`code` varchar(32) NOT NULL,
	`name` varchar(128) NOT NULL,
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `warehouses_code` PRIMARY KEY(`code`)
);
--> statement-breakpoint
CREATE INDEX `movements_level_time_idx` ON `movements` (`sku`,`location`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `reservations_level_idx` ON `reservations` (`sku`,`location`);--> statement-breakpoint
CREATE INDEX `sku_sync_changed_idx` ON `sku_sync` (`changed_at`);--> statement-breakpoint
CREATE INDEX `stock_incidents_sku_idx` ON `stock_incidents` (`sku`);--> statement-breakpoint
CREATE INDEX `stock_levels_location_idx` ON `stock_levels` (`location`);