CREATE TABLE "csm_sentiment" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"client_id" text NOT NULL,
	"account_external_id" text NOT NULL,
	"sentiment" text NOT NULL,
	"note" text,
	"csm_external_id" text,
	"recorded_at" timestamp (3) with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "csm_sentiment_workspace_id_installation_id_client_id_pk" PRIMARY KEY("workspace_id","installation_id","client_id"),
	CONSTRAINT "csm_sentiment_sentiment_check" CHECK ("csm_sentiment"."sentiment" in ('positive', 'neutral', 'negative'))
);
--> statement-breakpoint
CREATE TABLE "ingest_api_keys" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"prefix" text NOT NULL,
	"secret_hash" text NOT NULL,
	"label" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "ingest_api_keys_workspace_id_installation_id_id_pk" PRIMARY KEY("workspace_id","installation_id","id")
);
--> statement-breakpoint
CREATE TABLE "ingest_batches" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"idempotency_key" text NOT NULL,
	"kind" text NOT NULL,
	"request_hash" text NOT NULL,
	"answer" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ingest_batches_workspace_id_installation_id_idempotency_key_pk" PRIMARY KEY("workspace_id","installation_id","idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "survey_responses" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"client_id" text NOT NULL,
	"account_external_id" text NOT NULL,
	"kind" text NOT NULL,
	"score" integer NOT NULL,
	"verbatim" text,
	"contact_external_id" text,
	"responded_at" timestamp (3) with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "survey_responses_workspace_id_installation_id_client_id_pk" PRIMARY KEY("workspace_id","installation_id","client_id"),
	CONSTRAINT "survey_responses_kind_check" CHECK ("survey_responses"."kind" in ('nps', 'csat', 'ces'))
);
--> statement-breakpoint
CREATE TABLE "usage_daily" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"account_external_id" text NOT NULL,
	"date" date NOT NULL,
	"active_users" integer NOT NULL,
	"licences" integer,
	"events" integer NOT NULL,
	"features" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_daily_workspace_id_installation_id_account_external_id_date_pk" PRIMARY KEY("workspace_id","installation_id","account_external_id","date")
);
--> statement-breakpoint
CREATE TABLE "usage_events" (
	"workspace_id" uuid NOT NULL,
	"installation_id" uuid NOT NULL,
	"client_id" text NOT NULL,
	"account_external_id" text NOT NULL,
	"occurred_at" timestamp (3) with time zone NOT NULL,
	"user_id" text,
	"event" text NOT NULL,
	"feature" text,
	"properties" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_events_workspace_id_installation_id_client_id_pk" PRIMARY KEY("workspace_id","installation_id","client_id")
);
--> statement-breakpoint
ALTER TABLE "csm_sentiment" ADD CONSTRAINT "csm_sentiment_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ingest_api_keys" ADD CONSTRAINT "ingest_api_keys_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ingest_batches" ADD CONSTRAINT "ingest_batches_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_daily" ADD CONSTRAINT "usage_daily_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_workspace_id_installation_id_installations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","installation_id") REFERENCES "public"."installations"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "csm_sentiment_account_idx" ON "csm_sentiment" USING btree ("workspace_id","installation_id","account_external_id","recorded_at");--> statement-breakpoint
CREATE UNIQUE INDEX "ingest_api_keys_prefix_idx" ON "ingest_api_keys" USING btree ("prefix");--> statement-breakpoint
CREATE INDEX "ingest_batches_created_idx" ON "ingest_batches" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "survey_responses_account_idx" ON "survey_responses" USING btree ("workspace_id","installation_id","account_external_id","responded_at");--> statement-breakpoint
CREATE INDEX "usage_events_account_idx" ON "usage_events" USING btree ("workspace_id","installation_id","account_external_id","occurred_at");