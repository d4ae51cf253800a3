CREATE TABLE "notification_channels" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"format" text NOT NULL,
	"url" text NOT NULL,
	"secret" text NOT NULL,
	"min_severity" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "notification_channels_workspace_id_installation_id_id_pk" PRIMARY KEY("workspace_id","installation_id","id")
);
--> statement-breakpoint
CREATE TABLE "notification_deliveries" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"channel_id" uuid NOT NULL,
	"warning_id" uuid NOT NULL,
	"event" text NOT NULL,
	"state" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_status" integer,
	"last_error" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"delivered_at" timestamp (3) with time zone,
	CONSTRAINT "notification_deliveries_pk" PRIMARY KEY("workspace_id","installation_id","channel_id","warning_id","event")
);
--> statement-breakpoint
CREATE TABLE "qbr_briefs" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"account_external_id" text NOT NULL,
	"qbr_date" date NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"version" integer NOT NULL,
	"content_hash" text NOT NULL,
	"brief" jsonb NOT NULL,
	"trigger" text NOT NULL,
	"requested_by" text,
	"generated_at" timestamp (3) with time zone NOT NULL,
	"note_state" text NOT NULL,
	"note_attempts" integer DEFAULT 0 NOT NULL,
	"note_attempted_at" timestamp (3) with time zone,
	"crm_note_id" text,
	"note_written_at" timestamp (3) with time zone,
	"note_error" text,
	CONSTRAINT "qbr_briefs_workspace_id_installation_id_id_pk" PRIMARY KEY("workspace_id","installation_id","id")
);
--> statement-breakpoint
CREATE TABLE "warning_settings" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"rules" jsonb NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "warning_settings_workspace_id_installation_id_pk" PRIMARY KEY("workspace_id","installation_id")
);
--> statement-breakpoint
CREATE TABLE "warning_tasks" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"warning_id" uuid NOT NULL,
	"step" integer NOT NULL,
	"task_key" text NOT NULL,
	"account_external_id" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"due_at" timestamp (3) with time zone NOT NULL,
	"assignee_external_id" text,
	"state" text NOT NULL,
	"crm_task_id" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"attempted_at" timestamp (3) with time zone,
	"last_error" text,
	"created_at" timestamp (3) with time zone,
	"closed_at" timestamp (3) with time zone,
	CONSTRAINT "warning_tasks_workspace_id_installation_id_warning_id_step_pk" PRIMARY KEY("workspace_id","installation_id","warning_id","step")
);
--> statement-breakpoint
CREATE TABLE "warnings" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"account_external_id" text NOT NULL,
	"rule" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"severity" text NOT NULL,
	"status" text NOT NULL,
	"title" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"owner_external_id" text,
	"csm_external_id" text,
	"opened_at" timestamp (3) with time zone NOT NULL,
	"last_seen_at" timestamp (3) with time zone NOT NULL,
	"resolved_at" timestamp (3) with time zone,
	"resolution" text,
	CONSTRAINT "warnings_workspace_id_installation_id_id_pk" PRIMARY KEY("workspace_id","installation_id","id")
);
--> statement-breakpoint
ALTER TABLE "notification_channels" ADD CONSTRAINT "notification_channels_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_workspace_id_installation_id_channel_id_notification_channels_workspace_id_installation_id_id_fk" FOREIGN KEY ("workspace_id","installation_id","channel_id") REFERENCES "public"."notification_channels"("workspace_id","installation_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_workspace_id_installation_id_warning_id_warnings_workspace_id_installation_id_id_fk" FOREIGN KEY ("workspace_id","installation_id","warning_id") REFERENCES "public"."warnings"("workspace_id","installation_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qbr_briefs" ADD CONSTRAINT "qbr_briefs_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "warning_settings" ADD CONSTRAINT "warning_settings_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "warning_tasks" ADD CONSTRAINT "warning_tasks_workspace_id_installation_id_warning_id_warnings_workspace_id_installation_id_id_fk" FOREIGN KEY ("workspace_id","installation_id","warning_id") REFERENCES "public"."warnings"("workspace_id","installation_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "warning_tasks" ADD CONSTRAINT "warning_tasks_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "warnings" ADD CONSTRAINT "warnings_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "qbr_briefs_version_idx" ON "qbr_briefs" USING btree ("workspace_id","installation_id","account_external_id","qbr_date","version");--> statement-breakpoint
CREATE INDEX "qbr_briefs_account_idx" ON "qbr_briefs" USING btree ("workspace_id","installation_id","account_external_id","generated_at");--> statement-breakpoint
CREATE UNIQUE INDEX "warning_tasks_key_idx" ON "warning_tasks" USING btree ("task_key");--> statement-breakpoint
CREATE INDEX "warning_tasks_state_idx" ON "warning_tasks" USING btree ("workspace_id","installation_id","state");--> statement-breakpoint
CREATE UNIQUE INDEX "warnings_open_key_idx" ON "warnings" USING btree ("workspace_id","installation_id","dedupe_key") WHERE "warnings"."status" = 'open';--> statement-breakpoint
CREATE INDEX "warnings_account_idx" ON "warnings" USING btree ("workspace_id","installation_id","account_external_id","opened_at");--> statement-breakpoint
CREATE INDEX "warnings_key_idx" ON "warnings" USING btree ("workspace_id","installation_id","dedupe_key","resolved_at");