import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import type { Services } from '../api/context.js';
import { createSessionStore, SESSION_COOKIE } from '../core/sessions.js';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { FlowSession } from './session.js';

describe('flows/session', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  /** The services with a database that counts the UPDATE statements it is asked to build. */
  function counting(): { services: Services; updates: () => number } {
    let updates = 0;
    const db = new Proxy(t.services.db, {
      get(target, prop, receiver) {
        if (prop === 'update') updates += 1;
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    return { services: { ...t.services, db }, updates: () => updates };
  }

  const requestWith = (key: string) => ({ cookies: { [SESSION_COOKIE]: key } }) as unknown as FastifyRequest;

  it('writes the session only when its data changed', async () => {
    const stored = await createSessionStore(t.services.db).create({ plan: { bindings: [1, 2] }, get: { next: '/' } });
    const { services, updates } = counting();

    const unchanged = await FlowSession.open(services, requestWith(stored.key));
    unchanged.set('get', { next: '/' });
    unchanged.set('plan', unchanged.get('plan'));
    await unchanged.save();
    assert.equal(updates(), 0);

    const changed = await FlowSession.open(services, requestWith(stored.key));
    (changed.get('plan') as { bindings: number[] }).bindings.shift();
    changed.set('plan', changed.get('plan'));
    await changed.save();
    assert.equal(updates(), 1);
    const reloaded = await createSessionStore(t.services.db).load(stored.key);
    assert.deepEqual(reloaded?.data, { plan: { bindings: [2] }, get: { next: '/' } });
  });
});
