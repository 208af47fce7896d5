import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { applications, users } from '../../core/table.js';
import { policyBindings } from '../table.js';
import { evaluateBindings } from '../engine.js';
import { createPolicy } from '../test-helpers.js';
import { deleteExpiredScores, identificationFailed, loginFailed, loginSucceeded, totalScore, updateScore } from './scores.js';
import { reputations } from './table.js';
import type { UserRow } from '../types.js';

describe('policies/reputation', () => {
  let t: TestApp;
  let mallory: UserRow;

  before(async () => {
    t = await startTestApp();
    [mallory] = await t.services.db.insert(users).values({ username: 'mallory' }).returning();
  });
  after(() => t.close());

  it('keeps one score per (identifier, ip), lowered by failures and raised by successes', async () => {
    await loginFailed(t.services, '198.51.100.1', 'alice');
    await loginFailed(t.services, '198.51.100.1', 'alice');
    await loginSucceeded(t.services, '198.51.100.1', 'alice');
    await identificationFailed(t.services, '198.51.100.2', 'alice');
    assert.equal(await totalScore(t.services, { identifier: 'alice' }), -2);
    assert.equal(await totalScore(t.services, { ip: '198.51.100.1' }), -1);
    const list = await t.api('GET', '/policies/reputation/scores/?identifier=alice');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.results.map((r: { ip: string; score: number }) => [r.ip, r.score]), [['198.51.100.1', -1], ['198.51.100.2', -1]]);
    const one = list.body.results[0];
    assert.equal((await t.api('GET', `/policies/reputation/scores/${one.pk}/`)).body.identifier, 'alice');
    assert.equal((await t.api('GET', `/policies/reputation/scores/${one.pk}/used_by/`)).body.length, 0);
    assert.equal((await t.api('DELETE', `/policies/reputation/scores/${one.pk}/`)).status, 204);
    assert.equal(await totalScore(t.services, { identifier: 'alice' }), -1);
    // Scores are not created over the API; the schema has no such operation to check the answer against.
    assert.equal((await t.api('POST', '/policies/reputation/scores/', { body: {}, unchecked: true })).status, 405);
  });

  it('passes once recorded failures bring the score to the threshold', async () => {
    const policy = await createPolicy(t, 'reputation', { name: 'bad-reputation', threshold: -3 });
    assert.deepEqual([policy.check_ip, policy.check_username, policy.threshold], [true, true, -3]);
    const [app] = await t.services.db.insert(applications).values({ name: 'rep', slug: 'rep-app' }).returning();
    // Bound negated, as admins use it: deny clients with a bad reputation.
    await t.services.db.insert(policyBindings).values({ targetId: app.pbmUuid, order: 0, policyId: policy.pk, negate: true });
    const check = () => evaluateBindings(t.services, { pbmUuid: app.pbmUuid, policyEngineMode: 'all' }, {
      user: mallory, context: {}, httpRequest: { ip: '203.0.113.9', userAgent: 'ua', host: 'localhost' },
    }, { useCache: false });
    assert.equal((await check()).passing, true);
    for (let i = 0; i < 2; i += 1) await loginFailed(t.services, '203.0.113.9', 'mallory');
    assert.equal((await check()).passing, true, 'score -2 is above the threshold');
    await loginFailed(t.services, '203.0.113.10', 'mallory');
    assert.equal((await check()).passing, false, 'username score -3 reaches it');
    await t.api('PATCH', `/policies/reputation/${policy.pk}/`, { body: { check_username: false } });
    assert.equal((await check()).passing, true, 'the IP alone has -2');
  });

  it('forgets expired scores', async () => {
    const id = randomUUID();
    await updateScore(t.services, '192.0.2.50', id, -10);
    await t.services.db.update(reputations).set({ expires: new Date(Date.now() - 1000) });
    assert.equal(await totalScore(t.services, { identifier: id }), 0);
    assert.ok((await deleteExpiredScores(t.services)) >= 1);
    assert.equal((await t.api('GET', `/policies/reputation/scores/?identifier=${id}`)).body.results.length, 0);
  });
});
