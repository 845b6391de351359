ALTER SEQUENCE "public"."risk_usage_epoch" RENAME TO "risk_usage_epoch_before_0008";--> statement-breakpoint
CREATE TABLE "risk_usage_epoch" (
	"id" integer PRIMARY KEY NOT NULL,
	"epoch" bigint NOT NULL
);
--> statement-breakpoint
INSERT INTO "risk_usage_epoch" ("id", "epoch") SELECT 1, last_value FROM "public"."risk_usage_epoch_before_0008";--> statement-breakpoint
DROP SEQUENCE "public"."risk_usage_epoch_before_0008";
