ALTER TABLE "execution_metrics" ADD COLUMN "account_id" text;--> statement-breakpoint
ALTER TABLE "execution_metrics" ADD COLUMN "agent_id" text;--> statement-breakpoint
ALTER TABLE "execution_metrics" ADD COLUMN "symbol" text;--> statement-breakpoint
ALTER TABLE "execution_metrics" ADD COLUMN "side" text;--> statement-breakpoint
ALTER TABLE "execution_metrics" ADD COLUMN "type" text;--> statement-breakpoint
ALTER TABLE "execution_metrics" ADD COLUMN "quantity" numeric;--> statement-breakpoint
ALTER TABLE "execution_metrics" ADD COLUMN "filled_qty" numeric;--> statement-breakpoint
ALTER TABLE "execution_metrics" ADD COLUMN "avg_fill_price" numeric;--> statement-breakpoint
ALTER TABLE "execution_metrics" ADD COLUMN "fees" numeric;--> statement-breakpoint
ALTER TABLE "execution_metrics" ADD COLUMN "fill_latency_ms" integer;--> statement-breakpoint
ALTER TABLE "execution_metrics" ADD COLUMN "status" text;--> statement-breakpoint
ALTER TABLE "execution_metrics" ADD COLUMN "completed_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "role" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "algo" jsonb;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "arrival_bid" numeric;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "arrival_ask" numeric;--> statement-breakpoint
ALTER TABLE "routing_decisions" ADD COLUMN "symbol" text;--> statement-breakpoint
ALTER TABLE "routing_decisions" ADD COLUMN "side" text;--> statement-breakpoint
ALTER TABLE "routing_decisions" ADD COLUMN "quantity" numeric;--> statement-breakpoint
ALTER TABLE "routing_decisions" ADD COLUMN "split" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "routing_decisions" ADD COLUMN "expected_average_price" numeric;--> statement-breakpoint
ALTER TABLE "routing_decisions" ADD COLUMN "estimated_cost" numeric;--> statement-breakpoint
ALTER TABLE "routing_decisions" ADD COLUMN "market_impact_bps" numeric;--> statement-breakpoint
CREATE INDEX "execution_metrics_venue_completed" ON "execution_metrics" USING btree ("venue","completed_at");--> statement-breakpoint
CREATE INDEX "routing_decisions_order" ON "routing_decisions" USING btree ("order_id");