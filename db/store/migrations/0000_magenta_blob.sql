-- Edited after generation: timestamp(3) defaults carry their precision so MySQL 8 accepts them (db/columns.ts).
CREATE TABLE `loyalty_transactions` (
	`id` bigint unsigned NOT NULL,
	`card_number` varchar(32) NOT NULL,
	`store_code` varchar(32) NOT NULL,
	`points_delta` int NOT NULL,
	`reason` varchar(64) NOT NULL,
	`occurred_at` datetime(3) NOT NULL,
	CONSTRAINT `loyalty_transactions_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `pos_sales` (
	`id` bigint unsigned NOT NULL,
	`store_code` varchar(32) NOT NULL,
	`sku` varchar(64) NOT NULL,
	`quantity` int NOT NULL,
	`amount` decimal(12,2) NOT NULL,
	`sold_at` datetime(3) NOT NULL,
	CONSTRAINT `pos_sales_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `stock` (
	`store_code` varchar(32) NOT NULL,
	`sku` varchar(64) NOT NULL,
	`on_hand` int NOT NULL,
	`updated_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT `stock_store_code_sku_pk` PRIMARY KEY(`store_code`,`sku`)
);
--> statement-breakpoint
CREATE TABLE `store_products` (
	`store_code` varchar(32) NOT NULL,
	`pos_sku` varchar(64) NOT NULL,
	`sku` varchar(64) NOT NULL,
	`barcode` varchar(14),
	`shelf_price` decimal(12,2) NOT NULL,
	`updated_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT `store_products_store_code_pos_sku_pk` PRIMARY KEY(`store_code`,`pos_sku`)
);
--> statement-breakpoint
CREATE TABLE `stores` (
	`code` varchar(32) NOT NULL,
	`name` varchar(128) NOT NULL,
	`shopify_location_name` varchar(128),
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `stores_code` PRIMARY KEY(`code`)
);
--> statement-breakpoint
CREATE INDEX `loyalty_card_idx` ON `loyalty_transactions` (`card_number`);--> statement-breakpoint
CREATE INDEX `loyalty_time_idx` ON `loyalty_transactions` (`occurred_at`);--> statement-breakpoint
CREATE INDEX `pos_sales_store_time_idx` ON `pos_sales` (`store_code`,`sold_at`);--> statement-breakpoint
CREATE INDEX `stock_sku_idx` ON `stock` (`sku`);--> statement-breakpoint
CREATE INDEX `store_products_sku_idx` ON `store_products` (`sku`);