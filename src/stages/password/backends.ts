import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq, gt, or } from 'drizzle-orm';
import type { Services } from '../../api/context.js';
import { tokens, users } from '../../core/table.js';
import { hashPassword, needsRehash, verifyPassword } from '../../core/passwords.js';
import { CLEANSED } from '../../events/sanitize.js';
import { recordEvent } from '../../events/record.js';
import { loginFailed } from '../../policies/reputation/scores.js';
import type { PolicyHttpRequest } from '../../policies/types.js';
import type { UserRow } from '../../flows/stage.js';
import { secretsEqual } from '../../lib/secrets.js';

export const BACKEND_INBUILT = 'authentik.core.auth.InbuiltBackend';
export const BACKEND_APP_PASSWORD = 'authentik.core.auth.TokenBackend';
export const BACKEND_LDAP = 'authentik.sources.ldap.auth.LDAPBackend';

export interface Authenticated {
  user: UserRow;
  backend: string;
  /** authentik's login method (`auth_method`) and its arguments, for the login event. */
  method: string;
  methodArgs: Record<string, unknown>;
}

/** A hash of a password nobody has, so that an unknown username costs as much as a wrong password. */
let decoyHash: Promise<string> | undefined;

/** authentik's `InbuiltBackend` (Django's `ModelBackend`): an active user's password, rehashed when outdated. */
async function inbuilt(services: Services, username: string, password: string, known?: UserRow): Promise<Authenticated | undefined> {
  const [user] = known && known.id && known.username === username
    ? [known]
    : await services.db.select().from(users).where(eq(users.username, username)).limit(1);
  if (!user || !user.password) {
    decoyHash ??= hashPassword('authentik-decoy-password');
    await verifyPassword(password, await decoyHash);
    return undefined;
  }
  if (!(await verifyPassword(password, user.password)) || !user.isActive) return undefined;
  if (needsRehash(user.password)) {
    const rehashed = await hashPassword(password);
    await services.db.update(users).set({ password: rehashed }).where(eq(users.id, user.id));
    user.password = rehashed;
  }
  return { user, backend: BACKEND_INBUILT, method: 'password', methodArgs: {} };
}

/** authentik's `TokenBackend`: an app password (a token of intent `app_password`) of that user, not expired. */
async function appPassword(services: Services, username: string, password: string): Promise<Authenticated | undefined> {
  const [row] = await services.db.select({ user: users, token: tokens }).from(tokens).innerJoin(users, eq(users.id, tokens.userId))
    .where(and(eq(users.username, username), eq(tokens.key, password), eq(tokens.intent, 'app_password'),
      or(eq(tokens.expiring, false), gt(tokens.expires, new Date()))))
    .limit(1);
  if (!row || !row.user.isActive || !secretsEqual(row.token.key, password)) return undefined;
  return { user: row.user, backend: BACKEND_APP_PASSWORD, method: 'app_password', methodArgs: { token: { pk: row.token.tokenUuid, identifier: row.token.identifier } } };
}

export interface AuthenticateOptions {
  services: Services;
  http: PolicyHttpRequest;
  backends: string[];
  username: string;
  password: string;
  /** The row of the user named `username` when the caller has just read it (the flow's pending user). */
  user?: UserRow;
  /** The stage asking, named in the `login_failed` event. */
  stage?: { stageUuid: string; name: string; model: string };
}

/**
 * authentik's `authenticate`: tries each backend in order; when none accepts the credentials it records a
 * `login_failed` event (password masked) and lowers the reputation of the username and the client IP.
 */
export async function authenticate(options: AuthenticateOptions): Promise<Authenticated | undefined> {
  const { services, username, password } = options;
  for (const backend of options.backends) {
    let found: Authenticated | undefined;
    if (backend === BACKEND_INBUILT) found = await inbuilt(services, username, password, options.user);
    else if (backend === BACKEND_APP_PASSWORD) found = await appPassword(services, username, password);
    else services.log.debug({ backend }, 'Backend not available, continuing');
    if (found) return found;
  }
  const stage = options.stage
    ? { pk: options.stage.stageUuid.replace(/-/g, ''), app: options.stage.model.split('.')[0], model_name: options.stage.model.split('.')[1], name: options.stage.name }
    : undefined;
  await recordEvent(services, {
    action: 'login_failed', app: 'authentik.stages.password', request: { ...options.http },
    context: { username, password: CLEANSED, ...(stage ? { stage } : {}) },
  });
  await loginFailed(services, options.http.ip, username);
  return undefined;
}

/** authentik's pause after an unknown identifier (90 to 210 ms), so that timing does not tell who exists. */
export function enumerationDelay(): Promise<void> {
  return sleep(30 * (3 + Math.floor(Math.random() * 5)));
}
