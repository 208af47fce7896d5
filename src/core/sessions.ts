import { randomBytes } from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { sessions, authenticatedSessions } from './table.js';

export const SESSION_COOKIE = 'authentik_session';
export const CSRF_COOKIE = 'authentik_csrf';
export const CSRF_HEADER = 'x-authentik-csrf';
/** Django's default session age, which authentik keeps unless a login stage sets another. */
export const DEFAULT_SESSION_AGE_SECONDS = 14 * 24 * 3600;

export interface SessionData {
  /** The logged-in user's id. */
  user_id?: number;
  /** While impersonating: the superuser who started it. */
  impersonator_id?: number;
  [key: string]: unknown;
}

export interface Session {
  key: string;
  data: SessionData;
  expires: Date;
}

export function newSessionKey(): string {
  return randomBytes(32).toString('base64url');
}

/** Server-side sessions in PostgreSQL: the cookie carries only an unguessable key. */
export function createSessionStore(db: Db) {
  return {
    async load(key: string | undefined): Promise<Session | undefined> {
      if (!key || key.length > 64) return undefined;
      const rows = await db.select().from(sessions).where(and(eq(sessions.sessionKey, key), gt(sessions.expires, new Date()))).limit(1);
      if (!rows.length) return undefined;
      return { key, data: rows[0].data as SessionData, expires: rows[0].expires };
    },

    async create(data: SessionData, ageSeconds = DEFAULT_SESSION_AGE_SECONDS): Promise<Session> {
      const session = { key: newSessionKey(), data, expires: new Date(Date.now() + ageSeconds * 1000) };
      await db.insert(sessions).values({ sessionKey: session.key, data: session.data, expires: session.expires });
      return session;
    },

    async save(session: Session): Promise<void> {
      await db.update(sessions).set({ data: session.data, expires: session.expires }).where(eq(sessions.sessionKey, session.key));
    },

    /**
     * Moves a session to a new key, keeping its data: done on every login so that a key planted before
     * authentication is worthless afterwards (no session fixation).
     */
    async rotate(session: Session, { authenticated }: { authenticated: boolean }): Promise<Session> {
      const rotated = { ...session, key: newSessionKey() };
      if (!authenticated) {
        // An anonymous session (every first login) has no authenticated session pointing at its key: moving the
        // key is one statement.
        await db.update(sessions).set({ sessionKey: rotated.key, data: rotated.data, expires: rotated.expires })
          .where(eq(sessions.sessionKey, session.key));
        return rotated;
      }
      await db.transaction(async (tx) => {
        await tx.insert(sessions).values({ sessionKey: rotated.key, data: rotated.data, expires: rotated.expires });
        await tx.update(authenticatedSessions).set({ sessionKey: rotated.key }).where(eq(authenticatedSessions.sessionKey, session.key));
        await tx.delete(sessions).where(eq(sessions.sessionKey, session.key));
      });
      return rotated;
    },

    async destroy(key: string): Promise<void> {
      await db.delete(sessions).where(eq(sessions.sessionKey, key));
    },

    async purgeExpired(): Promise<void> {
      await db.delete(sessions).where(lt(sessions.expires, new Date()));
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
