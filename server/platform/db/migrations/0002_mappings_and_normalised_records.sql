CREATE TABLE "accounts" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"modified_at" timestamp (3) with time zone NOT NULL,
	"created_at_crm" timestamp (3) with time zone,
	"archived" boolean DEFAULT false NOT NULL,
	"problems" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"name" text,
	"domain" text,
	"arr" numeric(18, 2),
	"renewal_date" date,
	"segment" text,
	"owner_external_id" text,
	"csm_external_id" text,
	"parent_external_id" text,
	"licences" integer,
	"customer_status" text,
	CONSTRAINT "accounts_workspace_id_installation_id_external_id_pk" PRIMARY KEY("workspace_id","installation_id","external_id")
);
--> statement-breakpoint
CREATE TABLE "contacts" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"modified_at" timestamp (3) with time zone NOT NULL,
	"created_at_crm" timestamp (3) with time zone,
	"archived" boolean DEFAULT false NOT NULL,
	"problems" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"account_external_id" text,
	"email" text,
	"first_name" text,
	"last_name" text,
	"name" text,
	"title" text,
	"role" text,
	"departed" boolean DEFAULT false NOT NULL,
	"departed_on" date,
	"last_engaged_at" timestamp (3) with time zone,
	"owner_external_id" text,
	CONSTRAINT "contacts_workspace_id_installation_id_external_id_pk" PRIMARY KEY("workspace_id","installation_id","external_id")
);
--> statement-breakpoint
CREATE TABLE "deals" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"modified_at" timestamp (3) with time zone NOT NULL,
	"created_at_crm" timestamp (3) with time zone,
	"archived" boolean DEFAULT false NOT NULL,
	"problems" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"account_external_id" text,
	"name" text,
	"amount" numeric(18, 2),
	"close_date" date,
	"stage" text NOT NULL,
	"stage_name" text,
	"kind" text NOT NULL,
	"type" text,
	"pipeline" text,
	"owner_external_id" text,
	CONSTRAINT "deals_workspace_id_installation_id_external_id_pk" PRIMARY KEY("workspace_id","installation_id","external_id")
);
--> statement-breakpoint
CREATE TABLE "installation_mappings" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"mapping" jsonb NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "installation_mappings_workspace_id_installation_id_pk" PRIMARY KEY("workspace_id","installation_id")
);
--> statement-breakpoint
CREATE TABLE "owners" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"modified_at" timestamp (3) with time zone NOT NULL,
	"created_at_crm" timestamp (3) with time zone,
	"archived" boolean DEFAULT false NOT NULL,
	"problems" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"email" text,
	"first_name" text,
	"last_name" text,
	"name" text,
	"active" boolean DEFAULT true NOT NULL,
	CONSTRAINT "owners_workspace_id_installation_id_external_id_pk" PRIMARY KEY("workspace_id","installation_id","external_id")
);
--> statement-breakpoint
CREATE TABLE "tickets" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"modified_at" timestamp (3) with time zone NOT NULL,
	"created_at_crm" timestamp (3) with time zone,
	"archived" boolean DEFAULT false NOT NULL,
	"problems" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"account_external_id" text,
	"contact_external_id" text,
	"subject" text,
	"priority" text,
	"escalated" boolean DEFAULT false NOT NULL,
	"status" text,
	"closed" boolean DEFAULT false NOT NULL,
	"closed_at" timestamp (3) with time zone,
	"owner_external_id" text,
	CONSTRAINT "tickets_workspace_id_installation_id_external_id_pk" PRIMARY KEY("workspace_id","installation_id","external_id")
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deals" ADD CONSTRAINT "deals_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "installation_mappings" ADD CONSTRAINT "installation_mappings_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "owners" ADD CONSTRAINT "owners_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "accounts_domain_idx" ON "accounts" USING btree ("workspace_id","domain");--> statement-breakpoint
CREATE INDEX "contacts_account_idx" ON "contacts" USING btree ("workspace_id","installation_id","account_external_id");--> statement-breakpoint
CREATE INDEX "deals_account_idx" ON "deals" USING btree ("workspace_id","installation_id","account_external_id");--> statement-breakpoint
CREATE INDEX "tickets_account_idx" ON "tickets" USING btree ("workspace_id","installation_id","account_external_id");