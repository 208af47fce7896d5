import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import * as client from 'openid-client';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { applyScopeBlueprint, createClient, selfSignedKeyPair, type TestClient } from './testing/setup.js';

const insecure = { execute: [client.allowInsecureRequests] };

/** The raw bytes of a response on a fresh connection, less the `Date` header (the only line that may differ). */
function rawGet(url: string, path: string, headers: Record<string, string> = {}): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8').replace(/\r\nDate: [^\r]*/i, '')));
    socket.on('error', reject);
    const lines = [`GET ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

describe('providers/oauth2 discovery and JWKS documents', () => {
  let t: TestApp;
  let rp: TestClient;
  before(async () => {
    t = await startTestApp();
    const scopes = await applyScopeBlueprint(t);
    rp = await createClient(t, 'docs', { property_mappings: [...scopes.values()], signing_key: await selfSignedKeyPair(t), redirect_uris: 'https://rp.test/cb' });
  });
  after(() => t.close());

  it('answers from the loaded provider byte for byte as the route does, CORS included', async () => {
    for (const path of ['/application/o/docs/jwks/', '/application/o/docs/.well-known/openid-configuration']) {
      const origins: Record<string, string>[] = [{}, { Origin: 'https://rp.test' }, { Origin: 'https://evil.test' }];
      for (const origin of origins) {
        // A query string is not the fast path's: the route answers it.
        const routed = await rawGet(t.url, `${path}?via=route`, origin);
        const fast = await rawGet(t.url, path, origin);
        assert.equal(fast, routed);
        assert.match(fast, /^HTTP\/1\.1 200 OK\r\n/);
        assert.equal(/access-control-allow-origin: https:\/\/rp\.test\r\n/i.test(fast), origin.Origin === 'https://rp.test');
      }
    }
  });

  it('serves what a relying party discovers, and follows provider changes at once', async () => {
    const config = await client.discovery(new URL(`${t.url}/application/o/docs/`), rp.clientId, rp.clientSecret, undefined, insecure);
    assert.equal(config.serverMetadata().issuer, `${t.url}/application/o/docs/`);
    assert.equal(config.serverMetadata().jwks_uri, `${t.url}/application/o/docs/jwks/`);
    const before = await (await fetch(`${t.url}/application/o/docs/jwks/`)).json() as { keys: unknown[] };
    assert.equal(before.keys.length, 1);
    const patched = await t.api('PATCH', `/providers/oauth2/${rp.providerId}/`, { body: { signing_key: null, redirect_uris: 'https://new.test/cb' } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(await (await fetch(`${t.url}/application/o/docs/jwks/`)).json(), { keys: [] });
    const discovery = await fetch(`${t.url}/application/o/docs/.well-known/openid-configuration`, { headers: { origin: 'https://new.test' } });
    assert.equal(discovery.headers.get('access-control-allow-origin'), 'https://new.test');
    assert.deepEqual((await discovery.json()).id_token_signing_alg_values_supported, ['HS256']);
  });

  it('leaves unknown slugs and other methods to the router', async () => {
    const missing = await rawGet(t.url, '/application/o/nope/jwks/');
    assert.match(missing, /^HTTP\/1\.1 404 /);
    assert.ok(missing.endsWith('{"detail":"Not found."}'));
    const head = await fetch(`${t.url}/application/o/docs/jwks/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    const post = await fetch(`${t.url}/application/o/docs/jwks/`, { method: 'POST' });
    assert.equal(post.status, 404);
  });
});
