import { eq, sql } from 'drizzle-orm';
import type { ViewSet } from '../../api/viewset.js';
import { filters } from '../../api/filters.js';
import { userConsents, users } from '../table.js';
import { userConsentModel, type UserConsentRow } from './model.js';

const ownerUsername = sql`(select ${users.username} from ${users} where ${users.id} = ${userConsents.userId})`;

export const userConsentViewSet: ViewSet<UserConsentRow> = {
  model: userConsentModel,
  path: '/core/user_consent/',
  lookupParam: 'id',
  lookupColumn: userConsents.id,
  lookupType: 'integer',
  operations: ['list', 'retrieve', 'destroy', 'used_by'],
  // A user sees and withdraws their own consent; superusers everyone's.
  scope: (ctx) => eq(userConsents.userId, ctx.principal.id),
  filters: {
    user: filters.integer(userConsents.userId),
    application: filters.uuid(userConsents.applicationId),
  },
  search: [ownerUsername],
  ordering: {
    pk: userConsents.id, expires: userConsents.expires, user: userConsents.userId, application: userConsents.applicationId,
    permissions: userConsents.permissions,
  },
  defaultOrdering: ['application', 'expires'],
};
