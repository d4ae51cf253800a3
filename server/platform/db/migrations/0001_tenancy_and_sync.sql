CREATE TABLE "audit_events" (
	"workspace_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"installation_id" uuid,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "audit_events_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "crm_records" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"object_type" text NOT NULL,
	"external_id" text NOT NULL,
	"modified_at" timestamp (3) with time zone NOT NULL,
	"created_at_crm" timestamp (3) with time zone,
	"archived" boolean DEFAULT false NOT NULL,
	"properties" jsonb NOT NULL,
	"associations" jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "crm_records_workspace_id_installation_id_object_type_external_id_pk" PRIMARY KEY("workspace_id","installation_id","object_type","external_id")
);
--> statement-breakpoint
CREATE TABLE "installations" (
	"workspace_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"provider" text NOT NULL,
	"external_id" text NOT NULL,
	"display_name" text NOT NULL,
	"base_url" text,
	"status" text DEFAULT 'active' NOT NULL,
	"scopes" text[] NOT NULL,
	"access_token_sealed" text,
	"refresh_token_sealed" text,
	"access_token_expires_at" timestamp with time zone,
	"status_reason" text,
	"installed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "installations_workspace_id_id_pk" PRIMARY KEY("workspace_id","id"),
	CONSTRAINT "installations_provider_check" CHECK ("installations"."provider" in ('hubspot', 'salesforce')),
	CONSTRAINT "installations_status_check" CHECK ("installations"."status" in ('active', 'needs_reauth', 'uninstalled'))
);
--> statement-breakpoint
CREATE TABLE "sync_state" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"object_type" text NOT NULL,
	"cursor" text,
	"records_seen" bigint DEFAULT 0 NOT NULL,
	"calls_spent" bigint DEFAULT 0 NOT NULL,
	"last_started_at" timestamp with time zone,
	"last_finished_at" timestamp with time zone,
	"last_error" text,
	CONSTRAINT "sync_state_workspace_id_installation_id_object_type_pk" PRIMARY KEY("workspace_id","installation_id","object_type")
);
--> statement-breakpoint
CREATE TABLE "workspaces" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "crm_records" ADD CONSTRAINT "crm_records_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "installations" ADD CONSTRAINT "installations_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_state" ADD CONSTRAINT "sync_state_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_events_at_idx" ON "audit_events" USING btree ("workspace_id","at");--> statement-breakpoint
CREATE INDEX "crm_records_modified_idx" ON "crm_records" USING btree ("workspace_id","installation_id","object_type","modified_at");--> statement-breakpoint
CREATE UNIQUE INDEX "installations_provider_external_id_idx" ON "installations" USING btree ("provider","external_id");