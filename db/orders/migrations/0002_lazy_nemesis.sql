CREATE TABLE `order_write_conflicts` (
	`order_id` bigint unsigned NOT NULL,
	`reason` varchar(64) NOT NULL,
	`shop` varchar(255) NOT NULL,
	`detail` json,
	`first_seen` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`last_seen` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	`resolved_at` datetime(3),
	CONSTRAINT `order_write_conflicts_order_id_reason_pk` PRIMARY KEY(`order_id`,`reason`)
);
--> statement-breakpoint
CREATE INDEX `order_write_conflicts_open_idx` ON `order_write_conflicts` (`resolved_at`);--> statement-breakpoint
CREATE INDEX `orders_shop_name_idx` ON `orders` (`shop`,`name`);