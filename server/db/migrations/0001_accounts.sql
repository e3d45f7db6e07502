CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`aws_account_id` text,
	`regions` text NOT NULL,
	`endpoint` text,
	`credentials` text,
	`assume_role` text,
	`snapshot` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
