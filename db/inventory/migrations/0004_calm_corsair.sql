ALTER TABLE `sku_sync` ADD `recheck_at` datetime(3);--> statement-breakpoint
CREATE INDEX `sku_sync_recheck_idx` ON `sku_sync` (`recheck_at`);