CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`hash` text NOT NULL,
	`role` text NOT NULL,
	`flow_ids` text,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_unique` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE INDEX `api_keys_revoked_idx` ON `api_keys` (`revoked_at`);--> statement-breakpoint
CREATE TABLE `seen_signatures` (
	`digest` text PRIMARY KEY NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `seen_signatures_expires_idx` ON `seen_signatures` (`expires_at`);--> statement-breakpoint
DROP INDEX `runs_status_idx`;--> statement-breakpoint
ALTER TABLE `runs` ADD `attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `lease_owner` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `lease_expires_at` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `idempotency_key` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `overlap` text DEFAULT 'parallel' NOT NULL;--> statement-breakpoint
CREATE INDEX `runs_flow_status_idx` ON `runs` (`flow_id`,`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `runs_idempotency_idx` ON `runs` (`flow_id`,`idempotency_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `runs_one_active_when_skip_idx` ON `runs` (`flow_id`) WHERE overlap = 'skip' AND status IN ('queued', 'running');--> statement-breakpoint
CREATE INDEX `runs_status_idx` ON `runs` (`status`,`created_at`);