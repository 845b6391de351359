CREATE TABLE "accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"venue" text NOT NULL,
	"mode" text NOT NULL,
	"type" text NOT NULL,
	"currency" text NOT NULL,
	"margin_multiplier" numeric NOT NULL,
	"allow_short" boolean NOT NULL,
	"pattern_day_trader" boolean DEFAULT false NOT NULL,
	"day_trades" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"trading_blocked" boolean DEFAULT false NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agents" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"card" jsonb NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"agent_id" text NOT NULL,
	"key_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"entity" text NOT NULL,
	"entity_id" text NOT NULL,
	"data" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "balances" (
	"account_id" text NOT NULL,
	"currency" text NOT NULL,
	"amount" numeric NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "balances_account_id_currency_pk" PRIMARY KEY("account_id","currency")
);
--> statement-breakpoint
CREATE TABLE "execution_metrics" (
	"order_id" text PRIMARY KEY NOT NULL,
	"venue" text NOT NULL,
	"arrival_price" numeric,
	"slippage_bps" numeric,
	"implementation_shortfall" numeric,
	"price_improvement_bps" numeric,
	"fill_rate" numeric,
	"latency_ms" integer,
	"computed_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fills" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"venue" text NOT NULL,
	"account_id" text NOT NULL,
	"fill_id" text NOT NULL,
	"order_id" text,
	"client_order_id" text NOT NULL,
	"venue_order_id" text NOT NULL,
	"symbol" text NOT NULL,
	"side" text NOT NULL,
	"quantity" numeric NOT NULL,
	"price" numeric NOT NULL,
	"liquidity" text NOT NULL,
	"fee" numeric NOT NULL,
	"fee_currency" text NOT NULL,
	"ts" timestamp (3) with time zone NOT NULL,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"key" text PRIMARY KEY NOT NULL,
	"request_hash" text NOT NULL,
	"resource_id" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"seq" integer NOT NULL,
	"event_id" text NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"venue_time" timestamp (3) with time zone NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" text PRIMARY KEY NOT NULL,
	"client_order_id" text NOT NULL,
	"account_id" text NOT NULL,
	"venue" text NOT NULL,
	"agent_id" text NOT NULL,
	"reason" text,
	"parent_id" text,
	"order_class" text DEFAULT 'simple' NOT NULL,
	"symbol" text NOT NULL,
	"side" text NOT NULL,
	"type" text NOT NULL,
	"quantity" numeric NOT NULL,
	"limit_price" numeric,
	"stop_price" numeric,
	"trigger_price" numeric,
	"trail_price" numeric,
	"trail_percent" numeric,
	"activation_price" numeric,
	"current_stop" numeric,
	"time_in_force" text NOT NULL,
	"expire_at" timestamp (3) with time zone,
	"extended_hours" boolean DEFAULT false NOT NULL,
	"post_only" boolean DEFAULT false NOT NULL,
	"reduce_only" boolean DEFAULT false NOT NULL,
	"display_qty" numeric,
	"status" text NOT NULL,
	"prior_status" text,
	"filled_qty" numeric NOT NULL,
	"filled_notional" numeric NOT NULL,
	"avg_fill_price" numeric,
	"overfill_qty" numeric NOT NULL,
	"venue_order_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"held" boolean DEFAULT false NOT NULL,
	"emulated" boolean DEFAULT false NOT NULL,
	"inferred" boolean DEFAULT false NOT NULL,
	"external" boolean DEFAULT false NOT NULL,
	"reject_code" text,
	"reject_message" text,
	"request_hash" text NOT NULL,
	"event_seq" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "positions" (
	"account_id" text NOT NULL,
	"symbol" text NOT NULL,
	"quantity" numeric NOT NULL,
	"avg_entry_price" numeric NOT NULL,
	"realized_pnl" numeric NOT NULL,
	"fees" numeric NOT NULL,
	"opened_at" timestamp (3) with time zone,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "positions_account_id_symbol_pk" PRIMARY KEY("account_id","symbol")
);
--> statement-breakpoint
CREATE TABLE "reconcile_checkpoints" (
	"venue" text NOT NULL,
	"account_id" text NOT NULL,
	"checkpoint" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "reconcile_checkpoints_venue_account_id_pk" PRIMARY KEY("venue","account_id")
);
--> statement-breakpoint
CREATE TABLE "risk_limits" (
	"scope" text NOT NULL,
	"scope_id" text NOT NULL,
	"limits" jsonb NOT NULL,
	"updated_by" text,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "risk_limits_scope_scope_id_pk" PRIMARY KEY("scope","scope_id")
);
--> statement-breakpoint
CREATE TABLE "routing_allocations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"decision_id" text NOT NULL,
	"venue" text NOT NULL,
	"account_id" text NOT NULL,
	"quantity" numeric NOT NULL,
	"expected_price" numeric,
	"fees" numeric,
	"score" numeric
);
--> statement-breakpoint
CREATE TABLE "routing_decisions" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"objective" text NOT NULL,
	"scores" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signals" (
	"signal_id" text PRIMARY KEY NOT NULL,
	"model_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"symbol" text NOT NULL,
	"action" text NOT NULL,
	"confidence" numeric NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text NOT NULL,
	"order_id" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "balances" ADD CONSTRAINT "balances_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fills" ADD CONSTRAINT "fills_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_events" ADD CONSTRAINT "order_events_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routing_allocations" ADD CONSTRAINT "routing_allocations_decision_id_routing_decisions_id_fk" FOREIGN KEY ("decision_id") REFERENCES "public"."routing_decisions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_hash" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "fills_key" ON "fills" USING btree ("venue","account_id","fill_id");--> statement-breakpoint
CREATE INDEX "fills_order" ON "fills" USING btree ("order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "order_events_order_seq" ON "order_events" USING btree ("order_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "order_events_event" ON "order_events" USING btree ("order_id","event_id");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_account_client_order_id" ON "orders" USING btree ("account_id","client_order_id");--> statement-breakpoint
CREATE INDEX "orders_status_symbol" ON "orders" USING btree ("status","symbol");--> statement-breakpoint
CREATE INDEX "orders_created" ON "orders" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "orders_parent" ON "orders" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "routing_allocations_decision" ON "routing_allocations" USING btree ("decision_id");