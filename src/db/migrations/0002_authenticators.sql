CREATE TABLE "authentik_stages_authenticator_static_authenticatorstaticstage" (
	"stage_ptr_id" uuid PRIMARY KEY NOT NULL,
	"configure_flow_id" uuid,
	"friendly_name" text,
	"token_count" integer DEFAULT 6 NOT NULL,
	"token_length" integer DEFAULT 12 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_authenticator_static_staticdevice" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"name" varchar(64) NOT NULL,
	"confirmed" boolean DEFAULT true NOT NULL,
	"last_used" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_authenticator_static_statictoken" (
	"id" serial PRIMARY KEY NOT NULL,
	"device_id" integer NOT NULL,
	"token" varchar(16) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_authenticator_totp_authenticatortotpstage" (
	"stage_ptr_id" uuid PRIMARY KEY NOT NULL,
	"configure_flow_id" uuid,
	"friendly_name" text,
	"digits" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_authenticator_totp_totpdevice" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"name" varchar(64) NOT NULL,
	"confirmed" boolean DEFAULT true NOT NULL,
	"key" varchar(80) NOT NULL,
	"step" smallint DEFAULT 30 NOT NULL,
	"digits" smallint DEFAULT 6 NOT NULL,
	"tolerance" smallint DEFAULT 1 NOT NULL,
	"last_t" bigint DEFAULT -1 NOT NULL,
	"last_used" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_authenticator_validate_validatestage" (
	"stage_ptr_id" uuid PRIMARY KEY NOT NULL,
	"not_configured_action" text DEFAULT 'skip' NOT NULL,
	"device_classes" text[] DEFAULT '{static,totp,webauthn,duo,sms}'::text[] NOT NULL,
	"last_auth_threshold" text DEFAULT 'seconds=0' NOT NULL,
	"webauthn_user_verification" text DEFAULT 'preferred' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_authenticator_validate_configuration_stages" (
	"id" serial PRIMARY KEY NOT NULL,
	"authenticatorvalidatestage_id" uuid NOT NULL,
	"stage_id" uuid NOT NULL
);
--> statement-breakpoint
ALTER TABLE "authentik_stages_authenticator_static_authenticatorstaticstage" ADD CONSTRAINT "authentik_stages_authenticator_static_stage_ptr_fk" FOREIGN KEY ("stage_ptr_id") REFERENCES "public"."authentik_flows_stage"("stage_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_authenticator_static_authenticatorstaticstage" ADD CONSTRAINT "authentik_stages_authenticator_static_configure_flow_fk" FOREIGN KEY ("configure_flow_id") REFERENCES "public"."authentik_flows_flow"("flow_uuid") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_authenticator_static_staticdevice" ADD CONSTRAINT "authentik_stages_authenticator_static_device_user_fk" FOREIGN KEY ("user_id") REFERENCES "public"."authentik_core_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_authenticator_static_statictoken" ADD CONSTRAINT "authentik_stages_authenticator_static_token_device_fk" FOREIGN KEY ("device_id") REFERENCES "public"."authentik_stages_authenticator_static_staticdevice"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_authenticator_totp_authenticatortotpstage" ADD CONSTRAINT "authentik_stages_authenticator_totp_stage_ptr_fk" FOREIGN KEY ("stage_ptr_id") REFERENCES "public"."authentik_flows_stage"("stage_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_authenticator_totp_authenticatortotpstage" ADD CONSTRAINT "authentik_stages_authenticator_totp_configure_flow_fk" FOREIGN KEY ("configure_flow_id") REFERENCES "public"."authentik_flows_flow"("flow_uuid") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_authenticator_totp_totpdevice" ADD CONSTRAINT "authentik_stages_authenticator_totp_device_user_fk" FOREIGN KEY ("user_id") REFERENCES "public"."authentik_core_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_authenticator_validate_validatestage" ADD CONSTRAINT "authentik_stages_authenticator_validate_stage_ptr_fk" FOREIGN KEY ("stage_ptr_id") REFERENCES "public"."authentik_flows_stage"("stage_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_authenticator_validate_configuration_stages" ADD CONSTRAINT "authentik_stages_authenticator_validate_cs_validate_fk" FOREIGN KEY ("authenticatorvalidatestage_id") REFERENCES "public"."authentik_stages_authenticator_validate_validatestage"("stage_ptr_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_authenticator_validate_configuration_stages" ADD CONSTRAINT "authentik_stages_authenticator_validate_cs_stage_fk" FOREIGN KEY ("stage_id") REFERENCES "public"."authentik_flows_stage"("stage_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "authentik_stages_authenticator_static_token_idx" ON "authentik_stages_authenticator_static_statictoken" USING btree ("token");