import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { eq } from 'drizzle-orm';
import { createRecoveryKey } from '../core/recovery.js';
import { users } from '../core/table.js';
import { safeNext } from './next.js';
import { closeExpressionSandbox, expressionSandbox } from '../expressions/index.js';

function cookieOf(setCookie: string | string[] | number | undefined, name: string): string | undefined {
  const all = Array.isArray(setCookie) ? setCookie : setCookie === undefined ? [] : [String(setCookie)];
  return all.find((c) => c.startsWith(`${name}=`))?.split(';')[0].slice(name.length + 1);
}

describe('web UI serving', () => {
  let t: TestApp;
  let session: string;
  before(async () => {
    assert.equal(spawnSync(process.execPath, ['web/scripts/build.mjs'], { stdio: 'inherit' }).status, 0, 'the UI builds');
    t = await startTestApp();
    const login = await t.inject({ method: 'GET', url: await createRecoveryKey(t.services, 'akadmin', 1) });
    session = cookieOf(login.headers['set-cookie'], 'authentik_session')!;
    assert.ok(session);
  });
  after(async () => {
    await t.close();
    await closeExpressionSandbox();
  });

  it('starts loading the expression sandbox when a flow page is opened, before any stage needs it', async () => {
    await closeExpressionSandbox();
    assert.equal(expressionSandbox().pid, undefined, 'nothing loads the interpreter before');
    const page = await t.inject({ method: 'GET', url: '/if/flow/default-authentication-flow/' });
    assert.equal(page.statusCode, 200);
    assert.ok(expressionSandbox().pid, 'the interpreter is loading');
    await expressionSandbox().warm();
  });

  it('sends an anonymous visitor of / into the authentication flow, back to the user interface afterwards', async () => {
    const res = await t.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 302);
    assert.equal(res.headers.location, '/flows/-/default/authentication/?next=%2Fif%2Fuser%2F');
  });

  it('sends a logged-in visitor of / to the user interface, or to a same-site ?next=', async () => {
    const cookies = { authentik_session: session };
    assert.equal((await t.inject({ method: 'GET', url: '/', cookies })).headers.location, '/if/user/');
    assert.equal((await t.inject({ method: 'GET', url: '/?next=%2Fif%2Fadmin%2F%23%2Fcore%2Fusers%2F', cookies })).headers.location, '/if/admin/#/core/users/');
    for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)']) {
      const res = await t.inject({ method: 'GET', url: `/?next=${encodeURIComponent(next)}`, cookies });
      assert.equal(res.headers.location, '/if/user/', next);
    }
  });

  it('keeps ?next= on this site only', () => {
    const request = { protocol: 'https', host: 'auth.example.test' } as const;
    assert.equal(safeNext('/if/admin/', request), '/if/admin/');
    assert.equal(safeNext('https://auth.example.test/application/o/authorize/?a=1', request), '/application/o/authorize/?a=1');
    assert.equal(safeNext('https://auth.example.test.evil.example/', request), undefined);
    assert.equal(safeNext('http://auth.example.test/', request), undefined);
    assert.equal(safeNext('//evil.example', request), undefined);
    assert.equal(safeNext(undefined, request), undefined);
  });

  it('serves the flow interface to anyone, with a CSRF cookie the page can read', async () => {
    const res = await t.inject({ method: 'GET', url: '/if/flow/default-authentication-flow/?next=%2F' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.match(res.body, /<div id="root">/);
    assert.match(res.body, /\/static\/dist\/assets\/index-[\w-]+\.js/);
    const csrf = (res.headers['set-cookie'] as string[] | string).toString();
    assert.match(csrf, /authentik_csrf=[\w-]{20,}/);
    assert.doesNotMatch(csrf, /HttpOnly/i);
    const again = await t.inject({ method: 'GET', url: '/if/flow/x/', cookies: { authentik_csrf: 'kept' } });
    assert.equal(again.headers['set-cookie'], undefined, 'an existing CSRF cookie is kept');
    const bare = await t.inject({ method: 'GET', url: '/if/flow/x?a=1' });
    assert.equal(bare.headers.location, '/if/flow/x/?a=1');
  });

  it('asks for a login before the user and admin interfaces', async () => {
    for (const name of ['user', 'admin']) {
      const anonymous = await t.inject({ method: 'GET', url: `/if/${name}/` });
      assert.equal(anonymous.statusCode, 302);
      assert.equal(anonymous.headers.location, `/flows/-/default/authentication/?next=%2Fif%2F${name}%2F`);
      const logged = await t.inject({ method: 'GET', url: `/if/${name}/`, cookies: { authentik_session: session } });
      assert.equal(logged.statusCode, 200);
      assert.match(logged.body, /<div id="root">/);
    }
  });

  it("serves the tenant's default brand assets and the hashed bundles", async () => {
    const tenant = await t.api('GET', '/core/tenants/current/', { token: null });
    for (const path of [tenant.body.branding_logo, tenant.body.branding_favicon]) {
      const res = await t.inject({ method: 'GET', url: path });
      assert.equal(res.statusCode, 200, path);
      assert.match(String(res.headers['content-type']), /image\/(svg\+xml|png)/);
    }
    const page = await t.inject({ method: 'GET', url: '/if/flow/x/' });
    const script = page.body.match(/\/static\/dist\/assets\/index-[\w-]+\.js/)![0];
    const bundle = await t.inject({ method: 'GET', url: script });
    assert.equal(bundle.statusCode, 200);
    assert.match(String(bundle.headers['cache-control']), /immutable/);
    assert.equal((await t.inject({ method: 'GET', url: '/static/dist/../../package.json' })).statusCode, 404);
  });

  it('sends the first visitor of a fresh install without a bootstrap password to the initial setup', async () => {
    const [admin] = await t.services.db.select().from(users).where(eq(users.username, 'akadmin'));
    const setPassword = (password: string) => t.services.db.update(users).set({ password }).where(eq(users.id, admin.id));
    await setPassword('');
    try {
      const noFlowYet = await t.inject({ method: 'GET', url: '/' });
      assert.equal(noFlowYet.headers.location, '/flows/-/default/authentication/?next=%2Fif%2Fuser%2F', 'no setup flow, no detour');
      const flow = await t.api('POST', '/flows/instances/', { body: { name: 'setup', slug: 'initial-setup', title: 'Setup', designation: 'stage_configuration' } });
      assert.equal(flow.status, 201);
      assert.equal((await t.inject({ method: 'GET', url: '/' })).headers.location, '/if/flow/initial-setup/?next=%2Fif%2Fadmin%2F');
      await setPassword('!unusable');
      assert.equal((await t.inject({ method: 'GET', url: '/' })).headers.location, '/if/flow/initial-setup/?next=%2Fif%2Fadmin%2F');
    } finally {
      await setPassword(admin.password);
    }
    assert.equal((await t.inject({ method: 'GET', url: '/' })).headers.location, '/flows/-/default/authentication/?next=%2Fif%2Fuser%2F');
  });
});
