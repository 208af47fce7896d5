CREATE TABLE "authentik_events_notificationrule_transports" (
	"notificationrule_id" uuid NOT NULL,
	"notificationtransport_id" uuid NOT NULL,
	CONSTRAINT "authentik_events_notificationrule_transports_pk" PRIMARY KEY("notificationrule_id","notificationtransport_id")
);
--> statement-breakpoint
CREATE TABLE "authentik_events_notificationrule" (
	"pbm_uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"severity" text DEFAULT 'notice' NOT NULL,
	"group_id" uuid,
	CONSTRAINT "authentik_events_notificationrule_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "authentik_events_notificationtransport" (
	"uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"mode" text DEFAULT 'local' NOT NULL,
	"webhook_url" text DEFAULT '' NOT NULL,
	"webhook_mapping_id" uuid,
	"send_once" boolean DEFAULT false NOT NULL,
	CONSTRAINT "authentik_events_notificationtransport_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "authentik_events_notificationwebhookmapping" (
	"propertymapping_ptr_id" uuid PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_events_notification" (
	"uuid" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"severity" text NOT NULL,
	"body" text NOT NULL,
	"created" timestamp with time zone DEFAULT now() NOT NULL,
	"event_id" uuid,
	"seen" boolean DEFAULT false NOT NULL,
	"user_id" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_sources_ldap_ldapsourcepropertymapping" (
	"propertymapping_ptr_id" uuid PRIMARY KEY NOT NULL,
	"object_field" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "authentik_providers_saml_samlpropertymapping" (
	"propertymapping_ptr_id" uuid PRIMARY KEY NOT NULL,
	"saml_name" text NOT NULL,
	"friendly_name" text
);
--> statement-breakpoint
CREATE TABLE "authentik_providers_scim_scimmapping" (
	"propertymapping_ptr_id" uuid PRIMARY KEY NOT NULL
);
--> statement-breakpoint
ALTER TABLE "authentik_events_notificationrule_transports" ADD CONSTRAINT "authentik_events_notificationrule_transports_rule_fk" FOREIGN KEY ("notificationrule_id") REFERENCES "public"."authentik_events_notificationrule"("pbm_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_events_notificationrule_transports" ADD CONSTRAINT "authentik_events_notificationrule_transports_transport_fk" FOREIGN KEY ("notificationtransport_id") REFERENCES "public"."authentik_events_notificationtransport"("uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_events_notificationrule" ADD CONSTRAINT "authentik_events_notificationrule_group_id_authentik_core_group_group_uuid_fk" FOREIGN KEY ("group_id") REFERENCES "public"."authentik_core_group"("group_uuid") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_events_notificationtransport" ADD CONSTRAINT "authentik_events_notificationtransport_webhook_mapping_id_authentik_events_notificationwebhookmapping_propertymapping_ptr_id_fk" FOREIGN KEY ("webhook_mapping_id") REFERENCES "public"."authentik_events_notificationwebhookmapping"("propertymapping_ptr_id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_events_notificationwebhookmapping" ADD CONSTRAINT "authentik_events_notificationwebhookmapping_propertymapping_ptr_id_authentik_core_propertymapping_pm_uuid_fk" FOREIGN KEY ("propertymapping_ptr_id") REFERENCES "public"."authentik_core_propertymapping"("pm_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_events_notification" ADD CONSTRAINT "authentik_events_notification_event_id_authentik_events_event_event_uuid_fk" FOREIGN KEY ("event_id") REFERENCES "public"."authentik_events_event"("event_uuid") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_events_notification" ADD CONSTRAINT "authentik_events_notification_user_id_authentik_core_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."authentik_core_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_sources_ldap_ldapsourcepropertymapping" ADD CONSTRAINT "authentik_sources_ldap_ldapsourcepropertymapping_propertymapping_ptr_id_authentik_core_propertymapping_pm_uuid_fk" FOREIGN KEY ("propertymapping_ptr_id") REFERENCES "public"."authentik_core_propertymapping"("pm_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_providers_saml_samlpropertymapping" ADD CONSTRAINT "authentik_providers_saml_samlpropertymapping_propertymapping_ptr_id_authentik_core_propertymapping_pm_uuid_fk" FOREIGN KEY ("propertymapping_ptr_id") REFERENCES "public"."authentik_core_propertymapping"("pm_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authentik_providers_scim_scimmapping" ADD CONSTRAINT "authentik_providers_scim_scimmapping_propertymapping_ptr_id_authentik_core_propertymapping_pm_uuid_fk" FOREIGN KEY ("propertymapping_ptr_id") REFERENCES "public"."authentik_core_propertymapping"("pm_uuid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "authentik_events_notificationrule_transports_transport_idx" ON "authentik_events_notificationrule_transports" USING btree ("notificationtransport_id");--> statement-breakpoint
CREATE INDEX "authentik_events_notificationrule_group_idx" ON "authentik_events_notificationrule" USING btree ("group_id");--> statement-breakpoint
CREATE INDEX "authentik_events_notification_user_idx" ON "authentik_events_notification" USING btree ("user_id","created");--> statement-breakpoint
CREATE INDEX "authentik_events_notification_event_idx" ON "authentik_events_notification" USING btree ("event_id");