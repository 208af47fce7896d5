import { eq, sql } from 'drizzle-orm';
import type { ViewSet } from '../../api/viewset.js';
import { filters } from '../../api/filters.js';
import { ValidationError } from '../../api/errors.js';
import { recordEvent } from '../../events/record.js';
import { tokens, users } from '../table.js';
import { tokenModel, tokenReference, type TokenRow } from './model.js';

const ownerUsername = sql`(select ${users.username} from ${users} where ${users.id} = ${tokens.userId})`;

function parseDateTime(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw ValidationError.field('expires', 'Enter a valid date/time.');
  return date;
}

export const tokenViewSet: ViewSet<TokenRow> = {
  model: tokenModel,
  path: '/core/tokens/',
  lookupParam: 'identifier',
  lookupColumn: tokens.identifier,
  lookupType: 'string',
  requestSchema: 'TokenRequest',
  // authentik's OwnerSuperuserPermissions: superusers see every token, everyone else only their own.
  scope: (ctx) => eq(tokens.userId, ctx.principal.id),
  filters: {
    identifier: filters.exact(tokens.identifier),
    intent: filters.exact(tokens.intent),
    user__username: (value) => sql`${ownerUsername} = ${value}`,
    description: filters.exact(tokens.description),
    expires: (value) => eq(tokens.expires, parseDateTime(value)),
    expiring: filters.boolean(tokens.expiring),
    managed: filters.exact(tokens.managed),
  },
  search: [tokens.identifier, tokens.intent, ownerUsername, tokens.description],
  ordering: {
    pk: tokens.tokenUuid, managed: tokens.managed, identifier: tokens.identifier, intent: tokens.intent, user: tokens.userId,
    description: tokens.description, expires: tokens.expires, expiring: tokens.expiring,
  },
  defaultOrdering: ['identifier', 'expires'],
  actions: [
    {
      method: 'GET', path: 'view_key', detail: true, access: 'scoped',
      async handler(ctx, token) {
        await recordEvent(ctx.services, {
          action: 'secret_view', app: 'authentik.core.api.tokens', user: ctx.principal, request: ctx.request, context: { secret: tokenReference(token!) },
        });
        return { key: token!.key };
      },
    },
    {
      method: 'POST', path: 'set_key', detail: true, access: 'superuser',
      async handler(ctx, token, body) {
        // authentik answers a bare 400 when the key is missing, not a field error.
        if (typeof body.key !== 'string' || !body.key) return { status: 400 };
        const [updated] = await ctx.services.db.update(tokens).set({ key: body.key }).where(eq(tokens.tokenUuid, token!.tokenUuid)).returning();
        await recordEvent(ctx.services, {
          action: 'model_updated', app: 'authentik.core.api.tokens', user: ctx.principal, request: ctx.request, context: { model: tokenReference(updated) },
        });
        return { status: 204 };
      },
    },
  ],
};
