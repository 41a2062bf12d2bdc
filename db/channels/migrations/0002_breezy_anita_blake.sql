ALTER TABLE `channel_listings` ADD `unread_held` int DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `channel_listings` ADD `held_at` datetime(3);