import { eq } from 'drizzle-orm';
import { defineStageModel } from '../../flows/models.js';
import { stageTypeViewSet } from '../../flows/api.js';
import { stages } from '../../flows/table.js';
import { deny, next, PLAN_CONTEXT, type PendingUser, type StageContext, type StageResult, type StageType, type UserRow } from '../../flows/stage.js';
import { ErrorCollector } from '../../api/errors.js';
import { groups, userGroups, users } from '../../core/table.js';
import { hashPassword } from '../../core/passwords.js';
import { recordEvent } from '../../events/record.js';
import { sanitizeContext } from '../../events/sanitize.js';
import { exactFilters } from '../../policies/viewsets.js';
import { userWriteStages } from './table.js';

export type UserWriteStageRow = typeof userWriteStages.$inferSelect;

const MODEL = 'authentik_stages_user_write.userwritestage';
const BACKEND_INBUILT = 'authentik.core.auth.InbuiltBackend';
/** Plan context keys other stages and policies set to steer this one (authentik's `PLAN_CONTEXT_*`). */
const PLAN_CONTEXT_GROUPS = 'groups';
const PLAN_CONTEXT_USER_TYPE = 'user_type';
const PLAN_CONTEXT_USER_PATH = 'user_path';
const USER_TYPES = ['internal', 'external', 'service_account', 'internal_service_account'];
/** Keys of `prompt_data` that are never written to a user. */
const DISALLOWED_KEYS = new Set(['groups']);
const FAILED = 'Failed to update user. Please try again later.';

export const userWriteStageModel = defineStageModel<UserWriteStageRow>({
  modelName: MODEL,
  verboseName: 'User Write Stage',
  verboseNamePlural: 'User Write Stages',
  table: userWriteStages,
  link: userWriteStages.stagePtrId,
  requestSchema: 'UserWriteStageRequest',
  fields: {
    user_creation_mode: { column: userWriteStages.userCreationMode },
    create_users_as_inactive: { column: userWriteStages.createUsersAsInactive },
    create_users_group: { column: userWriteStages.createUsersGroupId },
    user_type: { column: userWriteStages.userType },
    user_path_template: { column: userWriteStages.userPathTemplate },
  },
  serialize: (rows) => rows.map((row) => ({
    user_creation_mode: row.userCreationMode,
    create_users_as_inactive: row.createUsersAsInactive,
    create_users_group: row.createUsersGroupId,
    user_type: row.userType,
    user_path_template: row.userPathTemplate,
  })),
  async validate(data, ctx) {
    const errors = new ErrorCollector();
    if (typeof data.create_users_group === 'string') {
      const [group] = await ctx.services.db.select({ id: groups.groupUuid }).from(groups).where(eq(groups.groupUuid, data.create_users_group)).limit(1);
      if (!group) errors.add('create_users_group', `Invalid pk "${data.create_users_group}" - object does not exist.`);
    }
    errors.throwIfAny();
  },
});

/** A user as this stage edits it before saving: a row, or the fields of one about to be created. */
type Draft = Omit<UserRow, 'id' | 'uuid' | 'dateJoined' | 'lastLogin'> & { id?: number };

/** The JSON value as Django would store it in a text column (`str()` of it). */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Django's BooleanField.to_python, for `is_active` set from a prompt. */
function boolean(value: unknown): boolean | undefined {
  if ([true, 1, 't', 'True', '1', 'true'].includes(value as never)) return true;
  if ([false, 0, 'f', 'False', '0', 'false'].includes(value as never)) return false;
  return undefined;
}

/**
 * authentik's `write_attribute`: `attributes.foo.bar` (or `attributes_foo_bar`: every underscore is a dot, as in
 * authentik) sets a nested attribute, creating the dictionaries on the way.
 */
function writeAttribute(attributes: Record<string, unknown>, key: string, value: unknown): void {
  let parts = key.replace(/_/g, '.').split('.');
  if (parts[0] === 'attributes') parts = parts.slice(1);
  if (!parts.length) return;
  let node = attributes;
  for (const part of parts.slice(0, -1)) {
    const child = node[part];
    if (!child || typeof child !== 'object' || Array.isArray(child)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = sanitizeContext({ value }).value;
}

function pendingOf(ctx: StageContext): PendingUser | undefined {
  const pending = ctx.context[PLAN_CONTEXT.PENDING_USER] as PendingUser | undefined;
  return pending && typeof pending === 'object' && pending.pk ? pending : undefined;
}

/** Group ids from the plan's `groups` (uuids or group objects). */
function contextGroups(ctx: StageContext): string[] {
  const value = ctx.context[PLAN_CONTEXT_GROUPS];
  if (!Array.isArray(value)) return [];
  return value.map((g) => (typeof g === 'string' ? g : g && typeof g === 'object' ? String((g as Record<string, unknown>).pk ?? (g as Record<string, unknown>).group_uuid ?? '') : ''))
    .filter(Boolean);
}

/**
 * authentik's UserWriteStageView: writes `prompt_data` onto the pending user (the request's user when there is
 * none), creating a user when there is none or the stage always creates; then the user is the pending user.
 */
async function write(ctx: StageContext<UserWriteStageRow>): Promise<StageResult> {
  const stage = ctx.stage;
  const prompt = ctx.context[PLAN_CONTEXT.PROMPT];
  if (!prompt || typeof prompt !== 'object') {
    ctx.log.debug('No Pending data.');
    return deny('No Pending data.');
  }
  const data: Record<string, unknown> = { ...(prompt as Record<string, unknown>) };
  delete data.component;

  let path = typeof ctx.context[PLAN_CONTEXT_USER_PATH] === 'string' ? ctx.context[PLAN_CONTEXT_USER_PATH] as string : stage.userPathTemplate;
  if (path === '') path = 'users';
  const requested = ctx.context[PLAN_CONTEXT_USER_TYPE];
  let type = typeof requested === 'string' && USER_TYPES.includes(requested) ? requested : stage.userType;
  if (type === 'internal_service_account') type = 'service_account';

  if (ctx.user && !pendingOf(ctx)) ctx.setPendingUser(ctx.user);
  let pending = pendingOf(ctx);
  let draft: Draft | undefined;
  let created = false;
  if (!pending || stage.userCreationMode === 'always_create') {
    if (stage.userCreationMode === 'never_create') {
      ctx.log.info("No user found and can't create new user.");
      return deny("No user found and can't create new user.");
    }
    draft = {
      username: '', name: '', email: '', password: '', passwordChangeDate: new Date(), isActive: !stage.createUsersAsInactive,
      attributes: {}, path, type,
    };
    pending = undefined;
    ctx.context[PLAN_CONTEXT.AUTHENTICATION_BACKEND] = BACKEND_INBUILT;
    created = true;
  } else {
    const [row] = await ctx.services.db.select().from(users).where(eq(users.id, pending.pk!)).limit(1);
    if (!row) return deny("No user found and can't create new user.");
    draft = { ...row, attributes: structuredClone(row.attributes ?? {}) };
  }

  let passwordSet = false;
  for (const [key, value] of Object.entries(data)) {
    if (key === 'password') {
      draft.password = await hashPassword(text(value));
      draft.passwordChangeDate = new Date();
      passwordSet = true;
    } else if (DISALLOWED_KEYS.has(key)) {
      ctx.log.info({ key }, 'discarding key');
    } else if (key === 'attributes') {
      if (value && typeof value === 'object' && !Array.isArray(value)) Object.assign(draft.attributes, sanitizeContext(value as Record<string, unknown>));
      else return deny(FAILED);
    } else if (key.startsWith('attributes.') || key.startsWith('attributes_')) {
      writeAttribute(draft.attributes, key, value);
    } else if (key === 'username' || key === 'name' || key === 'email' || key === 'path' || key === 'type') {
      draft[key] = text(value);
    } else if (key === 'is_active') {
      const active = boolean(value);
      if (active === undefined) return deny(FAILED);
      draft.isActive = active;
    } else {
      ctx.log.info({ key }, 'discarding key');
    }
  }
  if (draft.username === '') {
    ctx.log.warn('Aborting write to empty username');
    return deny();
  }

  let user: UserRow;
  try {
    user = await ctx.services.db.transaction(async (tx) => {
      const values = {
        username: draft.username, name: draft.name, email: draft.email, password: draft.password, passwordChangeDate: draft.passwordChangeDate,
        isActive: draft.isActive, attributes: draft.attributes, path: draft.path, type: draft.type,
      };
      const [row] = draft.id
        ? await tx.update(users).set(values).where(eq(users.id, draft.id)).returning()
        : await tx.insert(users).values(values).returning();
      const groupIds = [...(stage.createUsersGroupId ? [stage.createUsersGroupId] : []), ...contextGroups(ctx)];
      if (groupIds.length) await tx.insert(userGroups).values(groupIds.map((groupId) => ({ userId: row.id, groupId }))).onConflictDoNothing();
      return row;
    });
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message }, 'Failed to save user');
    return deny(FAILED);
  }

  const reference = { app: 'authentik_core', model_name: 'user', pk: user.id, name: user.username };
  await recordEvent(ctx.services, {
    action: created ? 'model_created' : 'model_updated', app: 'authentik.events.middleware', user: ctx.user, request: { ...ctx.http }, context: { model: reference },
  });
  if (passwordSet) await recordEvent(ctx.services, { action: 'password_set', app: 'authentik.events.signals', user });
  await recordEvent(ctx.services, {
    action: 'user_write', app: 'authentik.events.signals', user, request: { ...ctx.http }, context: { ...data, created },
  });
  const previous = ctx.context[PLAN_CONTEXT.PENDING_USER] as PendingUser | undefined;
  ctx.setPendingUser(user, !created && previous?.pk === user.id ? previous.backend : undefined);
  ctx.log.debug({ user: user.username, flow_slug: ctx.flow.slug }, created ? 'Created new user' : 'Updated existing user');
  return next();
}

/** Writes what the flow collected onto the pending user, creating the user when needed. */
export const userWriteStage: StageType<UserWriteStageRow> = {
  modelName: MODEL,
  formComponent: 'ak-stage-user-write-form',
  verboseName: 'User Write Stage',
  verboseNamePlural: 'User Write Stages',
  description: 'Writes currently pending data into the pending user, or if no user exists, creates a new user with the data.',
  model: userWriteStageModel,
  viewSet: {
    ...stageTypeViewSet(userWriteStageModel, '/stages/user_write/'),
    filters: exactFilters({
      name: stages.name,
      stage_uuid: stages.stageUuid,
      create_users_as_inactive: userWriteStages.createUsersAsInactive,
      create_users_group: userWriteStages.createUsersGroupId,
      user_creation_mode: userWriteStages.userCreationMode,
      user_path_template: userWriteStages.userPathTemplate,
      user_type: userWriteStages.userType,
    }),
  },
  view: { challenge: write },
};
