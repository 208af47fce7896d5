import assert from 'node:assert/strict';
import type { TestApp } from '../../test/support/app.js';

/** Creates a policy through its type's endpoint and returns the API's rendering. */
export async function createPolicy(t: TestApp, type: string, body: Record<string, unknown>) {
  const res = await t.api('POST', `/policies/${type}/`, { body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { pk: string } & Record<string, unknown>;
}

/** Runs `/policies/all/{pk}/test/` for a user with a context. */
export async function testPolicy(t: TestApp, pk: string, user: number, context: Record<string, unknown> = {}) {
  const res = await t.api('POST', `/policies/all/${pk}/test/`, { body: { user, context } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as { passing: boolean; messages: string[]; log_messages: { event: string; attributes: Record<string, unknown> }[] };
}
