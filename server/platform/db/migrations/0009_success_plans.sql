CREATE TABLE "account_stage_history" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"account_external_id" text NOT NULL,
	"stage" text NOT NULL,
	"reason" text NOT NULL,
	"entered_at" timestamp (3) with time zone NOT NULL,
	"left_at" timestamp (3) with time zone,
	CONSTRAINT "account_stage_history_workspace_id_installation_id_id_pk" PRIMARY KEY("workspace_id","installation_id","id")
);
--> statement-breakpoint
CREATE TABLE "plan_milestones" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"plan_id" uuid NOT NULL,
	"key" text NOT NULL,
	"position" integer NOT NULL,
	"title" text NOT NULL,
	"owner_external_id" text,
	"due_at" timestamp (3) with time zone NOT NULL,
	"reached_when" jsonb,
	"reached_at" timestamp (3) with time zone,
	"reached_by" text,
	CONSTRAINT "plan_milestones_workspace_id_installation_id_plan_id_key_pk" PRIMARY KEY("workspace_id","installation_id","plan_id","key")
);
--> statement-breakpoint
CREATE TABLE "plan_notes" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"plan_id" uuid NOT NULL,
	"author" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "plan_notes_workspace_id_installation_id_id_pk" PRIMARY KEY("workspace_id","installation_id","id")
);
--> statement-breakpoint
CREATE TABLE "plan_objectives" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"plan_id" uuid NOT NULL,
	"key" text NOT NULL,
	"position" integer NOT NULL,
	"title" text NOT NULL,
	"metric" jsonb NOT NULL,
	"comparator" text NOT NULL,
	"target" double precision NOT NULL,
	"start_at" timestamp (3) with time zone NOT NULL,
	"due_at" timestamp (3) with time zone NOT NULL,
	"start_value" double precision,
	"achieved_at" timestamp (3) with time zone,
	"status" text NOT NULL,
	"status_since" timestamp (3) with time zone NOT NULL,
	"value" double precision,
	"expected" double precision,
	"progress" double precision,
	"read_at" timestamp (3) with time zone,
	CONSTRAINT "plan_objectives_workspace_id_installation_id_plan_id_key_pk" PRIMARY KEY("workspace_id","installation_id","plan_id","key")
);
--> statement-breakpoint
CREATE TABLE "plan_settings" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"stage_rules" jsonb,
	"templates" jsonb,
	"updated_at" timestamp (3) with time zone NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "plan_settings_workspace_id_installation_id_pk" PRIMARY KEY("workspace_id","installation_id")
);
--> statement-breakpoint
CREATE TABLE "plan_share_links" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"plan_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"revoked_at" timestamp (3) with time zone,
	"last_opened_at" timestamp (3) with time zone,
	CONSTRAINT "plan_share_links_workspace_id_installation_id_id_pk" PRIMARY KEY("workspace_id","installation_id","id")
);
--> statement-breakpoint
CREATE TABLE "success_plans" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"account_external_id" text NOT NULL,
	"name" text NOT NULL,
	"template_key" text,
	"stage" text NOT NULL,
	"stage_entry_id" uuid,
	"status" text NOT NULL,
	"started_at" timestamp (3) with time zone NOT NULL,
	"closed_at" timestamp (3) with time zone,
	"created_by" text NOT NULL,
	"read_at" timestamp (3) with time zone,
	CONSTRAINT "success_plans_workspace_id_installation_id_id_pk" PRIMARY KEY("workspace_id","installation_id","id")
);
--> statement-breakpoint
ALTER TABLE "account_stage_history" ADD CONSTRAINT "account_stage_history_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_milestones" ADD CONSTRAINT "plan_milestones_workspace_id_installation_id_plan_id_success_plans_workspace_id_installation_id_id_fk" FOREIGN KEY ("workspace_id","installation_id","plan_id") REFERENCES "public"."success_plans"("workspace_id","installation_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_milestones" ADD CONSTRAINT "plan_milestones_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_notes" ADD CONSTRAINT "plan_notes_workspace_id_installation_id_plan_id_success_plans_workspace_id_installation_id_id_fk" FOREIGN KEY ("workspace_id","installation_id","plan_id") REFERENCES "public"."success_plans"("workspace_id","installation_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_notes" ADD CONSTRAINT "plan_notes_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_objectives" ADD CONSTRAINT "plan_objectives_workspace_id_installation_id_plan_id_success_plans_workspace_id_installation_id_id_fk" FOREIGN KEY ("workspace_id","installation_id","plan_id") REFERENCES "public"."success_plans"("workspace_id","installation_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_objectives" ADD CONSTRAINT "plan_objectives_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_settings" ADD CONSTRAINT "plan_settings_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_share_links" ADD CONSTRAINT "plan_share_links_workspace_id_installation_id_plan_id_success_plans_workspace_id_installation_id_id_fk" FOREIGN KEY ("workspace_id","installation_id","plan_id") REFERENCES "public"."success_plans"("workspace_id","installation_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_share_links" ADD CONSTRAINT "plan_share_links_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "success_plans" ADD CONSTRAINT "success_plans_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "account_stage_current_idx" ON "account_stage_history" USING btree ("workspace_id","installation_id","account_external_id") WHERE "account_stage_history"."left_at" is null;--> statement-breakpoint
CREATE INDEX "account_stage_account_idx" ON "account_stage_history" USING btree ("workspace_id","installation_id","account_external_id","entered_at");--> statement-breakpoint
CREATE INDEX "plan_notes_plan_idx" ON "plan_notes" USING btree ("workspace_id","installation_id","plan_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "plan_share_links_token_idx" ON "plan_share_links" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "plan_share_links_plan_idx" ON "plan_share_links" USING btree ("workspace_id","installation_id","plan_id");--> statement-breakpoint
CREATE UNIQUE INDEX "success_plans_stage_entry_idx" ON "success_plans" USING btree ("workspace_id","installation_id","stage_entry_id") WHERE "success_plans"."stage_entry_id" is not null;--> statement-breakpoint
CREATE INDEX "success_plans_account_idx" ON "success_plans" USING btree ("workspace_id","installation_id","account_external_id","started_at");