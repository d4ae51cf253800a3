CREATE TABLE "account_links" (
	"workspace_id" uuid NOT NULL,
	"hubspot_installation_id" uuid NOT NULL,
	"hubspot_account_id" text NOT NULL,
	"salesforce_installation_id" uuid NOT NULL,
	"salesforce_account_id" text NOT NULL,
	"rule" text NOT NULL,
	"linked_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "account_links_workspace_id_hubspot_installation_id_hubspot_account_id_pk" PRIMARY KEY("workspace_id","hubspot_installation_id","hubspot_account_id"),
	CONSTRAINT "account_links_rule_check" CHECK ("account_links"."rule" in ('connector_id', 'domain', 'manual'))
);
--> statement-breakpoint
CREATE TABLE "account_match_decisions" (
	"workspace_id" uuid NOT NULL,
	"hubspot_installation_id" uuid NOT NULL,
	"hubspot_account_id" text NOT NULL,
	"salesforce_installation_id" uuid NOT NULL,
	"salesforce_account_id" text NOT NULL,
	"decision" text NOT NULL,
	"decided_by" text NOT NULL,
	"decided_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "account_match_decisions_pk" PRIMARY KEY("workspace_id","hubspot_installation_id","hubspot_account_id","salesforce_installation_id","salesforce_account_id"),
	CONSTRAINT "account_match_decisions_decision_check" CHECK ("account_match_decisions"."decision" in ('linked', 'rejected'))
);
--> statement-breakpoint
CREATE TABLE "account_match_reports" (
	"workspace_id" uuid PRIMARY KEY NOT NULL,
	"hubspot_installation_id" uuid NOT NULL,
	"salesforce_installation_id" uuid NOT NULL,
	"report" jsonb NOT NULL,
	"computed_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "connector_external_id" text;--> statement-breakpoint
ALTER TABLE "deals" ADD COLUMN "connector_external_id" text;--> statement-breakpoint
ALTER TABLE "account_links" ADD CONSTRAINT "account_links_workspace_id_hubspot_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","hubspot_installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_links" ADD CONSTRAINT "account_links_workspace_id_salesforce_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","salesforce_installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_match_decisions" ADD CONSTRAINT "account_match_decisions_workspace_id_hubspot_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","hubspot_installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_match_decisions" ADD CONSTRAINT "account_match_decisions_workspace_id_salesforce_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","salesforce_installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_match_reports" ADD CONSTRAINT "account_match_reports_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "account_links_salesforce_idx" ON "account_links" USING btree ("workspace_id","salesforce_installation_id","salesforce_account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "installations_workspace_provider_idx" ON "installations" USING btree ("workspace_id","provider") WHERE "installations"."status" <> 'uninstalled';--> statement-breakpoint
-- Mappings saved before the connector ids existed: HubSpot reads the ids its Salesforce connector keeps
-- (a portal without the connector simply has no value), Salesforce has none.
UPDATE "installation_mappings" AS m
SET "mapping" = jsonb_set(
  jsonb_set(
    m."mapping",
    '{accounts,connectorId}',
    CASE WHEN i."provider" = 'hubspot' THEN '"salesforceaccountid"'::jsonb ELSE 'null'::jsonb END
  ),
  '{deals,connectorId}',
  CASE WHEN i."provider" = 'hubspot' THEN '"salesforceopportunityid"'::jsonb ELSE 'null'::jsonb END
)
FROM "installations" AS i
WHERE i."workspace_id" = m."workspace_id" AND i."id" = m."installation_id"
  AND NOT (m."mapping"->'accounts' ? 'connectorId');
