import type { DomainModule } from './domain.js';
import { coreDomain } from './core/index.js';
import { cryptoDomain } from './crypto/index.js';
import { blueprintsDomain } from './blueprints/index.js';
import { policiesDomain } from './policies/index.js';
import { eventsDomain } from './events/index.js';
import { propertyMappingsDomain } from './propertymappings/index.js';
import { providersDomain } from './providers/index.js';
import { oauth2Domain } from './providers/oauth2/index.js';
import { adminDomain } from './admin/index.js';
import { rootDomain } from './root/index.js';
import { webDomain } from './web/index.js';
import { flowsDomain } from './flows/index.js';
import { identificationStageDomain } from './stages/identification/index.js';
import { passwordStageDomain } from './stages/password/index.js';
import { userLoginStageDomain } from './stages/user_login/index.js';
import { userLogoutStageDomain } from './stages/user_logout/index.js';
import { denyStageDomain } from './stages/deny/index.js';
import { dummyStageDomain } from './stages/dummy/index.js';
import { expressionsDomain } from './expressions/index.js';
import { consentStageDomain } from './stages/consent/index.js';
import { emailStageDomain } from './stages/email/index.js';
import { captchaStageDomain } from './stages/captcha/index.js';
import { promptStageDomain } from './stages/prompt/index.js';
import { userWriteStageDomain } from './stages/user_write/index.js';
import { userDeleteStageDomain } from './stages/user_delete/index.js';
import { invitationStageDomain } from './stages/invitation/index.js';
import { authenticatorsDomain } from './stages/authenticator/index.js';
import { authenticatorTotpStageDomain } from './stages/authenticator_totp/index.js';
import { authenticatorStaticStageDomain } from './stages/authenticator_static/index.js';
import { authenticatorValidateStageDomain } from './stages/authenticator_validate/index.js';
import { authenticatorWebAuthnStageDomain } from './stages/authenticator_webauthn/index.js';

/** Every domain, in the order their bootstrap runs. */
export const domains: DomainModule[] = [coreDomain, cryptoDomain, policiesDomain, eventsDomain, propertyMappingsDomain, providersDomain, oauth2Domain, blueprintsDomain, adminDomain, rootDomain, webDomain,
  expressionsDomain, flowsDomain, identificationStageDomain, passwordStageDomain, userLoginStageDomain, userLogoutStageDomain, denyStageDomain, dummyStageDomain,
  consentStageDomain, emailStageDomain, captchaStageDomain,
  promptStageDomain,
  userWriteStageDomain,
  userDeleteStageDomain,
  invitationStageDomain,
  authenticatorsDomain,
  authenticatorTotpStageDomain,
  authenticatorStaticStageDomain,
  authenticatorWebAuthnStageDomain,
  authenticatorValidateStageDomain,
];
