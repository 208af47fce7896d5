import { boolean, foreignKey, integer, pgTable, serial, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { flows, stages } from '../../flows/table.js';
import { users } from '../../core/table.js';

export const authenticateWebAuthnStages = pgTable('authentik_stages_authenticator_webauthn_authenticatewebauthnstage', {
  stagePtrId: uuid('stage_ptr_id').primaryKey(),
  configureFlowId: uuid('configure_flow_id'),
  friendlyName: text('friendly_name'),
  /** `required`, `preferred` or `discouraged`, as WebAuthn's `userVerification`. */
  userVerification: text('user_verification').notNull().default('preferred'),
  /** `platform` or `cross-platform`; null lets the browser offer either. */
  authenticatorAttachment: text('authenticator_attachment'),
  /** `discouraged`, `preferred` or `required`: whether the credential is a discoverable one (a passkey). */
  residentKeyRequirement: text('resident_key_requirement').notNull().default('preferred'),
}, (t) => [
  // Explicit constraint names: the generated ones pass PostgreSQL's 63 characters and would clash once cut.
  foreignKey({ name: 'authentik_stages_authenticator_webauthn_stage_ptr_fk', columns: [t.stagePtrId], foreignColumns: [stages.stageUuid] }).onDelete('cascade'),
  foreignKey({ name: 'authentik_stages_authenticator_webauthn_configure_flow_fk', columns: [t.configureFlowId], foreignColumns: [flows.flowUuid] }).onDelete('set null'),
]);

/** A user's WebAuthn credential (authentik's `WebAuthnDevice`, on django-otp's `Device` columns). */
export const webAuthnDevices = pgTable('authentik_stages_authenticator_webauthn_webauthndevice', {
  id: serial('id').primaryKey(),
  userId: integer('user_id').notNull(),
  name: varchar('name', { length: 64 }).notNull(),
  confirmed: boolean('confirmed').notNull().default(true),
  /** The credential's COSE public key, base64url encoded. */
  publicKey: text('public_key').notNull(),
  /** The credential id, base64url encoded: one device per credential, whoever's. */
  credentialId: varchar('credential_id', { length: 300 }).notNull().unique('authentik_stages_authenticator_webauthn_credential_id_key'),
  /** The authenticator's signature counter at the last accepted assertion (0 for authenticators without one). */
  signCount: integer('sign_count').notNull().default(0),
  /** The relying party (host name) the credential was made for. */
  rpId: varchar('rp_id', { length: 253 }).notNull(),
  createdOn: timestamp('created_on', { withTimezone: true }).notNull().defaultNow(),
  lastUsed: timestamp('last_used', { withTimezone: true }),
}, (t) => [
  foreignKey({ name: 'authentik_stages_authenticator_webauthn_device_user_fk', columns: [t.userId], foreignColumns: [users.id] }).onDelete('cascade'),
]);
