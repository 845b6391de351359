CREATE TABLE "equity_snapshots" (
	"account_id" text NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"equity" numeric NOT NULL,
	"cash" numeric NOT NULL,
	CONSTRAINT "equity_snapshots_account_id_at_pk" PRIMARY KEY("account_id","at")
);
--> statement-breakpoint
CREATE TABLE "trading_state" (
	"scope" text PRIMARY KEY NOT NULL,
	"state" text NOT NULL,
	"reason" text NOT NULL,
	"changed_by" text NOT NULL,
	"changed_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "risk_price" numeric;