ALTER TABLE "authentik_stages_authenticator_static_staticdevice" ADD COLUMN "throttling_failure_timestamp" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "authentik_stages_authenticator_static_staticdevice" ADD COLUMN "throttling_failure_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "authentik_stages_authenticator_totp_totpdevice" ADD COLUMN "throttling_failure_timestamp" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "authentik_stages_authenticator_totp_totpdevice" ADD COLUMN "throttling_failure_count" integer DEFAULT 0 NOT NULL;