import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { recordEvent } from '../../events/record.js';
import { createUserWithToken, type TestUser } from '../tokens/testing.js';
import { formatLaunchUrl, iconUrl } from './model.js';
import { isUnsafeMediaName, sniffImage } from './icons.js';
import { mediaPath } from '../../config/index.js';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('0000000d49484452', 'hex'), Buffer.alloc(32, 1)]);

function multipart(parts: { name: string; filename?: string; type?: string; value: string | Buffer }[]) {
  const boundary = '----akts-test-boundary';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${part.type ? `Content-Type: ${part.type}\r\n` : ''}\r\n`));
    chunks.push(Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('core/applications', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  before(async () => {
    t = await startTestApp();
    alice = await createUserWithToken(t, 'alice');
    bob = await createUserWithToken(t, 'bob');
  });
  after(() => t.close());

  it('creates, reads, updates and deletes an application', async () => {
    const created = await t.api('POST', '/core/applications/', { body: { name: 'Wiki', slug: 'wiki', meta_launch_url: '', group: 'Docs' } });
    assert.equal(created.status, 201);
    assert.equal(created.body.provider, null);
    assert.equal(created.body.provider_obj, null);
    assert.deepEqual(created.body.backchannel_providers_obj, []);
    assert.equal(created.body.launch_url, null);
    assert.equal(created.body.meta_icon, null);
    assert.equal(created.body.policy_engine_mode, 'any');
    const patched = await t.api('PATCH', '/core/applications/wiki/', { body: { meta_launch_url: 'https://wiki.test/?user=%(username)s', policy_engine_mode: 'all' } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.launch_url, 'https://wiki.test/?user=akadmin');
    assert.equal(patched.body.group, 'Docs');
    const other = await t.api('POST', '/core/applications/', { body: { name: 'Gone', slug: 'gone' } });
    assert.equal(other.status, 201);
    assert.equal((await t.api('DELETE', '/core/applications/gone/')).status, 204);
    assert.equal((await t.api('GET', '/core/applications/gone/')).status, 404);
  });

  it('refuses bad input with field errors', async () => {
    const dup = await t.api('POST', '/core/applications/', { body: { name: 'Wiki 2', slug: 'wiki' } });
    assert.deepEqual([dup.status, dup.body], [400, { slug: ['Application with this slug already exists.'] }]);
    const bad = await t.api('POST', '/core/applications/', { body: { name: '', slug: 'not a slug', meta_launch_url: 'nope', provider: 424242 } });
    assert.equal(bad.status, 400);
    assert.deepEqual(Object.keys(bad.body).sort(), ['meta_launch_url', 'name', 'slug']);
    const provider = await t.api('POST', '/core/applications/', { body: { name: 'P', slug: 'p', provider: 424242 } });
    assert.deepEqual([provider.status, provider.body], [400, { provider: ['Invalid pk "424242" - object does not exist.'] }]);
    const backchannel = await t.api('POST', '/core/applications/', { body: { name: 'B', slug: 'b', backchannel_providers: [424242] } });
    assert.deepEqual([backchannel.status, backchannel.body], [400, { backchannel_providers: ['Invalid pk "424242" - object does not exist.'] }]);
  });

  it('formats launch URLs as authentik does, leaving what Python would refuse', () => {
    const user = { id: 7, username: 'ann', name: 'Ann', email: 'ann@example.test', password: 'pbkdf2_sha256$secret' } as never;
    assert.equal(formatLaunchUrl('https://a.test/%(username)s/%(id)d?m=%(email)s', user), 'https://a.test/ann/7?m=ann@example.test');
    assert.equal(formatLaunchUrl('https://a.test/100%%', user), 'https://a.test/100%');
    assert.equal(formatLaunchUrl('https://a.test/a%20b/%(username)s', user), 'https://a.test/a%20b/%(username)s');
    assert.equal(formatLaunchUrl('https://a.test/%(password)s', user), 'https://a.test/%(password)s');
    assert.equal(formatLaunchUrl('https://a.test/%(username)s', undefined), 'https://a.test/%(username)s');
    assert.equal(iconUrl('https://cdn.test/x.png'), 'https://cdn.test/x.png');
    assert.equal(iconUrl('/static/dist/x.png'), '/static/dist/x.png');
    assert.equal(iconUrl('application-icons/my icon.png'), '/media/application-icons/my%20icon.png');
    assert.equal(iconUrl(null), null);
  });

  it('lists for everyone the applications their policies allow, keeping authentik\'s count', async () => {
    const secret = await t.api('POST', '/core/applications/', { body: { name: 'Secret', slug: 'secret', meta_launch_url: 'https://secret.test' } });
    const binding = await t.api('POST', '/policies/bindings/', { body: { target: secret.body.pk, user: alice.pk, order: 0 } });
    assert.equal(binding.status, 201);
    const forAlice = await t.api('GET', '/core/applications/', { token: alice.token });
    assert.equal(forAlice.status, 200);
    assert.deepEqual(forAlice.body.results.map((a: { slug: string }) => a.slug), ['secret', 'wiki']);
    const forBob = await t.api('GET', '/core/applications/?superuser_full_list=true', { token: bob.token });
    assert.deepEqual(forBob.body.results.map((a: { slug: string }) => a.slug), ['wiki']);
    assert.equal(forBob.body.pagination.count, 2);
    const admin = await t.api('GET', '/core/applications/');
    assert.deepEqual(admin.body.results.map((a: { slug: string }) => a.slug), ['wiki']);
    const full = await t.api('GET', '/core/applications/?superuser_full_list=true');
    assert.deepEqual(full.body.results.map((a: { slug: string }) => a.slug), ['secret', 'wiki']);
    const asAlice = await t.api('GET', `/core/applications/?for_user=${alice.pk}`);
    assert.deepEqual(asAlice.body.results.map((a: { slug: string }) => a.slug), ['secret', 'wiki']);
    const notYours = await t.api('GET', `/core/applications/?for_user=${alice.pk}`, { token: bob.token });
    assert.deepEqual([notYours.status, notYours.body], [400, { for_user: 'User not found' }]);
    assert.equal((await t.api('GET', '/core/applications/?for_user=abc')).status, 400);
    const launchable = await t.api('GET', '/core/applications/?only_with_launch_url=true&ordering=-name', { token: alice.token });
    assert.deepEqual(launchable.body.results.map((a: { slug: string }) => a.slug), ['wiki', 'secret']);
    const searched = await t.api('GET', '/core/applications/?search=secr&superuser_full_list=true');
    assert.deepEqual(searched.body.results.map((a: { slug: string }) => a.slug), ['secret']);
  });

  it('keeps reading and changing single applications to superusers', async () => {
    assert.equal((await t.api('GET', '/core/applications/wiki/', { token: alice.token })).status, 403);
    assert.equal((await t.api('POST', '/core/applications/', { token: alice.token, body: { name: 'Mine', slug: 'mine' } })).status, 403);
    assert.equal((await t.api('DELETE', '/core/applications/wiki/', { token: alice.token })).status, 403);
    assert.equal((await t.api('GET', '/core/applications/wiki/metrics/', { token: alice.token })).status, 403);
    assert.equal((await t.api('POST', '/core/applications/wiki/set_icon_url/', { token: alice.token, body: { url: 'https://x.test/i.png' } })).status, 403);
  });

  it('checks access for the caller, and for any user when a superuser asks', async () => {
    const bobs = await t.api('GET', '/core/applications/secret/check_access/', { token: bob.token });
    assert.deepEqual([bobs.status, bobs.body], [200, { passing: false, messages: [], log_messages: [] }]);
    const alices = await t.api('GET', '/core/applications/secret/check_access/', { token: alice.token });
    assert.equal(alices.body.passing, true);
    const forBob = await t.api('GET', `/core/applications/secret/check_access/?for_user=${bob.pk}`);
    assert.equal(forBob.body.passing, false);
    assert.ok(Array.isArray(forBob.body.log_messages));
    // A non-superuser's for_user is ignored: they learn only about themselves.
    const ignored = await t.api('GET', `/core/applications/secret/check_access/?for_user=${alice.pk}`, { token: bob.token });
    assert.equal(ignored.body.passing, false);
    const numeric = await t.api('GET', '/core/applications/secret/check_access/?for_user=x');
    assert.deepEqual([numeric.status, numeric.body], [400, { for_user: 'for_user must be numerical' }]);
    const missing = await t.api('GET', '/core/applications/secret/check_access/?for_user=999999');
    assert.deepEqual([missing.status, missing.body], [400, { for_user: 'User not found' }]);
    const none = await t.api('GET', '/core/applications/nothing-here/check_access/', { unchecked: true });
    assert.equal(none.status, 404);
  });

  it('charts authorizations over the last week', async () => {
    const empty = await t.api('GET', '/core/applications/wiki/metrics/');
    assert.equal(empty.status, 200);
    assert.equal(empty.body.length, 22);
    assert.ok(empty.body.every((p: { y_cord: number }) => p.y_cord === 0));
    assert.ok(empty.body[0].x_cord > Date.now());
    const secret = (await t.api('GET', '/core/applications/secret/?superuser_full_list=true')).body;
    await recordEvent(t.services, { action: 'authorize_application', user: { id: alice.pk, username: 'alice' }, context: { authorized_application: { pk: secret.pk.replace(/-/g, ''), app: 'authentik_core', model_name: 'application', name: 'Secret' } } });
    const counted = await t.api('GET', '/core/applications/secret/metrics/');
    assert.equal(counted.body[1].y_cord, 1);
    assert.equal(counted.body.reduce((sum: number, p: { y_cord: number }) => sum + p.y_cord, 0), 1);
    assert.equal((await t.api('GET', '/core/applications/wiki/metrics/')).body[1].y_cord, 0);
  });

  it('sets an icon by URL, refusing paths out of the media folder', async () => {
    const set = await t.api('POST', '/core/applications/wiki/set_icon_url/', { body: { url: 'https://cdn.test/wiki.png' } });
    assert.equal(set.status, 200);
    assert.equal((await t.api('GET', '/core/applications/wiki/')).body.meta_icon, 'https://cdn.test/wiki.png');
    assert.equal((await t.api('POST', '/core/applications/wiki/set_icon_url/', { body: {} })).status, 400);
    assert.equal((await t.api('POST', '/core/applications/wiki/set_icon_url/', { body: { url: '../../secret_key' } })).status, 400);
    assert.equal((await t.api('GET', '/core/applications/wiki/')).body.meta_icon, 'https://cdn.test/wiki.png');
    for (const name of ['../x', 'a/../../x', '.hidden', 'a//b', '/etc/passwd', 'a\\b']) assert.equal(isUnsafeMediaName(name), true, name);
    assert.equal(isUnsafeMediaName('application-icons/wiki.png'), false);
  });

  it('uploads an icon, serves it under /media/ and clears it', async () => {
    const upload = multipart([{ name: 'file', filename: '../../Wiki Logo.PNG', type: 'text/plain', value: PNG }]);
    const res = await t.api('POST', '/core/applications/wiki/set_icon/', upload);
    assert.equal(res.status, 200);
    const icon = (await t.api('GET', '/core/applications/wiki/')).body.meta_icon;
    assert.equal(icon, '/media/application-icons/Wiki_Logo.png');
    const stored = join(mediaPath(t.config), 'application-icons', 'Wiki_Logo.png');
    assert.deepEqual(readFileSync(stored), PNG);
    const served = await t.inject({ method: 'GET', url: icon });
    assert.equal(served.statusCode, 200);
    assert.equal(served.headers['content-type'], 'image/png');
    assert.equal(served.headers['x-content-type-options'], 'nosniff');
    assert.deepEqual(served.rawPayload, PNG);
    // A second upload of the same name gets a name of its own.
    await t.api('POST', '/core/applications/secret/set_icon/', multipart([{ name: 'file', filename: 'Wiki Logo.png', value: PNG }]));
    const second = (await t.api('GET', '/core/applications/secret/')).body.meta_icon as string;
    assert.match(second, /^\/media\/application-icons\/Wiki_Logo_[0-9a-f]{7}\.png$/);

    const cleared = await t.api('POST', '/core/applications/wiki/set_icon/', multipart([{ name: 'clear', value: 'true' }]));
    assert.equal(cleared.status, 200);
    assert.equal((await t.api('GET', '/core/applications/wiki/')).body.meta_icon, null);
    assert.equal(existsSync(stored), false);
  });

  it('refuses uploads that are not images, or not multipart, or not from a superuser', async () => {
    const script = multipart([{ name: 'file', filename: 'icon.png', type: 'image/png', value: '<html><script>alert(1)</script></html>' }]);
    assert.equal((await t.api('POST', '/core/applications/wiki/set_icon/', script)).status, 400);
    assert.equal((await t.api('POST', '/core/applications/wiki/set_icon/', multipart([{ name: 'clear', value: 'false' }]))).status, 400);
    const json = await t.api('POST', '/core/applications/wiki/set_icon/', { body: { clear: true }, unchecked: true });
    assert.equal(json.status, 415);
    const asAlice = await t.api('POST', '/core/applications/wiki/set_icon/', { ...multipart([{ name: 'file', filename: 'a.png', value: PNG }]), token: alice.token });
    assert.equal(asAlice.status, 403);
    assert.equal((await t.api('POST', '/core/applications/none/set_icon/', { ...multipart([{ name: 'clear', value: 'true' }]), unchecked: true })).status, 404);
    assert.equal(sniffImage(Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>')), 'svg');
    assert.equal(sniffImage(Buffer.from('GIF89a......')), 'gif');
    assert.equal(sniffImage(Buffer.from('%PDF-1.4')), undefined);
  });

  it('serves nothing outside the media folder, nor hidden or unknown files', async () => {
    writeFileSync(join(t.config.data_dir, 'outside.png'), PNG);
    mkdirSync(join(mediaPath(t.config), 'application-icons'), { recursive: true });
    writeFileSync(join(mediaPath(t.config), 'application-icons', 'notes.txt'), 'private');
    writeFileSync(join(mediaPath(t.config), 'application-icons', '.hidden.png'), PNG);
    for (const url of ['/media/../outside.png', '/media/..%2Foutside.png', '/media/%2e%2e/outside.png', '/media/application-icons/notes.txt',
      '/media/application-icons/.hidden.png', '/media/application-icons/missing.png', '/media/']) {
      const res = await t.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 404, url);
    }
  });

  it('lists the bindings that use an application and removes them with it', async () => {
    const used = await t.api('GET', '/core/applications/secret/used_by/');
    assert.equal(used.status, 200);
    assert.deepEqual(used.body.map((u: { model_name: string }) => u.model_name), ['policybinding']);
    assert.equal((await t.api('DELETE', '/core/applications/secret/')).status, 204);
    const bindings = await t.api('GET', '/policies/bindings/');
    assert.equal(bindings.body.results.filter((b: { user: number | null }) => b.user === alice.pk).length, 0);
  });
});
