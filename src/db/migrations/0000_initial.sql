CREATE TABLE "authentik_system_task" (
	"name" text NOT NULL,
	"uid" text DEFAULT '' NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"start_timestamp" timestamp with time zone DEFAULT now() NOT NULL,
	"finish_timestamp" timestamp with time zone DEFAULT now() NOT NULL,
	"duration_ms" integer DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'UNKNOWN' NOT NULL,
	"messages" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"call_args" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"expires" timestamp with time zone NOT NULL,
	CONSTRAINT "authentik_system_task_name_uid_pk" PRIMARY KEY("name","uid")
);
--> statement-breakpoint
CREATE TABLE "authentik_blueprints_blueprintinstance" (
	"instance_uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"created" timestamp with time zone DEFAULT now() NOT NULL,
	"last_updated" timestamp with time zone DEFAULT now() NOT NULL,
	"managed" text,
	"name" text NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"path" text DEFAULT '' NOT NULL,
	"content" text DEFAULT '' NOT NULL,
	"context" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"last_applied" timestamp with time zone DEFAULT now() NOT NULL,
	"last_applied_hash" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'unknown' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"managed_models" text[] DEFAULT '{}'::text[] NOT NULL,
	"failed_fingerprint" text DEFAULT '' NOT NULL,
	CONSTRAINT "authentik_blueprints_blueprintinstance_managed_unique" UNIQUE("managed"),
	CONSTRAINT "authentik_blueprints_blueprintinstance_name_path" UNIQUE("name","path")
);
--> statement-breakpoint
CREATE TABLE "authentik_core_application" (
	"pbm_uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"slug" varchar(50) NOT NULL,
	"provider_id" integer,
	"meta_launch_url" text DEFAULT '' NOT NULL,
	"open_in_new_tab" boolean DEFAULT false NOT NULL,
	"meta_icon" text,
	"meta_description" text DEFAULT '' NOT NULL,
	"meta_publisher" text DEFAULT '' NOT NULL,
	"policy_engine_mode" text DEFAULT 'any' NOT NULL,
	"group" text DEFAULT '' NOT NULL,
	CONSTRAINT "authentik_core_application_slug_unique" UNIQUE("slug"),
	CONSTRAINT "authentik_core_application_provider_id_unique" UNIQUE("provider_id")
);
--> statement-breakpoint
CREATE TABLE "authentik_core_authenticatedsession" (
	"uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_key" varchar(64) NOT NULL,
	"user_id" integer NOT NULL,
	"last_ip" text DEFAULT '' NOT NULL,
	"last_user_agent" text DEFAULT '' NOT NULL,
	"last_used" timestamp with time zone DEFAULT now() NOT NULL,
	"expires" timestamp with time zone DEFAULT now() + interval '30 minutes' NOT NULL,
	"expiring" boolean DEFAULT true NOT NULL,
	CONSTRAINT "authentik_core_authenticatedsession_session_key_unique" UNIQUE("session_key")
);
--> statement-breakpoint
CREATE TABLE "authentik_core_group_roles" (
	"group_id" uuid NOT NULL,
	"role_id" uuid NOT NULL,
	CONSTRAINT "authentik_core_group_roles_group_id_role_id_pk" PRIMARY KEY("group_id","role_id")
);
--> statement-breakpoint
CREATE TABLE "authentik_core_group" (
	"group_uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"num_pk" serial NOT NULL,
	"name" varchar(80) NOT NULL,
	"is_superuser" boolean DEFAULT false NOT NULL,
	"parent_id" uuid,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "authentik_core_group_num_pk_unique" UNIQUE("num_pk"),
	CONSTRAINT "authentik_core_group_name_parent" UNIQUE NULLS NOT DISTINCT("name","parent_id")
);
--> statement-breakpoint
CREATE TABLE "authentik_install_id" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_core_provider" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"model" text NOT NULL,
	"authentication_flow_id" uuid,
	"authorization_flow_id" uuid,
	"backchannel_application_id" uuid,
	CONSTRAINT "authentik_core_provider_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "authentik_rbac_role" (
	"uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" varchar(150) NOT NULL,
	CONSTRAINT "authentik_rbac_role_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "authentik_core_session" (
	"session_key" varchar(64) PRIMARY KEY NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"expires" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_tenants_tenant" (
	"tenant_uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"domain" text NOT NULL,
	"default" boolean DEFAULT false NOT NULL,
	"branding_title" text DEFAULT 'authentik' NOT NULL,
	"branding_logo" text DEFAULT '/static/dist/assets/icons/icon_left_brand.svg' NOT NULL,
	"branding_favicon" text DEFAULT '/static/dist/assets/icons/icon.png' NOT NULL,
	"flow_authentication_id" uuid,
	"flow_invalidation_id" uuid,
	"flow_recovery_id" uuid,
	"flow_unenrollment_id" uuid,
	"flow_user_settings_id" uuid,
	"flow_device_code_id" uuid,
	"event_retention" text DEFAULT 'days=365' NOT NULL,
	"web_certificate_id" uuid,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_core_token" (
	"token_uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"identifier" varchar(255) NOT NULL,
	"key" text NOT NULL,
	"intent" text DEFAULT 'verification' NOT NULL,
	"user_id" integer NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"expires" timestamp with time zone DEFAULT now() + interval '30 minutes' NOT NULL,
	"expiring" boolean DEFAULT true NOT NULL,
	"managed" text,
	"created" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "authentik_core_token_identifier_unique" UNIQUE("identifier"),
	CONSTRAINT "authentik_core_token_managed_unique" UNIQUE("managed")
);
--> statement-breakpoint
CREATE TABLE "authentik_core_userconsent" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"application_id" uuid NOT NULL,
	"permissions" text DEFAULT '' NOT NULL,
	"expires" timestamp with time zone DEFAULT now() + interval '30 minutes' NOT NULL,
	"expiring" boolean DEFAULT true NOT NULL,
	CONSTRAINT "authentik_core_userconsent_user_application" UNIQUE("user_id","application_id","permissions")
);
--> statement-breakpoint
CREATE TABLE "authentik_core_user_ak_groups" (
	"user_id" integer NOT NULL,
	"group_id" uuid NOT NULL,
	CONSTRAINT "authentik_core_user_ak_groups_user_id_group_id_pk" PRIMARY KEY("user_id","group_id")
);
--> statement-breakpoint
CREATE TABLE "authentik_core_user" (
	"id" serial PRIMARY KEY NOT NULL,
	"uuid" uuid DEFAULT gen_random_uuid() NOT NULL,
	"username" varchar(150) NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"email" varchar(254) DEFAULT '' NOT NULL,
	"password" varchar(512) DEFAULT '' NOT NULL,
	"password_change_date" timestamp with time zone DEFAULT now() NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"last_login" timestamp with time zone,
	"date_joined" timestamp with time zone DEFAULT now() NOT NULL,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"path" text DEFAULT 'users' NOT NULL,
	"type" text DEFAULT 'internal' NOT NULL,
	CONSTRAINT "authentik_core_user_uuid_unique" UNIQUE("uuid"),
	CONSTRAINT "authentik_core_user_username_unique" UNIQUE("username")
);
--> statement-breakpoint
CREATE TABLE "authentik_crypto_certificatekeypair" (
	"kp_uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"certificate_data" text NOT NULL,
	"key_data" text DEFAULT '' NOT NULL,
	"managed" text,
	"created" timestamp with time zone DEFAULT now() NOT NULL,
	"last_updated" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "authentik_crypto_certificatekeypair_name_unique" UNIQUE("name"),
	CONSTRAINT "authentik_crypto_certificatekeypair_managed_unique" UNIQUE("managed")
);
--> statement-breakpoint
CREATE TABLE "authentik_events_event" (
	"event_uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"action" text NOT NULL,
	"app" text NOT NULL,
	"context" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"client_ip" text,
	"created" timestamp with time zone DEFAULT now() NOT NULL,
	"expires" timestamp with time zone NOT NULL,
	"expiring" boolean DEFAULT true NOT NULL,
	"tenant" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_flows_flowstagebinding" (
	"fsb_uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pbm_uuid" uuid DEFAULT gen_random_uuid() NOT NULL,
	"target_id" uuid NOT NULL,
	"stage_id" uuid NOT NULL,
	"evaluate_on_plan" boolean DEFAULT false NOT NULL,
	"re_evaluate_policies" boolean DEFAULT true NOT NULL,
	"order" integer NOT NULL,
	"policy_engine_mode" text DEFAULT 'any' NOT NULL,
	"invalid_response_action" text DEFAULT 'retry' NOT NULL,
	CONSTRAINT "authentik_flows_flowstagebinding_pbm_uuid_unique" UNIQUE("pbm_uuid"),
	CONSTRAINT "authentik_flows_flowstagebinding_target_stage_order" UNIQUE("target_id","stage_id","order")
);
--> statement-breakpoint
CREATE TABLE "authentik_flows_flowtoken" (
	"token_ptr_id" uuid PRIMARY KEY NOT NULL,
	"flow_id" uuid NOT NULL,
	"_plan" text NOT NULL,
	"revoke_on_execution" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_flows_flow" (
	"flow_uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pbm_uuid" uuid DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"slug" varchar(50) NOT NULL,
	"title" text NOT NULL,
	"designation" text NOT NULL,
	"background" text DEFAULT '' NOT NULL,
	"policy_engine_mode" text DEFAULT 'any' NOT NULL,
	"compatibility_mode" boolean DEFAULT false NOT NULL,
	"layout" text DEFAULT 'stacked' NOT NULL,
	"denied_action" text DEFAULT 'message_continue' NOT NULL,
	"authentication" text DEFAULT 'none' NOT NULL,
	CONSTRAINT "authentik_flows_flow_pbm_uuid_unique" UNIQUE("pbm_uuid"),
	CONSTRAINT "authentik_flows_flow_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "authentik_flows_stage" (
	"stage_uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"model" text NOT NULL,
	CONSTRAINT "authentik_flows_stage_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "authentik_policies_dummy_dummypolicy" (
	"policy_ptr_id" uuid PRIMARY KEY NOT NULL,
	"result" boolean DEFAULT false NOT NULL,
	"wait_min" integer DEFAULT 5 NOT NULL,
	"wait_max" integer DEFAULT 30 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_policies_event_matcher_eventmatcherpolicy" (
	"policy_ptr_id" uuid PRIMARY KEY NOT NULL,
	"action" text,
	"app" text,
	"model" text,
	"client_ip" text
);
--> statement-breakpoint
CREATE TABLE "authentik_policies_expression_expressionpolicy" (
	"policy_ptr_id" uuid PRIMARY KEY NOT NULL,
	"expression" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_policies_expiry_passwordexpirypolicy" (
	"policy_ptr_id" uuid PRIMARY KEY NOT NULL,
	"deny_only" boolean DEFAULT false NOT NULL,
	"days" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_policies_password_passwordpolicy" (
	"policy_ptr_id" uuid PRIMARY KEY NOT NULL,
	"password_field" text DEFAULT 'password' NOT NULL,
	"check_static_rules" boolean DEFAULT true NOT NULL,
	"check_have_i_been_pwned" boolean DEFAULT false NOT NULL,
	"check_zxcvbn" boolean DEFAULT false NOT NULL,
	"amount_digits" integer DEFAULT 0 NOT NULL,
	"amount_uppercase" integer DEFAULT 0 NOT NULL,
	"amount_lowercase" integer DEFAULT 0 NOT NULL,
	"amount_symbols" integer DEFAULT 0 NOT NULL,
	"length_min" integer DEFAULT 0 NOT NULL,
	"symbol_charset" text DEFAULT '!\"#$%&''()*+,-./:;<=>?@[\]^_`{|}~ ' NOT NULL,
	"error_message" text DEFAULT '' NOT NULL,
	"hibp_allowed_count" integer DEFAULT 0 NOT NULL,
	"zxcvbn_score_threshold" integer DEFAULT 2 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_policies_reputation_reputationpolicy" (
	"policy_ptr_id" uuid PRIMARY KEY NOT NULL,
	"check_ip" boolean DEFAULT true NOT NULL,
	"check_username" boolean DEFAULT true NOT NULL,
	"threshold" integer DEFAULT -5 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_policies_reputation_reputation" (
	"reputation_uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"identifier" text NOT NULL,
	"ip" text NOT NULL,
	"ip_geo_data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"ip_asn_data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"score" bigint DEFAULT 0 NOT NULL,
	"expires" timestamp with time zone NOT NULL,
	"expiring" boolean DEFAULT true NOT NULL,
	"updated" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "authentik_policies_reputation_reputation_identifier_ip" UNIQUE("identifier","ip")
);
--> statement-breakpoint
CREATE TABLE "authentik_policies_policy" (
	"policy_uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"execution_logging" boolean DEFAULT false NOT NULL,
	"model" text NOT NULL,
	"created" timestamp with time zone DEFAULT now() NOT NULL,
	"last_updated" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "authentik_policies_policy_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "authentik_policies_policybinding" (
	"policy_binding_uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"policy_id" uuid,
	"group_id" uuid,
	"user_id" integer,
	"target_id" uuid NOT NULL,
	"negate" boolean DEFAULT false NOT NULL,
	"timeout" integer DEFAULT 30 NOT NULL,
	"failure_result" boolean DEFAULT false NOT NULL,
	"order" integer NOT NULL,
	CONSTRAINT "authentik_policies_policybinding_policy_target_order" UNIQUE("policy_id","target_id","order")
);
--> statement-breakpoint
CREATE TABLE "authentik_core_propertymapping" (
	"pm_uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"expression" text NOT NULL,
	"managed" text,
	"model" text NOT NULL,
	CONSTRAINT "authentik_core_propertymapping_name_unique" UNIQUE("name"),
	CONSTRAINT "authentik_core_propertymapping_managed_unique" UNIQUE("managed")
);
--> statement-breakpoint
CREATE TABLE "authentik_core_provider_property_mappings" (
	"provider_id" integer NOT NULL,
	"propertymapping_id" uuid NOT NULL,
	CONSTRAINT "authentik_core_provider_property_mappings_provider_id_propertymapping_id_pk" PRIMARY KEY("provider_id","propertymapping_id")
);
--> statement-breakpoint
CREATE TABLE "authentik_providers_oauth2_accesstoken" (
	"id" serial PRIMARY KEY NOT NULL,
	"provider_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"revoked" boolean DEFAULT false NOT NULL,
	"scope" text DEFAULT '' NOT NULL,
	"auth_time" timestamp with time zone NOT NULL,
	"session_id" text,
	"chain" uuid,
	"expires" timestamp with time zone NOT NULL,
	"expiring" boolean DEFAULT true NOT NULL,
	"token" text NOT NULL,
	"id_token" text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_providers_oauth2_authorizationcode" (
	"id" serial PRIMARY KEY NOT NULL,
	"provider_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"revoked" boolean DEFAULT false NOT NULL,
	"scope" text DEFAULT '' NOT NULL,
	"auth_time" timestamp with time zone NOT NULL,
	"session_id" text,
	"chain" uuid,
	"expires" timestamp with time zone NOT NULL,
	"expiring" boolean DEFAULT true NOT NULL,
	"code" varchar(255) NOT NULL,
	"nonce" text,
	"code_challenge" varchar(255),
	"code_challenge_method" varchar(255),
	"redirect_uri" text DEFAULT '' NOT NULL,
	CONSTRAINT "authentik_providers_oauth2_authorizationcode_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "authentik_providers_oauth2_devicetoken" (
	"id" serial PRIMARY KEY NOT NULL,
	"provider_id" integer NOT NULL,
	"user_id" integer,
	"device_code" text NOT NULL,
	"user_code" text NOT NULL,
	"scope" text DEFAULT '' NOT NULL,
	"auth_time" timestamp with time zone,
	"session_id" text,
	"expires" timestamp with time zone NOT NULL,
	"expiring" boolean DEFAULT true NOT NULL,
	CONSTRAINT "authentik_providers_oauth2_devicetoken_device_code_unique" UNIQUE("device_code"),
	CONSTRAINT "authentik_providers_oauth2_devicetoken_user_code_unique" UNIQUE("user_code")
);
--> statement-breakpoint
CREATE TABLE "authentik_providers_oauth2_oauth2provider" (
	"provider_ptr_id" integer PRIMARY KEY NOT NULL,
	"client_type" text DEFAULT 'confidential' NOT NULL,
	"client_id" varchar(255) NOT NULL,
	"client_secret" varchar(255) DEFAULT '' NOT NULL,
	"redirect_uris" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"include_claims_in_id_token" boolean DEFAULT true NOT NULL,
	"access_code_validity" text DEFAULT 'minutes=1' NOT NULL,
	"access_token_validity" text DEFAULT 'hours=1' NOT NULL,
	"refresh_token_validity" text DEFAULT 'days=30' NOT NULL,
	"sub_mode" text DEFAULT 'hashed_user_id' NOT NULL,
	"issuer_mode" text DEFAULT 'per_provider' NOT NULL,
	"signing_key_id" uuid,
	"encryption_key_id" uuid,
	"jwks_sources" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "authentik_providers_oauth2_oauth2provider_client_id_unique" UNIQUE("client_id")
);
--> statement-breakpoint
CREATE TABLE "authentik_providers_oauth2_refreshtoken" (
	"id" serial PRIMARY KEY NOT NULL,
	"provider_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"revoked" boolean DEFAULT false NOT NULL,
	"scope" text DEFAULT '' NOT NULL,
	"auth_time" timestamp with time zone NOT NULL,
	"session_id" text,
	"chain" uuid,
	"expires" timestamp with time zone NOT NULL,
	"expiring" boolean DEFAULT true NOT NULL,
	"token" varchar(255) NOT NULL,
	"id_token" text DEFAULT '{}' NOT NULL,
	CONSTRAINT "authentik_providers_oauth2_refreshtoken_token_unique" UNIQUE("token")
);
--> statement-breakpoint
CREATE TABLE "authentik_providers_oauth2_scopemapping" (
	"propertymapping_ptr_id" uuid PRIMARY KEY NOT NULL,
	"scope_name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_captcha_captchastage" (
	"stage_ptr_id" uuid PRIMARY KEY NOT NULL,
	"public_key" text NOT NULL,
	"private_key" text NOT NULL,
	"js_url" text DEFAULT 'https://www.google.com/recaptcha/api.js' NOT NULL,
	"api_url" text DEFAULT 'https://www.google.com/recaptcha/api/siteverify' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_consent_consentstage" (
	"stage_ptr_id" uuid PRIMARY KEY NOT NULL,
	"mode" text DEFAULT 'expiring' NOT NULL,
	"consent_expire_in" text DEFAULT 'weeks=4' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_deny_denystage" (
	"stage_ptr_id" uuid PRIMARY KEY NOT NULL,
	"deny_message" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_dummy_dummystage" (
	"stage_ptr_id" uuid PRIMARY KEY NOT NULL,
	"throw_error" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_email_emailstage" (
	"stage_ptr_id" uuid PRIMARY KEY NOT NULL,
	"use_global_settings" boolean DEFAULT false NOT NULL,
	"host" text DEFAULT 'localhost' NOT NULL,
	"port" integer DEFAULT 25 NOT NULL,
	"username" text DEFAULT '' NOT NULL,
	"password" text DEFAULT '' NOT NULL,
	"use_tls" boolean DEFAULT false NOT NULL,
	"use_ssl" boolean DEFAULT false NOT NULL,
	"timeout" integer DEFAULT 10 NOT NULL,
	"from_address" varchar(254) DEFAULT 'system@authentik.local' NOT NULL,
	"activate_user_on_success" boolean DEFAULT false NOT NULL,
	"token_expiry" integer DEFAULT 30 NOT NULL,
	"subject" text DEFAULT 'authentik' NOT NULL,
	"template" text DEFAULT 'email/password_reset.html' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_identification_identificationstage_sources" (
	"identificationstage_id" uuid NOT NULL,
	"source_id" uuid NOT NULL,
	CONSTRAINT "authentik_stages_identification_sources_pk" PRIMARY KEY("identificationstage_id","source_id")
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_identification_identificationstage" (
	"stage_ptr_id" uuid PRIMARY KEY NOT NULL,
	"user_fields" text[] DEFAULT '{}'::text[] NOT NULL,
	"password_stage_id" uuid,
	"case_insensitive_matching" boolean DEFAULT true NOT NULL,
	"show_matched_user" boolean DEFAULT true NOT NULL,
	"enrollment_flow_id" uuid,
	"recovery_flow_id" uuid,
	"passwordless_flow_id" uuid,
	"show_source_labels" boolean DEFAULT false NOT NULL,
	"pretend_user_exists" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_invitation_invitationstage" (
	"stage_ptr_id" uuid PRIMARY KEY NOT NULL,
	"continue_flow_without_invitation" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_invitation_invitation" (
	"invite_uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" varchar(50) NOT NULL,
	"flow_id" uuid,
	"single_use" boolean DEFAULT false NOT NULL,
	"created_by_id" integer,
	"fixed_data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"expires" timestamp with time zone DEFAULT now() + interval '30 minutes' NOT NULL,
	"expiring" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_password_passwordstage" (
	"stage_ptr_id" uuid PRIMARY KEY NOT NULL,
	"backends" text[] DEFAULT '{}'::text[] NOT NULL,
	"configure_flow_id" uuid,
	"failed_attempts_before_cancel" integer DEFAULT 5 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_prompt_promptstage_fields" (
	"promptstage_id" uuid NOT NULL,
	"prompt_id" uuid NOT NULL,
	CONSTRAINT "authentik_stages_prompt_fields_pk" PRIMARY KEY("promptstage_id","prompt_id")
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_prompt_promptstage_validation_policies" (
	"promptstage_id" uuid NOT NULL,
	"policy_id" uuid NOT NULL,
	CONSTRAINT "authentik_stages_prompt_policies_pk" PRIMARY KEY("promptstage_id","policy_id")
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_prompt_promptstage" (
	"stage_ptr_id" uuid PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_prompt_prompt" (
	"prompt_uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"field_key" text NOT NULL,
	"label" text NOT NULL,
	"type" varchar(100) NOT NULL,
	"required" boolean DEFAULT true NOT NULL,
	"placeholder" text DEFAULT '' NOT NULL,
	"initial_value" text DEFAULT '' NOT NULL,
	"sub_text" text DEFAULT '' NOT NULL,
	"order" integer DEFAULT 0 NOT NULL,
	"placeholder_expression" boolean DEFAULT false NOT NULL,
	"initial_value_expression" boolean DEFAULT false NOT NULL,
	CONSTRAINT "authentik_stages_prompt_prompt_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_user_delete_userdeletestage" (
	"stage_ptr_id" uuid PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_user_login_userloginstage" (
	"stage_ptr_id" uuid PRIMARY KEY NOT NULL,
	"session_duration" text DEFAULT 'seconds=0' NOT NULL,
	"terminate_other_sessions" boolean DEFAULT false NOT NULL,
	"remember_me_offset" text DEFAULT 'seconds=0' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_user_logout_userlogoutstage" (
	"stage_ptr_id" uuid PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_stages_user_write_userwritestage" (
	"stage_ptr_id" uuid PRIMARY KEY NOT NULL,
	"user_creation_mode" text DEFAULT 'create_when_required' NOT NULL,
	"create_users_as_inactive" boolean DEFAULT false NOT NULL,
	"create_users_group_id" uuid,
	"user_path_template" text DEFAULT '' NOT NULL,
	"user_type" text DEFAULT 'external' NOT NULL
);
--> statement-breakpoint
ALTER TABLE "authentik_core_application" ADD CONSTRAINT "authentik_core_application_provider_id_authentik_core_provider_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."authentik_core_provider"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_core_authenticatedsession" ADD CONSTRAINT "authentik_core_authenticatedsession_session_key_authentik_core_session_session_key_fk" FOREIGN KEY ("session_key") REFERENCES "public"."authentik_core_session"("session_key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_core_authenticatedsession" ADD CONSTRAINT "authentik_core_authenticatedsession_user_id_authentik_core_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."authentik_core_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_core_group_roles" ADD CONSTRAINT "authentik_core_group_roles_group_id_authentik_core_group_group_uuid_fk" FOREIGN KEY ("group_id") REFERENCES "public"."authentik_core_group"("group_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_core_group_roles" ADD CONSTRAINT "authentik_core_group_roles_role_id_authentik_rbac_role_uuid_fk" FOREIGN KEY ("role_id") REFERENCES "public"."authentik_rbac_role"("uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_core_group" ADD CONSTRAINT "authentik_core_group_parent_id_authentik_core_group_group_uuid_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."authentik_core_group"("group_uuid") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_core_token" ADD CONSTRAINT "authentik_core_token_user_id_authentik_core_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."authentik_core_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_core_userconsent" ADD CONSTRAINT "authentik_core_userconsent_user_id_authentik_core_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."authentik_core_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_core_userconsent" ADD CONSTRAINT "authentik_core_userconsent_application_id_authentik_core_application_pbm_uuid_fk" FOREIGN KEY ("application_id") REFERENCES "public"."authentik_core_application"("pbm_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_core_user_ak_groups" ADD CONSTRAINT "authentik_core_user_ak_groups_user_id_authentik_core_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."authentik_core_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_core_user_ak_groups" ADD CONSTRAINT "authentik_core_user_ak_groups_group_id_authentik_core_group_group_uuid_fk" FOREIGN KEY ("group_id") REFERENCES "public"."authentik_core_group"("group_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_flows_flowstagebinding" ADD CONSTRAINT "authentik_flows_flowstagebinding_target_id_authentik_flows_flow_flow_uuid_fk" FOREIGN KEY ("target_id") REFERENCES "public"."authentik_flows_flow"("flow_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_flows_flowstagebinding" ADD CONSTRAINT "authentik_flows_flowstagebinding_stage_id_authentik_flows_stage_stage_uuid_fk" FOREIGN KEY ("stage_id") REFERENCES "public"."authentik_flows_stage"("stage_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_flows_flowtoken" ADD CONSTRAINT "authentik_flows_flowtoken_token_ptr_id_authentik_core_token_token_uuid_fk" FOREIGN KEY ("token_ptr_id") REFERENCES "public"."authentik_core_token"("token_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_flows_flowtoken" ADD CONSTRAINT "authentik_flows_flowtoken_flow_id_authentik_flows_flow_flow_uuid_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."authentik_flows_flow"("flow_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_policies_dummy_dummypolicy" ADD CONSTRAINT "authentik_policies_dummy_dummypolicy_policy_ptr_id_authentik_policies_policy_policy_uuid_fk" FOREIGN KEY ("policy_ptr_id") REFERENCES "public"."authentik_policies_policy"("policy_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_policies_event_matcher_eventmatcherpolicy" ADD CONSTRAINT "authentik_policies_event_matcher_eventmatcherpolicy_policy_ptr_id_authentik_policies_policy_policy_uuid_fk" FOREIGN KEY ("policy_ptr_id") REFERENCES "public"."authentik_policies_policy"("policy_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_policies_expression_expressionpolicy" ADD CONSTRAINT "authentik_policies_expression_expressionpolicy_policy_ptr_id_authentik_policies_policy_policy_uuid_fk" FOREIGN KEY ("policy_ptr_id") REFERENCES "public"."authentik_policies_policy"("policy_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_policies_expiry_passwordexpirypolicy" ADD CONSTRAINT "authentik_policies_expiry_passwordexpirypolicy_policy_ptr_id_authentik_policies_policy_policy_uuid_fk" FOREIGN KEY ("policy_ptr_id") REFERENCES "public"."authentik_policies_policy"("policy_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_policies_password_passwordpolicy" ADD CONSTRAINT "authentik_policies_password_passwordpolicy_policy_ptr_id_authentik_policies_policy_policy_uuid_fk" FOREIGN KEY ("policy_ptr_id") REFERENCES "public"."authentik_policies_policy"("policy_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_policies_reputation_reputationpolicy" ADD CONSTRAINT "authentik_policies_reputation_reputationpolicy_policy_ptr_id_authentik_policies_policy_policy_uuid_fk" FOREIGN KEY ("policy_ptr_id") REFERENCES "public"."authentik_policies_policy"("policy_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_policies_policybinding" ADD CONSTRAINT "authentik_policies_policybinding_policy_id_authentik_policies_policy_policy_uuid_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."authentik_policies_policy"("policy_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_policies_policybinding" ADD CONSTRAINT "authentik_policies_policybinding_group_id_authentik_core_group_group_uuid_fk" FOREIGN KEY ("group_id") REFERENCES "public"."authentik_core_group"("group_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_policies_policybinding" ADD CONSTRAINT "authentik_policies_policybinding_user_id_authentik_core_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."authentik_core_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_core_provider_property_mappings" ADD CONSTRAINT "authentik_core_provider_property_mappings_provider_id_authentik_core_provider_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."authentik_core_provider"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_core_provider_property_mappings" ADD CONSTRAINT "authentik_core_provider_property_mappings_propertymapping_id_authentik_core_propertymapping_pm_uuid_fk" FOREIGN KEY ("propertymapping_id") REFERENCES "public"."authentik_core_propertymapping"("pm_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_providers_oauth2_accesstoken" ADD CONSTRAINT "authentik_providers_oauth2_accesstoken_provider_id_authentik_providers_oauth2_oauth2provider_provider_ptr_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."authentik_providers_oauth2_oauth2provider"("provider_ptr_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_providers_oauth2_accesstoken" ADD CONSTRAINT "authentik_providers_oauth2_accesstoken_user_id_authentik_core_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."authentik_core_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_providers_oauth2_authorizationcode" ADD CONSTRAINT "authentik_providers_oauth2_authorizationcode_provider_id_authentik_providers_oauth2_oauth2provider_provider_ptr_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."authentik_providers_oauth2_oauth2provider"("provider_ptr_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_providers_oauth2_authorizationcode" ADD CONSTRAINT "authentik_providers_oauth2_authorizationcode_user_id_authentik_core_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."authentik_core_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_providers_oauth2_devicetoken" ADD CONSTRAINT "authentik_providers_oauth2_devicetoken_provider_id_authentik_providers_oauth2_oauth2provider_provider_ptr_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."authentik_providers_oauth2_oauth2provider"("provider_ptr_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_providers_oauth2_devicetoken" ADD CONSTRAINT "authentik_providers_oauth2_devicetoken_user_id_authentik_core_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."authentik_core_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_providers_oauth2_oauth2provider" ADD CONSTRAINT "authentik_providers_oauth2_oauth2provider_provider_ptr_id_authentik_core_provider_id_fk" FOREIGN KEY ("provider_ptr_id") REFERENCES "public"."authentik_core_provider"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_providers_oauth2_oauth2provider" ADD CONSTRAINT "authentik_providers_oauth2_oauth2provider_signing_key_id_authentik_crypto_certificatekeypair_kp_uuid_fk" FOREIGN KEY ("signing_key_id") REFERENCES "public"."authentik_crypto_certificatekeypair"("kp_uuid") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_providers_oauth2_oauth2provider" ADD CONSTRAINT "authentik_providers_oauth2_oauth2provider_encryption_key_id_authentik_crypto_certificatekeypair_kp_uuid_fk" FOREIGN KEY ("encryption_key_id") REFERENCES "public"."authentik_crypto_certificatekeypair"("kp_uuid") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_providers_oauth2_refreshtoken" ADD CONSTRAINT "authentik_providers_oauth2_refreshtoken_provider_id_authentik_providers_oauth2_oauth2provider_provider_ptr_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."authentik_providers_oauth2_oauth2provider"("provider_ptr_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_providers_oauth2_refreshtoken" ADD CONSTRAINT "authentik_providers_oauth2_refreshtoken_user_id_authentik_core_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."authentik_core_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_providers_oauth2_scopemapping" ADD CONSTRAINT "authentik_providers_oauth2_scopemapping_propertymapping_ptr_id_authentik_core_propertymapping_pm_uuid_fk" FOREIGN KEY ("propertymapping_ptr_id") REFERENCES "public"."authentik_core_propertymapping"("pm_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_captcha_captchastage" ADD CONSTRAINT "authentik_stages_captcha_captchastage_stage_ptr_id_authentik_flows_stage_stage_uuid_fk" FOREIGN KEY ("stage_ptr_id") REFERENCES "public"."authentik_flows_stage"("stage_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_consent_consentstage" ADD CONSTRAINT "authentik_stages_consent_consentstage_stage_ptr_id_authentik_flows_stage_stage_uuid_fk" FOREIGN KEY ("stage_ptr_id") REFERENCES "public"."authentik_flows_stage"("stage_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_deny_denystage" ADD CONSTRAINT "authentik_stages_deny_denystage_stage_ptr_id_authentik_flows_stage_stage_uuid_fk" FOREIGN KEY ("stage_ptr_id") REFERENCES "public"."authentik_flows_stage"("stage_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_dummy_dummystage" ADD CONSTRAINT "authentik_stages_dummy_dummystage_stage_ptr_id_authentik_flows_stage_stage_uuid_fk" FOREIGN KEY ("stage_ptr_id") REFERENCES "public"."authentik_flows_stage"("stage_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_email_emailstage" ADD CONSTRAINT "authentik_stages_email_emailstage_stage_ptr_id_authentik_flows_stage_stage_uuid_fk" FOREIGN KEY ("stage_ptr_id") REFERENCES "public"."authentik_flows_stage"("stage_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_identification_identificationstage_sources" ADD CONSTRAINT "authentik_stages_identification_sources_stage_fk" FOREIGN KEY ("identificationstage_id") REFERENCES "public"."authentik_stages_identification_identificationstage"("stage_ptr_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_identification_identificationstage" ADD CONSTRAINT "authentik_stages_identification_identificationstage_stage_ptr_id_authentik_flows_stage_stage_uuid_fk" FOREIGN KEY ("stage_ptr_id") REFERENCES "public"."authentik_flows_stage"("stage_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_identification_identificationstage" ADD CONSTRAINT "authentik_stages_identification_identificationstage_password_stage_id_authentik_flows_stage_stage_uuid_fk" FOREIGN KEY ("password_stage_id") REFERENCES "public"."authentik_flows_stage"("stage_uuid") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_identification_identificationstage" ADD CONSTRAINT "authentik_stages_identification_identificationstage_enrollment_flow_id_authentik_flows_flow_flow_uuid_fk" FOREIGN KEY ("enrollment_flow_id") REFERENCES "public"."authentik_flows_flow"("flow_uuid") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_identification_identificationstage" ADD CONSTRAINT "authentik_stages_identification_identificationstage_recovery_flow_id_authentik_flows_flow_flow_uuid_fk" FOREIGN KEY ("recovery_flow_id") REFERENCES "public"."authentik_flows_flow"("flow_uuid") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_identification_identificationstage" ADD CONSTRAINT "authentik_stages_identification_identificationstage_passwordless_flow_id_authentik_flows_flow_flow_uuid_fk" FOREIGN KEY ("passwordless_flow_id") REFERENCES "public"."authentik_flows_flow"("flow_uuid") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_invitation_invitationstage" ADD CONSTRAINT "authentik_stages_invitation_invitationstage_stage_ptr_id_authentik_flows_stage_stage_uuid_fk" FOREIGN KEY ("stage_ptr_id") REFERENCES "public"."authentik_flows_stage"("stage_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_invitation_invitation" ADD CONSTRAINT "authentik_stages_invitation_invitation_flow_id_authentik_flows_flow_flow_uuid_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."authentik_flows_flow"("flow_uuid") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_invitation_invitation" ADD CONSTRAINT "authentik_stages_invitation_invitation_created_by_id_authentik_core_user_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."authentik_core_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_password_passwordstage" ADD CONSTRAINT "authentik_stages_password_passwordstage_stage_ptr_id_authentik_flows_stage_stage_uuid_fk" FOREIGN KEY ("stage_ptr_id") REFERENCES "public"."authentik_flows_stage"("stage_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_password_passwordstage" ADD CONSTRAINT "authentik_stages_password_passwordstage_configure_flow_id_authentik_flows_flow_flow_uuid_fk" FOREIGN KEY ("configure_flow_id") REFERENCES "public"."authentik_flows_flow"("flow_uuid") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_prompt_promptstage_fields" ADD CONSTRAINT "authentik_stages_prompt_fields_stage_fk" FOREIGN KEY ("promptstage_id") REFERENCES "public"."authentik_stages_prompt_promptstage"("stage_ptr_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_prompt_promptstage_fields" ADD CONSTRAINT "authentik_stages_prompt_fields_prompt_fk" FOREIGN KEY ("prompt_id") REFERENCES "public"."authentik_stages_prompt_prompt"("prompt_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_prompt_promptstage_validation_policies" ADD CONSTRAINT "authentik_stages_prompt_policies_stage_fk" FOREIGN KEY ("promptstage_id") REFERENCES "public"."authentik_stages_prompt_promptstage"("stage_ptr_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_prompt_promptstage_validation_policies" ADD CONSTRAINT "authentik_stages_prompt_policies_policy_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."authentik_policies_policy"("policy_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_prompt_promptstage" ADD CONSTRAINT "authentik_stages_prompt_promptstage_stage_ptr_id_authentik_flows_stage_stage_uuid_fk" FOREIGN KEY ("stage_ptr_id") REFERENCES "public"."authentik_flows_stage"("stage_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_user_delete_userdeletestage" ADD CONSTRAINT "authentik_stages_user_delete_userdeletestage_stage_ptr_id_authentik_flows_stage_stage_uuid_fk" FOREIGN KEY ("stage_ptr_id") REFERENCES "public"."authentik_flows_stage"("stage_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_user_login_userloginstage" ADD CONSTRAINT "authentik_stages_user_login_userloginstage_stage_ptr_id_authentik_flows_stage_stage_uuid_fk" FOREIGN KEY ("stage_ptr_id") REFERENCES "public"."authentik_flows_stage"("stage_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_user_logout_userlogoutstage" ADD CONSTRAINT "authentik_stages_user_logout_userlogoutstage_stage_ptr_id_authentik_flows_stage_stage_uuid_fk" FOREIGN KEY ("stage_ptr_id") REFERENCES "public"."authentik_flows_stage"("stage_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_user_write_userwritestage" ADD CONSTRAINT "authentik_stages_user_write_userwritestage_stage_ptr_id_authentik_flows_stage_stage_uuid_fk" FOREIGN KEY ("stage_ptr_id") REFERENCES "public"."authentik_flows_stage"("stage_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_stages_user_write_userwritestage" ADD CONSTRAINT "authentik_stages_user_write_userwritestage_create_users_group_id_authentik_core_group_group_uuid_fk" FOREIGN KEY ("create_users_group_id") REFERENCES "public"."authentik_core_group"("group_uuid") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "authentik_system_task_expires_idx" ON "authentik_system_task" USING btree ("expires");--> statement-breakpoint
CREATE INDEX "authentik_core_session_expires_idx" ON "authentik_core_session" USING btree ("expires");--> statement-breakpoint
CREATE INDEX "authentik_core_token_key_idx" ON "authentik_core_token" USING btree ("key");--> statement-breakpoint
CREATE INDEX "authentik_core_user_ak_groups_group_idx" ON "authentik_core_user_ak_groups" USING btree ("group_id");--> statement-breakpoint
CREATE INDEX "authentik_core_user_path_idx" ON "authentik_core_user" USING btree ("path");--> statement-breakpoint
CREATE INDEX "authentik_core_user_email_idx" ON "authentik_core_user" USING btree ("email");--> statement-breakpoint
CREATE INDEX "authentik_events_event_action_idx" ON "authentik_events_event" USING btree ("action");--> statement-breakpoint
CREATE INDEX "authentik_events_event_created_idx" ON "authentik_events_event" USING btree ("created");--> statement-breakpoint
CREATE INDEX "authentik_events_event_user_pk_idx" ON "authentik_events_event" USING btree (("user"->>'pk'));--> statement-breakpoint
CREATE INDEX "authentik_events_event_expires_idx" ON "authentik_events_event" USING btree ("expires");--> statement-breakpoint
CREATE INDEX "authentik_flows_flowstagebinding_target_idx" ON "authentik_flows_flowstagebinding" USING btree ("target_id","order");--> statement-breakpoint
CREATE INDEX "authentik_flows_flowstagebinding_stage_idx" ON "authentik_flows_flowstagebinding" USING btree ("stage_id");--> statement-breakpoint
CREATE INDEX "authentik_flows_flowtoken_flow_idx" ON "authentik_flows_flowtoken" USING btree ("flow_id");--> statement-breakpoint
CREATE INDEX "authentik_flows_flow_designation_idx" ON "authentik_flows_flow" USING btree ("designation");--> statement-breakpoint
CREATE INDEX "authentik_policies_reputation_reputation_ip_idx" ON "authentik_policies_reputation_reputation" USING btree ("ip");--> statement-breakpoint
CREATE INDEX "authentik_policies_policybinding_policy_idx" ON "authentik_policies_policybinding" USING btree ("policy_id");--> statement-breakpoint
CREATE INDEX "authentik_policies_policybinding_group_idx" ON "authentik_policies_policybinding" USING btree ("group_id");--> statement-breakpoint
CREATE INDEX "authentik_policies_policybinding_user_idx" ON "authentik_policies_policybinding" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "authentik_policies_policybinding_target_idx" ON "authentik_policies_policybinding" USING btree ("target_id","order");--> statement-breakpoint
CREATE INDEX "authentik_core_provider_property_mappings_pm_idx" ON "authentik_core_provider_property_mappings" USING btree ("propertymapping_id");--> statement-breakpoint
CREATE INDEX "authentik_providers_oauth2_accesstoken_token_idx" ON "authentik_providers_oauth2_accesstoken" USING hash ("token");--> statement-breakpoint
CREATE INDEX "authentik_providers_oauth2_accesstoken_chain_idx" ON "authentik_providers_oauth2_accesstoken" USING btree ("chain");--> statement-breakpoint
CREATE INDEX "authentik_providers_oauth2_authorizationcode_chain_idx" ON "authentik_providers_oauth2_authorizationcode" USING btree ("chain");--> statement-breakpoint
CREATE INDEX "authentik_providers_oauth2_refreshtoken_chain_idx" ON "authentik_providers_oauth2_refreshtoken" USING btree ("chain");--> statement-breakpoint
CREATE INDEX "authentik_stages_invitation_expires_idx" ON "authentik_stages_invitation_invitation" USING btree ("expires");--> statement-breakpoint
CREATE INDEX "authentik_stages_invitation_expiring_idx" ON "authentik_stages_invitation_invitation" USING btree ("expiring");