import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { checkResponse } from '../../../test/support/contract.js';
import { FlowClient } from '../../flows/testing.js';

const SECRET = 'captcha-private-key-do-not-show';

/** A stand-in for the provider's `siteverify` endpoint: answers by token, remembers what it was sent. */
function stubProvider() {
  const received: URLSearchParams[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const form = new URLSearchParams(body);
      received.push(form);
      if (request.method !== 'POST' || request.headers['content-type'] !== 'application/x-www-form-urlencoded') {
        response.writeHead(405).end();
        return;
      }
      const token = form.get('response');
      if (token === 'explode') {
        response.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
        return;
      }
      const ok = form.get('secret') === SECRET && token === 'human';
      response.writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(ok ? { success: true, hostname: 'localhost' } : { success: false, 'error-codes': ['invalid-input-response'] }));
    });
  });
  return { server, received };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/recaptcha/api/siteverify`)));
}

describe('stages/captcha', () => {
  let t: TestApp;
  const provider = stubProvider();
  let apiUrl: string;
  let stagePk: string;
  const client = () => new FlowClient(t.app, checkResponse);

  before(async () => {
    t = await startTestApp();
    apiUrl = await listen(provider.server);
    const flow = await t.api('POST', '/flows/instances/', { body: { name: 'captcha', slug: 'captcha-flow', title: 'Captcha', designation: 'authentication' } });
    const stage = await t.api('POST', '/stages/captcha/', {
      body: { name: 'captcha', public_key: 'site-key-123', private_key: SECRET, api_url: apiUrl, js_url: 'https://js.example/api.js' },
    });
    assert.equal(stage.status, 201, JSON.stringify(stage.body));
    stagePk = stage.body.pk;
    assert.equal((await t.api('POST', '/flows/bindings/', { body: { target: flow.body.pk, stage: stagePk, order: 0 } })).status, 201);
  });
  after(async () => {
    provider.server.close();
    await t.close();
  });

  it('keeps the private key write-only and has authentik\'s defaults', async () => {
    const created = await t.api('POST', '/stages/captcha/', { body: { name: 'defaults', public_key: 'pub', private_key: 'priv' } });
    assert.equal(created.status, 201);
    assert.equal(created.body.js_url, 'https://www.google.com/recaptcha/api.js');
    assert.equal(created.body.api_url, 'https://www.google.com/recaptcha/api/siteverify');
    assert.equal(created.body.component, 'ak-stage-captcha-form');
    for (const body of [created.body, (await t.api('GET', `/stages/captcha/${stagePk}/`)).body, (await t.api('GET', '/stages/captcha/')).body, (await t.api('GET', '/stages/all/')).body]) {
      assert.ok(!JSON.stringify(body).includes(SECRET) && !JSON.stringify(body).includes('"priv"'), 'no answer carries the private key');
      assert.ok(!('private_key' in (body.results?.[0] ?? body)));
    }
    const missing = await t.api('POST', '/stages/captcha/', { body: { name: 'no-keys' } });
    assert.equal(missing.status, 400);
    assert.deepEqual(Object.keys(missing.body).sort(), ['private_key', 'public_key']);
    assert.equal((await t.api('GET', '/stages/captcha/?public_key=pub')).body.pagination.count, 1);
    assert.equal((await t.api('PATCH', `/stages/captcha/${created.body.pk}/`, { body: { public_key: 'pub2' } })).status, 200);
  });

  it('shows the widget and passes with a token the provider verifies', async () => {
    const c = client();
    const challenge = await c.get('captcha-flow');
    assert.equal(challenge.body.component, 'ak-stage-captcha');
    assert.equal(challenge.body.site_key, 'site-key-123');
    assert.equal(challenge.body.js_url, 'https://js.example/api.js');
    assert.ok(!JSON.stringify(challenge.body).includes(SECRET));
    const done = await c.post('captcha-flow', { token: 'human' });
    assert.equal(done.body.component, 'xak-flow-redirect');
    const sent = provider.received.at(-1)!;
    assert.equal(sent.get('secret'), SECRET);
    assert.equal(sent.get('response'), 'human');
    assert.equal(sent.get('remoteip'), '127.0.0.1');
  });

  it('refuses a token the provider rejects, with its error codes', async () => {
    const c = client();
    await c.get('captcha-flow');
    const refused = await c.post('captcha-flow', { token: 'robot' });
    assert.equal(refused.body.component, 'ak-stage-captcha');
    assert.deepEqual(refused.body.response_errors, { token: [{ string: "Failed to validate token: ['invalid-input-response']", code: 'invalid' }] });
    const missing = await c.post('captcha-flow', {});
    assert.equal(missing.body.response_errors.token[0].code, 'required');
    assert.equal((await c.post('captcha-flow', { token: 'human' })).body.component, 'xak-flow-redirect');
  });

  it('refuses the token when the provider fails or is down', async () => {
    const c = client();
    await c.get('captcha-flow');
    const failing = await c.post('captcha-flow', { token: 'explode' });
    assert.deepEqual(failing.body.response_errors, { token: [{ string: 'Failed to validate token', code: 'invalid' }] });

    const down = stubProvider();
    const downUrl = await listen(down.server);
    await new Promise((resolve) => down.server.close(resolve));
    assert.equal((await t.api('PATCH', `/stages/captcha/${stagePk}/`, { body: { api_url: downUrl } })).status, 200);
    const unreachable = await c.post('captcha-flow', { token: 'human' });
    assert.equal(unreachable.body.component, 'ak-stage-captcha');
    assert.deepEqual(unreachable.body.response_errors, { token: [{ string: 'Failed to validate token', code: 'invalid' }] });
    assert.ok(!JSON.stringify(unreachable.body).includes(SECRET));
    assert.equal((await t.api('PATCH', `/stages/captcha/${stagePk}/`, { body: { api_url: apiUrl } })).status, 200);
  });
});
