CREATE TABLE "account_health_current" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"account_external_id" text NOT NULL,
	"values" jsonb NOT NULL,
	"scored_at" timestamp (3) with time zone NOT NULL,
	"model_version" text NOT NULL,
	CONSTRAINT "account_health_current_workspace_id_installation_id_account_external_id_pk" PRIMARY KEY("workspace_id","installation_id","account_external_id")
);
--> statement-breakpoint
CREATE TABLE "installation_crm_schema" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"fields_hash" text NOT NULL,
	"report" jsonb NOT NULL,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "installation_crm_schema_workspace_id_installation_id_pk" PRIMARY KEY("workspace_id","installation_id")
);
--> statement-breakpoint
CREATE TABLE "write_back_ledger" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"account_external_id" text NOT NULL,
	"field_key" text NOT NULL,
	"value" text,
	"written_at" timestamp (3) with time zone,
	"last_error" text,
	CONSTRAINT "write_back_ledger_workspace_id_installation_id_account_external_id_field_key_pk" PRIMARY KEY("workspace_id","installation_id","account_external_id","field_key")
);
--> statement-breakpoint
ALTER TABLE "account_health_current" ADD CONSTRAINT "account_health_current_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "installation_crm_schema" ADD CONSTRAINT "installation_crm_schema_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "write_back_ledger" ADD CONSTRAINT "write_back_ledger_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;