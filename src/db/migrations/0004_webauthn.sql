CREATE TABLE "authentik_stages_authenticator_webauthn_authenticatewebauthnstage" (
	"stage_ptr_id" uuid PRIMARY KEY NOT NULL,
	"configure_flow_id" uuid,
	"friendly_name" text,
	"user_verification" text DEFAULT 'preferred' NOT NULL,
	"authenticator_attachment" text,
	"resident_key_requirement" text DEFAULT 'preferred' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_authenticator_webauthn_webauthndevice" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"name" varchar(64) NOT NULL,
	"confirmed" boolean DEFAULT true NOT NULL,
	"public_key" text NOT NULL,
	"credential_id" varchar(300) NOT NULL,
	"sign_count" integer DEFAULT 0 NOT NULL,
	"rp_id" varchar(253) NOT NULL,
	"created_on" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used" timestamp with time zone,
	CONSTRAINT "authentik_stages_authenticator_webauthn_credential_id_key" UNIQUE("credential_id")
);
--> statement-breakpoint
ALTER TABLE "authentik_stages_authenticator_webauthn_authenticatewebauthnstage" ADD CONSTRAINT "authentik_stages_authenticator_webauthn_stage_ptr_fk" FOREIGN KEY ("stage_ptr_id") REFERENCES "public"."authentik_flows_stage"("stage_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_authenticator_webauthn_authenticatewebauthnstage" ADD CONSTRAINT "authentik_stages_authenticator_webauthn_configure_flow_fk" FOREIGN KEY ("configure_flow_id") REFERENCES "public"."authentik_flows_flow"("flow_uuid") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_authenticator_webauthn_webauthndevice" ADD CONSTRAINT "authentik_stages_authenticator_webauthn_device_user_fk" FOREIGN KEY ("user_id") REFERENCES "public"."authentik_core_user"("id") ON DELETE cascade ON UPDATE no action;