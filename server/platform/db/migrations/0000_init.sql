CREATE TABLE "worker_heartbeats" (
	"worker_id" text PRIMARY KEY NOT NULL,
	"hostname" text NOT NULL,
	"pid" integer NOT NULL,
	"queues" text[] NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"last_beat_at" timestamp with time zone NOT NULL,
	"last_job_id" text NOT NULL,
	"beats" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE INDEX "worker_heartbeats_last_beat_at_idx" ON "worker_heartbeats" USING btree ("last_beat_at");