import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { users } from '../../core/table.js';
import { closeExpressionSandbox } from '../../expressions/index.js';
import { createPolicy, testPolicy } from '../test-helpers.js';

// Runs the real Python sandbox (loaded once for this file).
describe('policies/expression', () => {
  let t: TestApp;
  let user: number;

  before(async () => {
    t = await startTestApp();
    [{ id: user }] = await t.services.db.insert(users).values({ username: 'expr', attributes: { team: 'ops' } }).returning();
  });
  after(async () => {
    await closeExpressionSandbox();
    await t.close();
  });

  it('refuses a syntax error on save with authentik\'s message, and stores a valid expression', async () => {
    const res = await t.api('POST', '/policies/expression/', { body: { name: 'broken', expression: 'return (((' } });
    assert.equal(res.status, 400);
    assert.equal(res.body.expression.length, 1);
    assert.match(res.body.expression[0], /^Expression Syntax Error: '\(' was never closed \(temp-policy, line \d\)$/);
    const policy = await createPolicy(t, 'expression', { name: 'stored', expression: 'return True' });
    assert.equal(policy.expression, 'return True');
    assert.equal(policy.component, 'ak-policy-expression-form');
  });

  it('passes on truthy results, fails on None and falsy ones, with ak_message messages', async () => {
    const run = async (name: string, expression: string, context: Record<string, unknown> = {}) =>
      testPolicy(t, (await createPolicy(t, 'expression', { name, expression })).pk, user, context);
    assert.equal((await run('true', 'return True')).passing, true);
    assert.equal((await run('none', 'return None')).passing, false);
    assert.deepEqual(await run('message', 'ak_message("nope")\nreturn False').then((r) => [r.passing, r.messages]), [false, ['nope']]);
    assert.equal((await run('context', 'return request.context["flag"] == 1', { flag: 1 })).passing, true);
    assert.equal((await run('user', 'return request.user.attributes.get("team") == "ops"')).passing, true);
  });

  it('fails a raising expression with the exception text in messages and logs', async () => {
    const policy = await createPolicy(t, 'expression', { name: 'error', expression: 'ak_logger.info("before")\nraise ValueError("boom")' });
    const result = await testPolicy(t, policy.pk, user);
    assert.equal(result.passing, false);
    assert.deepEqual(result.messages, ['boom']);
    assert.ok(result.log_messages.some((l: { event: string }) => l.event === 'Expression error'));
    assert.ok(result.log_messages.some((l: { event: string }) => l.event === 'before'));
  });
});
