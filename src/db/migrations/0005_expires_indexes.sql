CREATE INDEX "authentik_core_authenticatedsession_expires_idx" ON "authentik_core_authenticatedsession" USING btree ("expires");--> statement-breakpoint
CREATE INDEX "authentik_core_token_expires_idx" ON "authentik_core_token" USING btree ("expires");--> statement-breakpoint
CREATE INDEX "authentik_core_userconsent_expires_idx" ON "authentik_core_userconsent" USING btree ("expires");--> statement-breakpoint
CREATE INDEX "authentik_policies_reputation_reputation_expires_idx" ON "authentik_policies_reputation_reputation" USING btree ("expires");--> statement-breakpoint
CREATE INDEX "authentik_providers_oauth2_accesstoken_expires_idx" ON "authentik_providers_oauth2_accesstoken" USING btree ("expires");--> statement-breakpoint
CREATE INDEX "authentik_providers_oauth2_authorizationcode_expires_idx" ON "authentik_providers_oauth2_authorizationcode" USING btree ("expires");--> statement-breakpoint
CREATE INDEX "authentik_providers_oauth2_devicetoken_expires_idx" ON "authentik_providers_oauth2_devicetoken" USING btree ("expires");--> statement-breakpoint
CREATE INDEX "authentik_providers_oauth2_refreshtoken_expires_idx" ON "authentik_providers_oauth2_refreshtoken" USING btree ("expires");