import { eq, inArray } from 'drizzle-orm';
import type { ModelContext } from '../../api/context.js';
import type { Json, ModelDefinition } from '../../api/model.js';
import { timestampOut } from '../../api/model.js';
import { ValidationError } from '../../api/errors.js';
import { tokens, users } from '../table.js';
import { userModel } from '../users/model.js';
import { generateKey } from '../users/api.js';

export type TokenRow = typeof tokens.$inferSelect;

/** Intents a token may be given through the API; verification and recovery tokens are made by flows only. */
export const API_TOKEN_INTENTS = ['api', 'app_password'];
/** A user attribute that decides whether tokens the user makes for themselves expire (default: they do). */
export const USER_ATTRIBUTE_TOKEN_EXPIRING = 'goauthentik.io/user/token-expires';

/** Python's `str(datetime)`, as authentik's `Token.__str__` shows the expiry. */
function pythonDateTime(value: Date): string {
  return value.toISOString().replace('T', ' ').replace('Z', '+00:00');
}

export function tokenName(row: Pick<TokenRow, 'identifier' | 'expires' | 'intent'>): string {
  return `Token ${row.identifier} (expires=${pythonDateTime(new Date(row.expires))}, intent=${row.intent})`;
}

/** How events and `used_by` refer to a token (authentik's `model_to_dict`). */
export function tokenReference(row: TokenRow): Json {
  return { pk: row.tokenUuid.replace(/-/g, ''), app: 'authentik_core', model_name: 'token', name: tokenName(row) };
}

async function serializeTokens(rows: TokenRow[], ctx: ModelContext): Promise<Json[]> {
  const userIds = [...new Set(rows.map((r) => r.userId))];
  const owners = userIds.length ? await ctx.services.db.select().from(users).where(inArray(users.id, userIds)) : [];
  const rendered = await userModel.serialize(owners, ctx);
  const byId = new Map(owners.map((owner, i) => [owner.id, rendered[i]]));
  // The key is never part of this shape: `view_key` shows it, and records that it did.
  return rows.map((row) => ({
    pk: row.tokenUuid,
    managed: row.managed,
    identifier: row.identifier,
    intent: row.intent,
    user: row.userId,
    user_obj: byId.get(row.userId),
    description: row.description,
    expires: timestampOut(row.expires),
    expiring: row.expiring,
  }));
}

/**
 * authentik's `TokenSerializer.validate` and `TokenViewSet.perform_create`: over HTTP a token belongs to the
 * caller unless a superuser names another user, and only API and app-password tokens are made; a non-superuser
 * always gets their own token, expiring as their `goauthentik.io/user/token-expires` attribute says. Without a
 * request (blueprints) the user and the intent must be given. Like DRF's `validate`, it settles the values the
 * write stores.
 */
async function validateToken(data: Json, ctx: ModelContext, existing: TokenRow | undefined): Promise<void> {
  const creating = !existing;
  if (creating && !ctx.request) {
    if (!('user' in data)) throw ValidationError.nonField('Missing user');
    if (!('intent' in data)) throw ValidationError.nonField('Missing intent');
  }
  if (creating) data.intent ??= 'api';
  if ('intent' in data && !API_TOKEN_INTENTS.includes(String(data.intent))) {
    throw ValidationError.field('intent', `Invalid intent ${String(data.intent)}`);
  }
  if (!ctx.request) return;
  const { principal } = ctx;
  if (principal.isSuperuser) {
    if (creating) data.user ??= principal.id;
    return;
  }
  if ('managed' in data && data.managed !== (existing?.managed ?? null)) {
    throw ValidationError.field('managed', 'Only superusers may mark tokens as managed by authentik.');
  }
  data.user = principal.id;
  if (creating) {
    const [owner] = await ctx.services.db.select({ attributes: users.attributes }).from(users).where(eq(users.id, principal.id));
    data.expiring = owner?.attributes[USER_ATTRIBUTE_TOKEN_EXPIRING] !== false;
  }
}

export const tokenModel: ModelDefinition<TokenRow> = {
  name: 'authentik_core.token',
  verboseName: 'Token',
  verboseNamePlural: 'Tokens',
  table: tokens,
  requestSchema: 'TokenRequest',
  pk: tokens.tokenUuid,
  fields: {
    managed: { column: tokens.managed },
    identifier: { column: tokens.identifier },
    intent: { column: tokens.intent },
    user: { column: tokens.userId },
    description: { column: tokens.description },
    expires: { column: tokens.expires },
    expiring: { column: tokens.expiring },
  },
  blueprintFields: {
    key: {
      columns(value) {
        if (typeof value !== 'string' || !value) throw ValidationError.field('key', 'This field may not be blank.');
        return { key: value };
      },
    },
  },
  displayName: tokenName,
  serialize: serializeTokens,
  validate: validateToken,
  defaults: (_data, ctx) => ({ key: generateKey(ctx.services.config.default_token_length) }),
};
