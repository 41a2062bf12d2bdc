-- Edited after generation: timestamp(3) defaults carry their precision so MySQL 8 accepts them (db/columns.ts).
CREATE TABLE `customers` (
	`id` bigint unsigned NOT NULL,
	`email` varchar(255),
	`phone` varchar(32),
	`first_name` varchar(128),
	`last_name` varchar(128),
	`updated_at_shopify` datetime(3) NOT NULL,
	`ingested_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT `customers_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `ingest_cursors` (
	`pipeline` varchar(64) NOT NULL,
	`shop` varchar(255) NOT NULL,
	`cursor_updated_at` datetime(3) NOT NULL,
	`cursor_id` bigint unsigned NOT NULL DEFAULT 0,
	`updated_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT `ingest_cursors_pipeline_shop_pk` PRIMARY KEY(`pipeline`,`shop`)
);
--> statement-breakpoint
CREATE TABLE `line_items` (
	`id` bigint unsigned NOT NULL,
	`order_id` bigint unsigned NOT NULL,
	`sku` varchar(64),
	`title` varchar(255) NOT NULL,
	`quantity` int NOT NULL,
	`price` decimal(12,2) NOT NULL,
	`total_discount` decimal(12,2) NOT NULL DEFAULT '0.00',
	CONSTRAINT `line_items_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `orders` (
	`id` bigint unsigned NOT NULL,
	`shop` varchar(255) NOT NULL,
	`name` varchar(32) NOT NULL,
	`email` varchar(255),
	`currency` varchar(3) NOT NULL,
	`presentment_currency` varchar(3),
	`financial_status` varchar(32),
	`fulfillment_status` varchar(32),
	`subtotal` decimal(12,2) NOT NULL,
	`total_tax` decimal(12,2) NOT NULL,
	`total_shipping` decimal(12,2) NOT NULL DEFAULT '0.00',
	`total_discounts` decimal(12,2) NOT NULL DEFAULT '0.00',
	`total` decimal(12,2) NOT NULL,
	`total_refunded` decimal(12,2) NOT NULL DEFAULT '0.00',
	`customer_id` bigint unsigned,
	`shipping_address` json,
	`billing_address` json,
	`risk_level` varchar(16),
	`risk_recommendation` varchar(16),
	`flagged_high_risk` boolean NOT NULL DEFAULT false,
	`validation_flags` json,
	`created_at_shopify` datetime(3) NOT NULL,
	`updated_at_shopify` datetime(3) NOT NULL,
	`processed_at` datetime(3),
	`cancelled_at` datetime(3),
	`ingested_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT `orders_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `refund_line_items` (
	`refund_id` bigint unsigned NOT NULL,
	`line_item_id` bigint unsigned NOT NULL,
	`quantity` int NOT NULL,
	`subtotal` decimal(12,2) NOT NULL,
	CONSTRAINT `refund_line_items_refund_id_line_item_id_pk` PRIMARY KEY(`refund_id`,`line_item_id`)
);
--> statement-breakpoint
CREATE TABLE `refunds` (
	`id` bigint unsigned NOT NULL,
	`order_id` bigint unsigned NOT NULL,
	`created_at_shopify` datetime(3) NOT NULL,
	`total` decimal(12,2) NOT NULL,
	`note` varchar(512),
	CONSTRAINT `refunds_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `risk_assessments` (
	`order_id` bigint unsigned NOT NULL,
	`provider` varchar(128) NOT NULL,
	`risk_level` varchar(16) NOT NULL,
	`recommendation` varchar(16),
	`facts` json,
	`ingested_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT `risk_assessments_order_id_provider_pk` PRIMARY KEY(`order_id`,`provider`)
);
--> statement-breakpoint
CREATE TABLE `tax_lines` (
	`order_id` bigint unsigned NOT NULL,
	`line_item_id` bigint unsigned NOT NULL DEFAULT 0,
	`title` varchar(64) NOT NULL,
	`rate` decimal(8,6) NOT NULL,
	`price` decimal(12,2) NOT NULL,
	CONSTRAINT `tax_lines_order_id_line_item_id_title_pk` PRIMARY KEY(`order_id`,`line_item_id`,`title`)
);
--> statement-breakpoint
CREATE INDEX `customers_email_idx` ON `customers` (`email`);--> statement-breakpoint
CREATE INDEX `line_items_order_idx` ON `line_items` (`order_id`);--> statement-breakpoint
CREATE INDEX `line_items_sku_idx` ON `line_items` (`sku`);--> statement-breakpoint
CREATE INDEX `orders_updated_idx` ON `orders` (`updated_at_shopify`,`id`);--> statement-breakpoint
CREATE INDEX `orders_created_idx` ON `orders` (`created_at_shopify`);--> statement-breakpoint
CREATE INDEX `orders_customer_idx` ON `orders` (`customer_id`);--> statement-breakpoint
CREATE INDEX `refunds_order_idx` ON `refunds` (`order_id`);