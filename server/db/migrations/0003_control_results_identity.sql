DROP INDEX `control_results_resource_idx`;--> statement-breakpoint
CREATE INDEX `control_results_resource_idx` ON `control_results` (`flow_id`,`node_id`,`resource_id`,`account_id`,`region`,`id`);