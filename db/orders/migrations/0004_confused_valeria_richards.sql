CREATE TABLE `ledger_queue` (
	`order_id` bigint unsigned NOT NULL,
	`shop` varchar(255) NOT NULL,
	`generation` int NOT NULL DEFAULT 1,
	`stock` json NOT NULL,
	`queued_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
	CONSTRAINT `ledger_queue_order_id` PRIMARY KEY(`order_id`)
);
--> statement-breakpoint
CREATE INDEX `ledger_queue_queued_idx` ON `ledger_queue` (`queued_at`);