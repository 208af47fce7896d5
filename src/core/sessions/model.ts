import type { ModelContext } from '../../api/context.js';
import type { Json, ModelDefinition } from '../../api/model.js';
import { timestampOut } from '../../api/model.js';
import { authenticatedSessions } from '../table.js';
import { parseUserAgent } from './user-agent.js';

export type AuthenticatedSessionRow = typeof authenticatedSessions.$inferSelect;

async function serializeSessions(rows: AuthenticatedSessionRow[], ctx: ModelContext): Promise<Json[]> {
  return rows.map((row) => ({
    uuid: row.uuid,
    current: Boolean(ctx.principal.sessionKey) && ctx.principal.sessionKey === row.sessionKey,
    user_agent: parseUserAgent(row.lastUserAgent),
    // No GeoIP or ASN databases here (root config offers neither capability).
    geo_ip: null,
    asn: null,
    user: row.userId,
    last_ip: row.lastIp,
    last_user_agent: row.lastUserAgent,
    last_used: timestampOut(row.lastUsed),
    expires: timestampOut(row.expires),
  }));
}

export const authenticatedSessionModel: ModelDefinition<AuthenticatedSessionRow> = {
  name: 'authentik_core.authenticatedsession',
  verboseName: 'Authenticated Session',
  verboseNamePlural: 'Authenticated Sessions',
  table: authenticatedSessions,
  pk: authenticatedSessions.uuid,
  // Sessions are made by logging in, never written through the API.
  fields: {},
  displayName: (row) => `AuthenticatedSession object (${row.uuid})`,
  serialize: serializeSessions,
};

