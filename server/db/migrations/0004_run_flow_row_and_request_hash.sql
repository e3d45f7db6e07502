ALTER TABLE `runs` ADD `flow_created_at` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `request_hash` text;