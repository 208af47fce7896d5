import { sql } from 'drizzle-orm';
import {
  pgTable, serial, integer, uuid, varchar, text, boolean, timestamp, jsonb, primaryKey, unique, index,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created', { withTimezone: true }).notNull().defaultNow();
/** authentik's `ExpiringModel.expires`: thirty minutes from creation unless the writer says otherwise. */
const expiresColumn = () => timestamp('expires', { withTimezone: true }).notNull().default(sql`now() + interval '30 minutes'`);
const jsonObject = (name: string) => jsonb(name).$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`);

export const users = pgTable('authentik_core_user', {
  id: serial('id').primaryKey(),
  uuid: uuid('uuid').notNull().unique().defaultRandom(),
  username: varchar('username', { length: 150 }).notNull().unique(),
  name: text('name').notNull().default(''),
  email: varchar('email', { length: 254 }).notNull().default(''),
  /** Django's `algorithm$…` format; empty means no usable password. */
  password: varchar('password', { length: 512 }).notNull().default(''),
  passwordChangeDate: timestamp('password_change_date', { withTimezone: true }).notNull().defaultNow(),
  isActive: boolean('is_active').notNull().default(true),
  lastLogin: timestamp('last_login', { withTimezone: true }),
  dateJoined: timestamp('date_joined', { withTimezone: true }).notNull().defaultNow(),
  attributes: jsonObject('attributes'),
  path: text('path').notNull().default('users'),
  type: text('type').notNull().default('internal'),
}, (t) => [index('authentik_core_user_path_idx').on(t.path), index('authentik_core_user_email_idx').on(t.email)]);

export const groups = pgTable('authentik_core_group', {
  groupUuid: uuid('group_uuid').primaryKey().defaultRandom(),
  numPk: serial('num_pk').notNull().unique(),
  name: varchar('name', { length: 80 }).notNull(),
  isSuperuser: boolean('is_superuser').notNull().default(false),
  parentId: uuid('parent_id').references((): never => groups.groupUuid as never, { onDelete: 'set null' }),
  attributes: jsonObject('attributes'),
}, (t) => [unique('authentik_core_group_name_parent').on(t.name, t.parentId).nullsNotDistinct()]);

export const userGroups = pgTable('authentik_core_user_ak_groups', {
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  groupId: uuid('group_id').notNull().references(() => groups.groupUuid, { onDelete: 'cascade' }),
}, (t) => [primaryKey({ columns: [t.userId, t.groupId] }), index('authentik_core_user_ak_groups_group_idx').on(t.groupId)]);

export const roles = pgTable('authentik_rbac_role', {
  uuid: uuid('uuid').primaryKey().defaultRandom(),
  name: varchar('name', { length: 150 }).notNull().unique(),
});

export const groupRoles = pgTable('authentik_core_group_roles', {
  groupId: uuid('group_id').notNull().references(() => groups.groupUuid, { onDelete: 'cascade' }),
  roleId: uuid('role_id').notNull().references(() => roles.uuid, { onDelete: 'cascade' }),
}, (t) => [primaryKey({ columns: [t.groupId, t.roleId] })]);

/** Base table of every provider type; the subtype tables (later) share its id. */
export const providers = pgTable('authentik_core_provider', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique(),
  /** authentik model name of the subtype, e.g. `authentik_providers_oauth2.oauth2provider`. */
  model: text('model').notNull(),
  authenticationFlow: uuid('authentication_flow_id'),
  authorizationFlow: uuid('authorization_flow_id'),
  backchannelApplication: uuid('backchannel_application_id'),
});

export const applications = pgTable('authentik_core_application', {
  pbmUuid: uuid('pbm_uuid').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  slug: varchar('slug', { length: 50 }).notNull().unique(),
  providerId: integer('provider_id').unique().references(() => providers.id, { onDelete: 'set null' }),
  metaLaunchUrl: text('meta_launch_url').notNull().default(''),
  openInNewTab: boolean('open_in_new_tab').notNull().default(false),
  metaIcon: text('meta_icon'),
  metaDescription: text('meta_description').notNull().default(''),
  metaPublisher: text('meta_publisher').notNull().default(''),
  policyEngineMode: text('policy_engine_mode').notNull().default('any'),
  group: text('group').notNull().default(''),
});

export const tokens = pgTable('authentik_core_token', {
  tokenUuid: uuid('token_uuid').primaryKey().defaultRandom(),
  identifier: varchar('identifier', { length: 255 }).notNull().unique(),
  key: text('key').notNull(),
  intent: text('intent').notNull().default('verification'),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  description: text('description').notNull().default(''),
  expires: expiresColumn(),
  expiring: boolean('expiring').notNull().default(true),
  managed: text('managed').unique(),
  created: createdAt(),
}, (t) => [index('authentik_core_token_key_idx').on(t.key), index('authentik_core_token_expires_idx').on(t.expires)]);

export const tenants = pgTable('authentik_tenants_tenant', {
  tenantUuid: uuid('tenant_uuid').primaryKey().defaultRandom(),
  domain: text('domain').notNull(),
  default: boolean('default').notNull().default(false),
  brandingTitle: text('branding_title').notNull().default('authentik'),
  brandingLogo: text('branding_logo').notNull().default('/static/dist/assets/icons/icon_left_brand.svg'),
  brandingFavicon: text('branding_favicon').notNull().default('/static/dist/assets/icons/icon.png'),
  flowAuthentication: uuid('flow_authentication_id'),
  flowInvalidation: uuid('flow_invalidation_id'),
  flowRecovery: uuid('flow_recovery_id'),
  flowUnenrollment: uuid('flow_unenrollment_id'),
  flowUserSettings: uuid('flow_user_settings_id'),
  flowDeviceCode: uuid('flow_device_code_id'),
  eventRetention: text('event_retention').notNull().default('days=365'),
  webCertificate: uuid('web_certificate_id'),
  attributes: jsonObject('attributes'),
});

/** Server-side session store behind the `authentik_session` cookie. */
export const sessions = pgTable('authentik_core_session', {
  sessionKey: varchar('session_key', { length: 64 }).primaryKey(),
  data: jsonObject('data'),
  expires: timestamp('expires', { withTimezone: true }).notNull(),
}, (t) => [index('authentik_core_session_expires_idx').on(t.expires)]);

export const authenticatedSessions = pgTable('authentik_core_authenticatedsession', {
  uuid: uuid('uuid').primaryKey().defaultRandom(),
  sessionKey: varchar('session_key', { length: 64 }).notNull().unique().references(() => sessions.sessionKey, { onDelete: 'cascade' }),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  lastIp: text('last_ip').notNull().default(''),
  lastUserAgent: text('last_user_agent').notNull().default(''),
  lastUsed: timestamp('last_used', { withTimezone: true }).notNull().defaultNow(),
  expires: expiresColumn(),
  expiring: boolean('expiring').notNull().default(true),
}, (t) => [index('authentik_core_authenticatedsession_expires_idx').on(t.expires)]);

export const userConsents = pgTable('authentik_core_userconsent', {
  id: serial('id').primaryKey(),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  applicationId: uuid('application_id').notNull().references(() => applications.pbmUuid, { onDelete: 'cascade' }),
  permissions: text('permissions').notNull().default(''),
  expires: expiresColumn(),
  expiring: boolean('expiring').notNull().default(true),
}, (t) => [
  unique('authentik_core_userconsent_user_application').on(t.userId, t.applicationId, t.permissions),
  index('authentik_core_userconsent_expires_idx').on(t.expires),
]);

/** One row: this installation's id, which makes user `uid`s unique across installations. */
export const installId = pgTable('authentik_install_id', {
  id: uuid('id').primaryKey().defaultRandom(),
});
