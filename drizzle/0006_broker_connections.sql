CREATE TABLE "broker_connections" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"exchange_id" text,
	"mode" text NOT NULL,
	"credentials" text NOT NULL,
	"key_id" text NOT NULL,
	"live_opt_in" boolean DEFAULT false NOT NULL,
	"live_caps" jsonb,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
