import { eq, sql } from 'drizzle-orm';
import type { ViewSet } from '../../api/viewset.js';
import { filters } from '../../api/filters.js';
import { authenticatedSessions, users } from '../table.js';
import { createSessionStore } from '../sessions.js';
import { authenticatedSessionModel, type AuthenticatedSessionRow } from './model.js';

const ownerUsername = sql`(select ${users.username} from ${users} where ${users.id} = ${authenticatedSessions.userId})`;

export const authenticatedSessionViewSet: ViewSet<AuthenticatedSessionRow> = {
  model: authenticatedSessionModel,
  path: '/core/authenticated_sessions/',
  lookupParam: 'uuid',
  lookupColumn: authenticatedSessions.uuid,
  lookupType: 'uuid',
  operations: ['list', 'retrieve', 'destroy', 'used_by'],
  // A user sees and ends their own sessions; superusers everyone's.
  scope: (ctx) => eq(authenticatedSessions.userId, ctx.principal.id),
  filters: {
    user__username: (value) => sql`${ownerUsername} = ${value}`,
    last_ip: filters.exact(authenticatedSessions.lastIp),
    last_user_agent: filters.exact(authenticatedSessions.lastUserAgent),
  },
  search: [ownerUsername, authenticatedSessions.lastIp, authenticatedSessions.lastUserAgent],
  ordering: {
    user__username: ownerUsername, uuid: authenticatedSessions.uuid, user: authenticatedSessions.userId, last_ip: authenticatedSessions.lastIp,
    last_user_agent: authenticatedSessions.lastUserAgent, last_used: authenticatedSessions.lastUsed, expires: authenticatedSessions.expires,
  },
  defaultOrdering: ['user__username'],
  async beforeDestroy(tx, row) {
    // Ending the server session logs its browser out; the authenticated session goes with it (cascade).
    await createSessionStore(tx).destroy(row.sessionKey);
  },
};
