import assert from 'node:assert/strict';
import type { TestApp } from '../../../test/support/app.js';

export interface TestUser {
  pk: number;
  username: string;
  /** An API token of the user's own. */
  token: string;
}

/** Makes a user who is not a superuser, with an API token, through the API as the admin would. */
export async function createUserWithToken(t: TestApp, username: string, attributes: Record<string, unknown> = {}): Promise<TestUser> {
  const user = await t.api('POST', '/core/users/', { body: { username, name: username, attributes } });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  const identifier = `${username}-api-token`;
  const token = await t.api('POST', '/core/tokens/', { body: { identifier, user: user.body.pk, intent: 'api', expiring: false } });
  assert.equal(token.status, 201, JSON.stringify(token.body));
  const key = await t.api('GET', `/core/tokens/${identifier}/view_key/`);
  assert.equal(key.status, 200);
  return { pk: user.body.pk, username, token: key.body.key };
}
