import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Services } from '../api/context.js';
import { createSessionStore, CSRF_COOKIE, newSessionKey, SESSION_COOKIE } from '../core/sessions.js';
import { INITIAL_SETUP_SLUG, initialSetupPending } from './initial-setup.js';
import { warmExpressionSandbox } from '../expressions/index.js';
import { safeNext } from './next.js';
import { projectPath } from '../lib/project.js';

/** Where `web/scripts/build.mjs` puts the built UI. */
export const WEB_DIST = projectPath('web/dist');
const AUTHENTICATION_FLOW = '/flows/-/default/authentication/';

/** The page every interface shares (Vite's index.html), re-read when a rebuild replaces it. */
function interfacePage() {
  let cached: { mtimeMs: number; html: string } | undefined;
  return (): string | undefined => {
    const file = join(WEB_DIST, 'index.html');
    if (!existsSync(file)) return undefined;
    const { mtimeMs } = statSync(file);
    if (cached?.mtimeMs !== mtimeMs) cached = { mtimeMs, html: readFileSync(file, 'utf8') };
    return cached.html;
  };
}

export function webRoutes(app: FastifyInstance, services: Services): void {
  const page = interfacePage();
  const sessions = createSessionStore(services.db);

  async function loggedIn(request: FastifyRequest): Promise<boolean> {
    const session = await sessions.load(request.cookies[SESSION_COOKIE]);
    return Boolean(session?.data.user_id);
  }

  function sendInterface(request: FastifyRequest, reply: FastifyReply) {
    const html = page();
    if (!html) return reply.code(503).type('text/plain').send('The web UI is not built yet: run `npm install` (or `node web/scripts/build.mjs`).');
    // The UI's API calls echo this cookie in x-authentik-csrf; it is readable by the page on purpose.
    if (!request.cookies[CSRF_COOKIE]) {
      reply.setCookie(CSRF_COOKIE, newSessionKey(), { path: '/', sameSite: 'lax', secure: request.protocol === 'https' });
    }
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
  }

  function toLogin(reply: FastifyReply, next: string) {
    return reply.redirect(`${AUTHENTICATION_FLOW}?next=${encodeURIComponent(next)}`);
  }

  app.register(fastifyStatic, {
    root: WEB_DIST,
    prefix: '/static/dist/',
    decorateReply: false,
    index: false,
    setHeaders(reply, path) {
      // Vite's bundles carry a content hash in their name; the icons and the page do not.
      const hashed = /[-.][A-Za-z0-9_-]{8,}\.(js|css|woff2?|ttf|svg|png)$/.test(path) && !path.includes('/icons/');
      reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'public, max-age=3600');
    },
  });

  app.get<{ Querystring: { next?: string } }>('/', async (request, reply) => {
    const next = safeNext(request.query.next, request);
    if (await loggedIn(request)) return reply.redirect(next ?? '/if/user/');
    // A fresh install without a bootstrap password: the admin sets one first, then lands on the admin console.
    if (await initialSetupPending(services)) return reply.redirect(`/if/flow/${INITIAL_SETUP_SLUG}/?next=${encodeURIComponent(next ?? '/if/admin/')}`);
    return toLogin(reply, next ?? '/if/user/');
  });

  app.get<{ Params: { slug: string } }>('/if/flow/:slug/', async (request, reply) => {
    // The interpreter loads on demand and stops when idle; a person who opens a flow page will soon submit a
    // stage whose policies may be Python (the default login's password binding is), so it loads while they type.
    warmExpressionSandbox(services).catch((err: Error) => services.log.warn({ err: err.message }, 'expression sandbox failed to start'));
    return sendInterface(request, reply);
  });
  app.get<{ Params: { slug: string } }>('/if/flow/:slug', async (request, reply) => {
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    return reply.redirect(`/if/flow/${encodeURIComponent(request.params.slug)}/${query}`);
  });

  for (const name of ['user', 'admin']) {
    app.get(`/if/${name}/`, async (request, reply) => {
      if (!(await loggedIn(request))) return toLogin(reply, `/if/${name}/`);
      return sendInterface(request, reply);
    });
    app.get(`/if/${name}`, async (_request, reply) => reply.redirect(`/if/${name}/`));
  }
}
