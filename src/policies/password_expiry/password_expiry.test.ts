import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { users } from '../../core/table.js';
import { verifyPassword, hashPassword } from '../../core/passwords.js';
import { createPolicy, testPolicy } from '../test-helpers.js';

describe('policies/password_expiry', () => {
  let t: TestApp;
  const DAY = 86400_000;

  async function userChanged(username: string, daysAgo: number) {
    const password = await hashPassword('old-secret', 1000);
    const [row] = await t.services.db.insert(users).values({ username, password, passwordChangeDate: new Date(Date.now() - daysAgo * DAY) }).returning();
    return row;
  }

  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  it('requires days', async () => {
    const res = await t.api('POST', '/policies/password_expiry/', { body: { name: 'no-days' } });
    assert.deepEqual(res.body, { days: ['This field is required.'] });
  });

  it('passes a recent password and denies an old one without touching it when deny_only', async () => {
    const policy = await createPolicy(t, 'password_expiry', { name: 'deny-only', days: 30, deny_only: true });
    assert.equal(policy.deny_only, true);
    const fresh = await userChanged('fresh', 3);
    assert.equal((await testPolicy(t, policy.pk, fresh.id)).passing, true);
    const stale = await userChanged('stale-deny', 45);
    const res = await testPolicy(t, policy.pk, stale.id);
    assert.equal(res.passing, false);
    assert.deepEqual(res.messages, ['Password has expired.']);
    const [after] = await t.services.db.select().from(users).where(eq(users.id, stale.id));
    assert.equal(await verifyPassword('old-secret', after.password), true);
  });

  it('makes an expired password unusable otherwise', async () => {
    const policy = await createPolicy(t, 'password_expiry', { name: 'expire', days: 30 });
    const stale = await userChanged('stale-expire', 40);
    const res = await testPolicy(t, policy.pk, stale.id);
    assert.equal(res.passing, false);
    assert.deepEqual(res.messages, ['Password expired 10 days ago. Please update your password.']);
    const [after] = await t.services.db.select().from(users).where(eq(users.id, stale.id));
    assert.match(after.password, /^!/);
    assert.equal(await verifyPassword('old-secret', after.password), false);
  });
});
