-- Edited after generation: timestamp(3) defaults carry their precision so MySQL 8 accepts them (db/columns.ts).
CREATE TABLE `change_outbox` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`aggregate_type` varchar(32) NOT NULL,
	`aggregate_id` bigint unsigned NOT NULL,
	`event` varchar(64) NOT NULL,
	`payload` json,
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`relayed_at` datetime(3),
	CONSTRAINT `change_outbox_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `channel_mappings` (
	`channel` varchar(32) NOT NULL,
	`pim_product_id` bigint unsigned NOT NULL,
	`external_id` varchar(128),
	`external_variant_ids` json,
	`content_hash` varchar(64),
	`last_pushed_at` datetime(3),
	`status` varchar(16) NOT NULL DEFAULT 'PENDING',
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT `channel_mappings_channel_pim_product_id_pk` PRIMARY KEY(`channel`,`pim_product_id`)
);
--> statement-breakpoint
CREATE TABLE `images` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`product_id` bigint unsigned NOT NULL,
	`url` varchar(1024) NOT NULL,
	`alt` varchar(255),
	`position` int NOT NULL DEFAULT 1,
	CONSTRAINT `images_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `location_mappings` (
	`store_code` varchar(32) NOT NULL,
	`shopify_location_id` varchar(128) NOT NULL,
	`active` boolean NOT NULL DEFAULT true,
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT `location_mappings_store_code` PRIMARY KEY(`store_code`)
);
--> statement-breakpoint
CREATE TABLE `products` (
	`id` bigint unsigned NOT NULL,
	`handle` varchar(255) NOT NULL,
	`title` varchar(255) NOT NULL,
	`description_html` text,
	`vendor` varchar(128),
	`sub_department_code` varchar(32),
	`tags` json NOT NULL DEFAULT ('[]'),
	`options` json NOT NULL DEFAULT ('[]'),
	`status` varchar(16) NOT NULL DEFAULT 'ACTIVE',
	`deleted_at` datetime(3),
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT `products_id` PRIMARY KEY(`id`),
	CONSTRAINT `products_handle_uq` UNIQUE(`handle`)
);
--> statement-breakpoint
CREATE TABLE `store_attributes` (
	`product_id` bigint unsigned NOT NULL,
	`store_code` varchar(32) NOT NULL,
	`attr_key` varchar(64) NOT NULL,
	`attr_value` varchar(1024) NOT NULL,
	CONSTRAINT `store_attributes_product_id_store_code_attr_key_pk` PRIMARY KEY(`product_id`,`store_code`,`attr_key`)
);
--> statement-breakpoint
CREATE TABLE `sub_departments` (
	`code` varchar(32) NOT NULL,
	`name` varchar(128) NOT NULL,
	`department` varchar(128) NOT NULL,
	CONSTRAINT `sub_departments_code` PRIMARY KEY(`code`)
);
--> statement-breakpoint
CREATE TABLE `sync_errors` (
	`channel` varchar(32) NOT NULL,
	`pim_product_id` bigint unsigned NOT NULL,
	`code` varchar(64) NOT NULL,
	`reason` text NOT NULL,
	`first_seen` datetime(3) NOT NULL,
	`last_seen` datetime(3) NOT NULL,
	`occurrences` int NOT NULL DEFAULT 1,
	`resolved_at` datetime(3),
	CONSTRAINT `sync_errors_channel_pim_product_id_pk` PRIMARY KEY(`channel`,`pim_product_id`)
);
--> statement-breakpoint
CREATE TABLE `variants` (
	`id` bigint unsigned NOT NULL,
	`product_id` bigint unsigned NOT NULL,
	`sku` varchar(64) NOT NULL,
	`barcode` varchar(14),
	`option_values` json NOT NULL DEFAULT ('[]'),
	`price` decimal(12,2) NOT NULL,
	`compare_at_price` decimal(12,2),
	`weight` decimal(10,3),
	`weight_unit` varchar(12) NOT NULL DEFAULT 'GRAMS',
	`position` int NOT NULL DEFAULT 1,
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT `variants_id` PRIMARY KEY(`id`),
	CONSTRAINT `variants_sku_uq` UNIQUE(`sku`)
);
--> statement-breakpoint
ALTER TABLE `images` ADD CONSTRAINT `images_product_id_products_id_fk` FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `products` ADD CONSTRAINT `products_sub_department_code_sub_departments_code_fk` FOREIGN KEY (`sub_department_code`) REFERENCES `sub_departments`(`code`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `store_attributes` ADD CONSTRAINT `store_attributes_product_id_products_id_fk` FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `variants` ADD CONSTRAINT `variants_product_id_products_id_fk` FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `change_outbox_pending_idx` ON `change_outbox` (`relayed_at`,`id`);--> statement-breakpoint
CREATE INDEX `channel_mappings_external_idx` ON `channel_mappings` (`channel`,`external_id`);--> statement-breakpoint
CREATE INDEX `images_product_idx` ON `images` (`product_id`);--> statement-breakpoint
CREATE INDEX `products_sub_department_idx` ON `products` (`sub_department_code`);--> statement-breakpoint
CREATE INDEX `products_updated_idx` ON `products` (`updated_at`);--> statement-breakpoint
CREATE INDEX `sync_errors_open_idx` ON `sync_errors` (`resolved_at`);--> statement-breakpoint
CREATE INDEX `variants_product_idx` ON `variants` (`product_id`);