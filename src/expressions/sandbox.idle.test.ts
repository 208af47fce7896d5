import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Services } from '../api/context.js';
import { loadConfig } from '../config/index.js';
import { closeExpressionSandbox, evaluateExpression, expressionSandbox, expressionsDomain } from './index.js';

// A short idle timeout, so that the stop comes by itself; the tests wait for the process to exit, never a fixed time.
const config = loadConfig({ AUTHENTIK_EXPRESSIONS__IDLE_TIMEOUT: '0.05' });
const services = { config, log: pino({ level: 'silent' }), installId: 'test-install', startedAt: new Date() } as unknown as Services;
const run = (source: string) => evaluateExpression(services, source);

/** An idle sandbox holds no event loop (by design): keep the test's alive while it waits for the stop. */
async function stopped(): Promise<void> {
  const hold = setInterval(() => {}, 1000);
  try {
    await expressionSandbox().processExited();
  } finally {
    clearInterval(hold);
  }
}

describe('expressions: the sandbox process comes and goes', () => {
  let stop: (() => Promise<void>) | undefined;
  after(async () => {
    await stop?.();
    await closeExpressionSandbox();
  });

  it('is not loaded when the server starts, only on the first expression', async () => {
    assert.equal(config.expressions.preload, false);
    stop = expressionsDomain.start(services);
    assert.equal(expressionSandbox().pid, undefined);
    assert.equal((await run('return 6 * 7')).result, 42);
  });

  it('stops after the idle timeout and evaluates again in a new process', async () => {
    assert.equal((await run('return "warm"')).result, 'warm');
    const first = expressionSandbox().pid;
    assert.ok(first);
    await stopped();
    assert.equal(expressionSandbox().pid, undefined);
    const again = await run('ak_message("hello")\nreturn {"sum": sum(range(5))}');
    assert.deepEqual(again, { result: { sum: 10 }, messages: ['hello'], logs: [] });
    assert.notEqual(expressionSandbox().pid, first);
  });

  it('never stops an interpreter with work in flight', async () => {
    assert.equal((await run('return 1')).result, 1);
    const pid = expressionSandbox().pid;
    const inFlight = run('total = 0\nfor i in range(200000):\n    total += i\nreturn total');
    assert.equal(expressionSandbox().stopIfIdle(), false);
    assert.equal((await inFlight).result, 19999900000);
    assert.equal(expressionSandbox().pid, pid);
    assert.equal(expressionSandbox().stopIfIdle(), true);
    assert.equal(expressionSandbox().pid, undefined);
    assert.equal((await run('return "back"')).result, 'back');
  });
});
