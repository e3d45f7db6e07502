ALTER TABLE `flows` ADD `generation` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `flow_generation` text;--> statement-breakpoint
-- Flows stored before this migration get their own token, so each names one row like new ones do.
UPDATE `flows` SET `generation` = lower(hex(randomblob(16))) WHERE `generation` = '';
