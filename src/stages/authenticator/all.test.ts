import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { users } from '../../core/table.js';
import { staticDevices } from '../authenticator_static/table.js';
import { totpDevices } from '../authenticator_totp/table.js';

describe('stages/authenticator: devices of every type', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  it('lists the caller\'s devices, and any user\'s for superusers', async () => {
    const [admin] = await t.services.db.select().from(users).where(eq(users.username, 'akadmin'));
    const other = await t.api('POST', '/core/users/', { body: { username: 'holly', name: 'Holly' } });
    const [phone] = await t.services.db.insert(totpDevices).values({ userId: admin.id, name: 'phone', key: '00'.repeat(20) }).returning();
    const [paper] = await t.services.db.insert(staticDevices).values({ userId: admin.id, name: 'paper' }).returning();
    const [hers] = await t.services.db.insert(staticDevices).values({ userId: other.body.pk, name: 'hers' }).returning();

    const own = await t.api('GET', '/authenticators/all/');
    assert.equal(own.status, 200);
    assert.deepEqual(own.body, [
      {
        verbose_name: 'TOTP Device', verbose_name_plural: 'TOTP Devices', meta_model_name: 'authentik_stages_authenticator_totp.totpdevice',
        pk: phone.id, name: 'phone', type: 'authentik_stages_authenticator_totp.TOTPDevice', confirmed: true,
      },
      {
        verbose_name: 'Static Device', verbose_name_plural: 'Static Devices', meta_model_name: 'authentik_stages_authenticator_static.staticdevice',
        pk: paper.id, name: 'paper', type: 'authentik_stages_authenticator_static.StaticDevice', confirmed: true,
      },
    ]);
    const theirs = await t.api('GET', `/authenticators/admin/all/?user=${other.body.pk}`);
    assert.deepEqual(theirs.body.map((d: { pk: number; name: string }) => [d.pk, d.name]), [[hers.id, 'hers']]);
    assert.equal((await t.api('GET', '/authenticators/admin/all/')).status, 400);
    assert.equal((await t.api('GET', '/authenticators/all/', { token: null })).status, 403);
  });
});
