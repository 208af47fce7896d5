import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { defineBench } from '../registry.js';
import { median, timeIt } from '../lib/proc.js';
import { hashPassword, verifyPassword, PBKDF2_ITERATIONS } from '../../src/core/passwords.js';
import type { BenchContext } from '../lib/context.js';

const pbkdf2Async = promisify(pbkdf2);
const SALT = 'benchsaltbenchsalt1234';
const hashOnce = () => pbkdf2Async('password', SALT, PBKDF2_ITERATIONS, 32, 'sha256');
const FLOW = 'default-authentication-flow';

/**
 * Logs akadmin in through the flow executor API as authentik's web UI does: identification, then password,
 * until the flow redirects. Returns null while the server has no such flow (the flows are not built yet).
 */
async function loginThroughFlow(ctx: BenchContext, base: string): Promise<{ login: number; hash: number } | null> {
  const url = `${base}/api/v3/flows/executor/${FLOW}/?query=`;
  const cookies = new Map<string, string>();
  const request = async (target: string, body?: Record<string, unknown>) => {
    const headers: Record<string, string> = { accept: 'application/json', cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    const csrf = cookies.get('authentik_csrf');
    if (csrf) headers['x-authentik-csrf'] = csrf;
    if (body) headers['content-type'] = 'application/json';
    const response = await fetch(target, { method: body ? 'POST' : 'GET', headers, body: body ? JSON.stringify(body) : undefined, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    return response;
  };
  // The executor answers a passed stage with a redirect to itself, which the browser follows with its cookies.
  const send = async (body?: Record<string, unknown>) => {
    let response = await request(url, body);
    for (let hops = 0; response.status >= 301 && response.status <= 308 && hops < 10; hops++) {
      await response.arrayBuffer();
      response = await request(new URL(response.headers.get('location') ?? '', url).toString());
    }
    return { status: response.status, challenge: response.ok ? ((await response.json()) as Record<string, unknown>) : null };
  };
  const login = async () => {
    let { status, challenge } = await send();
    for (let step = 0; step < 6 && challenge; step++) {
      switch (challenge.component) {
        case 'ak-stage-identification':
          ({ status, challenge } = await send({ component: challenge.component, uid_field: 'akadmin', ...(challenge.password_fields ? { password: ctx.password } : {}) }));
          break;
        case 'ak-stage-password':
          ({ status, challenge } = await send({ component: challenge.component, password: ctx.password }));
          break;
        case 'xak-flow-redirect':
          return true;
        default:
          throw new Error(`login flow: unexpected challenge ${JSON.stringify(challenge).slice(0, 300)}`);
      }
    }
    if (status === 404) return false;
    throw new Error(`login flow ended without a redirect (HTTP ${status})`);
  };
  if (!(await login())) return null;
  // Logins alternate with the baseline's hash, so that both see the same machine: on a shared VM one hash takes
  // 160 ms one minute and 280 ms the next, and a baseline measured apart would compare different machines.
  const logins: number[] = [];
  const hashes: number[] = [];
  for (let i = 0; i < 7; i++) {
    hashes.push(await timeIt(hashOnce, 1, 0));
    logins.push(await timeIt(async () => {
      cookies.clear();
      await login();
    }, 1, 0));
  }
  return { login: median(logins), hash: median(hashes) };
}


/** Password login cost: one PBKDF2 hash at authentik's work factor is the floor; a login may add little to it. */
export default defineBench({
  id: 'password',
  title: 'Password login',
  async run(ctx, emit) {
    const stored = await hashPassword('correct horse');
    // Alternated, so that both see the same machine: they cost the same hash and differ only by noise.
    const hashes: number[] = [];
    const verifies: number[] = [];
    for (let i = 0; i < 7; i++) {
      hashes.push(await timeIt(hashOnce, 1, i === 0 ? 1 : 0));
      verifies.push(await timeIt(() => verifyPassword('correct horse', stored), 1, i === 0 ? 1 : 0));
    }
    const baseline = { label: `one pbkdf2_sha256 (${PBKDF2_ITERATIONS})`, value: median(hashes) };
    emit({ name: 'verifyPassword (core/passwords.ts)', value: median(verifies), unit: 'ms', baseline, limit: { maxRatio: 1.3 } });

    const name = `login through ${FLOW} (HTTP)`;
    try {
      const server = await ctx.embedded();
      await ctx.idle(server);
      const measured = await loginThroughFlow(ctx, server.base);
      if (measured === null) emit({ name, value: null, unit: 'ms', baseline, limit: { maxRatio: 1.3 }, note: 'no flow executor yet: bench/cases/password.ts measures it once /api/v3/flows/executor/ answers' });
      else emit({ name, value: measured.login, unit: 'ms', baseline: { label: `${baseline.label}, alternated with the logins`, value: measured.hash }, limit: { maxRatio: 1.3 } });
    } catch (err) {
      emit({ name, value: null, unit: 'ms', note: (err as Error).message });
    }
  },
});
