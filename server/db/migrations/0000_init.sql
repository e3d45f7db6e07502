CREATE TABLE `control_results` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`flow_id` text NOT NULL,
	`node_id` text NOT NULL,
	`resource_id` text NOT NULL,
	`run_id` text NOT NULL,
	`result` text NOT NULL,
	`display_name` text,
	`account_id` text,
	`region` text,
	`evidence` text,
	`recorded_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `control_results_resource_idx` ON `control_results` (`flow_id`,`node_id`,`resource_id`,`id`);--> statement-breakpoint
CREATE INDEX `control_results_run_idx` ON `control_results` (`run_id`);--> statement-breakpoint
CREATE TABLE `flow_versions` (
	`flow_id` text NOT NULL,
	`version` integer NOT NULL,
	`document` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`flow_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `flows` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`categories` text NOT NULL,
	`deployed` integer DEFAULT false NOT NULL,
	`version` integer NOT NULL,
	`node_count` integer DEFAULT 0 NOT NULL,
	`document` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `flows_name_idx` ON `flows` (`name`);--> statement-breakpoint
CREATE INDEX `flows_updated_idx` ON `flows` (`updated_at`);--> statement-breakpoint
CREATE TABLE `run_steps` (
	`run_id` text NOT NULL,
	`node_id` text NOT NULL,
	`node_type` text NOT NULL,
	`position` integer NOT NULL,
	`status` text NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`error` text,
	`warning` text,
	`input_count` integer DEFAULT 0 NOT NULL,
	`output_count` integer DEFAULT 0 NOT NULL,
	`output_counts` text,
	`input_preview` text,
	`output_preview` text,
	PRIMARY KEY(`run_id`, `node_id`)
);
--> statement-breakpoint
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`flow_id` text NOT NULL,
	`flow_version` integer NOT NULL,
	`status` text NOT NULL,
	`triggered_by` text NOT NULL,
	`input` text,
	`variables` text,
	`accounts` text,
	`regions` text,
	`until` text,
	`error` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `runs_flow_created_idx` ON `runs` (`flow_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `runs_status_idx` ON `runs` (`status`);--> statement-breakpoint
CREATE TABLE `step_payloads` (
	`run_id` text NOT NULL,
	`node_id` text NOT NULL,
	`input` text,
	`output` text,
	PRIMARY KEY(`run_id`, `node_id`)
);
