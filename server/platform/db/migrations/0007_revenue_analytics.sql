CREATE TABLE "analytics_settings" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"settings" jsonb NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "analytics_settings_workspace_id_installation_id_version_pk" PRIMARY KEY("workspace_id","installation_id","version")
);
--> statement-breakpoint
CREATE TABLE "analytics_snapshots" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"computed_at" timestamp (3) with time zone NOT NULL,
	"source_version" text NOT NULL,
	CONSTRAINT "analytics_snapshots_workspace_id_installation_id_kind_pk" PRIMARY KEY("workspace_id","installation_id","kind"),
	CONSTRAINT "analytics_snapshots_kind_check" CHECK ("analytics_snapshots"."kind" in ('forecast', 'retention', 'nps', 'portfolio', 'staffing'))
);
--> statement-breakpoint
CREATE TABLE "renewal_forecasts" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"account_external_id" text NOT NULL,
	"renewal_date" date NOT NULL,
	"arr" numeric(18, 2),
	"probability" double precision NOT NULL,
	"expected_arr" numeric(18, 2) NOT NULL,
	"revenue_at_risk" numeric(18, 2) NOT NULL,
	"basis" text NOT NULL,
	"contributions" jsonb NOT NULL,
	"health_drivers" text,
	"opportunities" jsonb NOT NULL,
	"bottom20" boolean NOT NULL,
	"rank" integer NOT NULL,
	"computed_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "renewal_forecasts_workspace_id_installation_id_account_external_id_pk" PRIMARY KEY("workspace_id","installation_id","account_external_id")
);
--> statement-breakpoint
CREATE TABLE "renewal_models" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"model" jsonb NOT NULL,
	"trained_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "renewal_models_workspace_id_installation_id_version_pk" PRIMARY KEY("workspace_id","installation_id","version")
);
--> statement-breakpoint
ALTER TABLE "analytics_settings" ADD CONSTRAINT "analytics_settings_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_snapshots" ADD CONSTRAINT "analytics_snapshots_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "renewal_forecasts" ADD CONSTRAINT "renewal_forecasts_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "renewal_models" ADD CONSTRAINT "renewal_models_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "renewal_forecasts_rank_idx" ON "renewal_forecasts" USING btree ("workspace_id","installation_id","rank");