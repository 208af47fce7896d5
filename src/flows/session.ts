import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../api/context.js';
import {
  createSessionStore, CSRF_COOKIE, DEFAULT_SESSION_AGE_SECONDS, newSessionKey, SESSION_COOKIE, type Session, type SessionData, type SessionStore,
} from '../core/sessions.js';

/**
 * The server-side session of one executor request: loaded from the `authentik_session` cookie, created only when
 * something is stored, saved once at the end. Logins move it to a new key; the cookie follows.
 */
export class FlowSession {
  data: SessionData;
  private dirty = false;
  private cookie: 'keep' | 'set' | 'clear' = 'keep';
  /** Seconds the cookie lives; 0 ends it with the browser. */
  private cookieAge = 0;
  private readonly store: SessionStore;
  /** The data as stored, serialized: a request that ends with the same data writes nothing. */
  private stored: string;

  private constructor(private readonly services: Services, private session: Session | undefined) {
    this.store = createSessionStore(services.db);
    this.data = session ? { ...session.data } : {};
    this.stored = JSON.stringify(this.data);
  }

  static async open(services: Services, request: FastifyRequest): Promise<FlowSession> {
    const session = await createSessionStore(services.db).load(request.cookies[SESSION_COOKIE]);
    return new FlowSession(services, session);
  }

  get key(): string | undefined {
    return this.session?.key;
  }

  get userId(): number | undefined {
    return this.data.user_id;
  }

  get(key: string): unknown {
    return this.data[key];
  }

  set(key: string, value: unknown): void {
    this.data[key] = value;
    this.dirty = true;
  }

  delete(key: string): void {
    if (!(key in this.data)) return;
    delete this.data[key];
    this.dirty = true;
  }

  /**
   * Logs a user in (Django's `login`): the same user keeps the session under a new key; another user's session
   * is ended and a fresh one started, keeping only `keep` (the executor's plan). Returns the new key.
   */
  async login(userId: number, ageSeconds: number, keep: string[] = []): Promise<string> {
    const expires = new Date(Date.now() + (ageSeconds > 0 ? ageSeconds : DEFAULT_SESSION_AGE_SECONDS) * 1000);
    if (this.session && this.data.user_id !== undefined && this.data.user_id !== userId) {
      await this.store.destroy(this.session.key);
      this.session = undefined;
      this.data = Object.fromEntries(keep.filter((k) => k in this.data).map((k) => [k, this.data[k]]));
    }
    const wasAuthenticated = this.data.user_id !== undefined;
    this.data.user_id = userId;
    delete this.data.impersonator_id;
    if (this.session) {
      this.session = await this.store.rotate({ ...this.session, data: this.data, expires }, { authenticated: wasAuthenticated });
    } else {
      this.session = await this.store.create(this.data, Math.max(1, Math.round((expires.getTime() - Date.now()) / 1000)));
    }
    this.dirty = false;
    this.stored = JSON.stringify(this.data);
    this.cookie = 'set';
    this.cookieAge = ageSeconds > 0 ? ageSeconds : 0;
    return this.session.key;
  }

  /** Django's `logout`: the session is deleted (its authenticated session with it) and a new one starts empty. */
  async logout(keep: string[] = []): Promise<void> {
    const kept = Object.fromEntries(keep.filter((k) => k in this.data).map((k) => [k, this.data[k]]));
    if (this.session) await this.store.destroy(this.session.key);
    this.session = undefined;
    this.data = kept;
    this.dirty = true;
    this.cookie = 'clear';
    this.cookieAge = 0;
  }

  /** Stores what changed (values are often set again unchanged); a session is created only when there is something to keep. */
  async save(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    if (this.session) {
      const serialized = JSON.stringify(this.data);
      if (serialized === this.stored) return;
      this.session = { ...this.session, data: this.data };
      await this.store.save(this.session);
      this.stored = serialized;
      return;
    }
    if (!Object.keys(this.data).length) return;
    this.session = await this.store.create(this.data);
    this.stored = JSON.stringify(this.data);
    this.cookie = 'set';
  }

  /** Sets, refreshes or clears the cookies on the response. */
  applyCookies(request: FastifyRequest, reply: FastifyReply): void {
    const secure = request.protocol === 'https';
    const domain = this.services.config.cookie_domain || undefined;
    if (this.cookie === 'set' && this.session) {
      reply.setCookie(SESSION_COOKIE, this.session.key, {
        path: '/', httpOnly: true, sameSite: 'lax', secure, domain,
        ...(this.cookieAge > 0 ? { expires: this.session.expires } : {}),
      });
    } else if (this.cookie === 'clear') {
      reply.clearCookie(SESSION_COOKIE, { path: '/', domain });
    }
    // The UI echoes this cookie in `x-authentik-csrf` on unsafe API calls; it is readable on purpose.
    if (!request.cookies[CSRF_COOKIE]) reply.setCookie(CSRF_COOKIE, newSessionKey(), { path: '/', sameSite: 'lax', secure, domain });
  }
}
