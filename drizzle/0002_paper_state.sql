CREATE TABLE "paper_accounts" (
	"venue" text NOT NULL,
	"account_id" text NOT NULL,
	"snapshot" jsonb NOT NULL,
	CONSTRAINT "paper_accounts_venue_account_id_pk" PRIMARY KEY("venue","account_id")
);
--> statement-breakpoint
CREATE TABLE "paper_fills" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"venue" text NOT NULL,
	"fill_id" text NOT NULL,
	"snapshot" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "paper_orders" (
	"venue" text NOT NULL,
	"account_id" text NOT NULL,
	"client_order_id" text NOT NULL,
	"status" text NOT NULL,
	"snapshot" jsonb NOT NULL,
	CONSTRAINT "paper_orders_venue_account_id_client_order_id_pk" PRIMARY KEY("venue","account_id","client_order_id")
);
--> statement-breakpoint
CREATE TABLE "paper_positions" (
	"venue" text NOT NULL,
	"account_id" text NOT NULL,
	"symbol" text NOT NULL,
	"snapshot" jsonb NOT NULL,
	CONSTRAINT "paper_positions_venue_account_id_symbol_pk" PRIMARY KEY("venue","account_id","symbol")
);
--> statement-breakpoint
CREATE TABLE "paper_venues" (
	"venue" text PRIMARY KEY NOT NULL,
	"instance_id" text NOT NULL,
	"counters" jsonb NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "paper_fills_key" ON "paper_fills" USING btree ("venue","fill_id");