ALTER TABLE `sku_sync` ADD `shopify_offered` int;--> statement-breakpoint
ALTER TABLE `sku_sync` ADD `shopify_offered_at` datetime(3);