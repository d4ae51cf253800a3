CREATE TABLE "account_health" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"account_external_id" text NOT NULL,
	"day" date NOT NULL,
	"scored_at" timestamp (3) with time zone NOT NULL,
	"model_version" integer NOT NULL,
	"status" text NOT NULL,
	"score" double precision,
	"band" text,
	"trend" text,
	"explanation" jsonb NOT NULL,
	"previous" jsonb,
	CONSTRAINT "account_health_workspace_id_installation_id_account_external_id_pk" PRIMARY KEY("workspace_id","installation_id","account_external_id")
);
--> statement-breakpoint
CREATE TABLE "account_signals" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"account_external_id" text NOT NULL,
	"segment" text,
	"values" jsonb NOT NULL,
	"computed_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "account_signals_workspace_id_installation_id_account_external_id_pk" PRIMARY KEY("workspace_id","installation_id","account_external_id")
);
--> statement-breakpoint
CREATE TABLE "health_models" (
	"workspace_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"status" text NOT NULL,
	"definition" jsonb NOT NULL,
	"backtest" jsonb,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_by" text,
	"published_at" timestamp with time zone,
	CONSTRAINT "health_models_workspace_id_version_pk" PRIMARY KEY("workspace_id","version"),
	CONSTRAINT "health_models_status_check" CHECK ("health_models"."status" in ('draft', 'published', 'retired'))
);
--> statement-breakpoint
CREATE TABLE "health_overrides" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"account_external_id" text NOT NULL,
	"score" double precision,
	"band" text,
	"reason" text NOT NULL,
	"author" text NOT NULL,
	"set_at" timestamp (3) with time zone NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"cleared_at" timestamp (3) with time zone,
	"cleared_by" text,
	CONSTRAINT "health_overrides_workspace_id_installation_id_id_pk" PRIMARY KEY("workspace_id","installation_id","id")
);
--> statement-breakpoint
CREATE TABLE "health_scores" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"account_external_id" text NOT NULL,
	"day" date NOT NULL,
	"scored_at" timestamp (3) with time zone NOT NULL,
	"model_version" integer NOT NULL,
	"status" text NOT NULL,
	"score" double precision,
	"band" text,
	"trend" text,
	"coverage" double precision NOT NULL,
	"contributions" jsonb NOT NULL,
	CONSTRAINT "health_scores_workspace_id_installation_id_account_external_id_day_pk" PRIMARY KEY("workspace_id","installation_id","account_external_id","day")
);
--> statement-breakpoint
CREATE TABLE "score_state" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"watermark" timestamp (3) with time zone NOT NULL,
	"finished_at" timestamp (3) with time zone NOT NULL,
	"summary" jsonb NOT NULL,
	CONSTRAINT "score_state_workspace_id_installation_id_pk" PRIMARY KEY("workspace_id","installation_id")
);
--> statement-breakpoint
ALTER TABLE "write_back_ledger" ADD COLUMN "error_code" text;--> statement-breakpoint
ALTER TABLE "write_back_ledger" ADD COLUMN "refused_value" text;--> statement-breakpoint
ALTER TABLE "write_back_ledger" ADD COLUMN "refused_fields_hash" text;--> statement-breakpoint
ALTER TABLE "write_back_ledger" ADD COLUMN "refused_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "account_health" ADD CONSTRAINT "account_health_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_signals" ADD CONSTRAINT "account_signals_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "health_models" ADD CONSTRAINT "health_models_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "health_overrides" ADD CONSTRAINT "health_overrides_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "health_scores" ADD CONSTRAINT "health_scores_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_state" ADD CONSTRAINT "score_state_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "health_models_published_idx" ON "health_models" USING btree ("workspace_id") WHERE "health_models"."status" = 'published';--> statement-breakpoint
CREATE INDEX "health_overrides_account_idx" ON "health_overrides" USING btree ("workspace_id","installation_id","account_external_id","set_at");--> statement-breakpoint
CREATE INDEX "health_scores_day_idx" ON "health_scores" USING btree ("workspace_id","installation_id","day");