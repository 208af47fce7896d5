import { sign } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { defineBench, type Row } from '../registry.js';
import { load, WRK_MISSING, type LoadResult } from '../lib/load.js';
import type { BenchContext } from '../lib/context.js';
import type { RunningServer } from '../lib/server.js';
import { parsePrivateKey } from '../../src/crypto/certificate.js';

const SLUG = 'bench-oauth2';

function latency(result: LoadResult): string {
  const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(0));
  return `p50 ${ms(result.p50Ms)} / p99 ${ms(result.p99Ms)} ms`;
}

async function api(ctx: BenchContext, server: RunningServer, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.base}/api/v3${path}`, {
    method, headers: { ...ctx.authHeaders, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/** A provider signed by the self-signed keypair (RSA 4096, as authentik makes it) and its application; reused when it exists. */
async function ensureClient(ctx: BenchContext, server: RunningServer): Promise<{ clientId: string; clientSecret: string; keyData: string }> {
  const keys = await api(ctx, server, 'GET', '/crypto/certificatekeypairs/?has_key=true');
  const pair = keys.results.find((k: { name: string }) => k.name === 'authentik Self-signed Certificate') ?? keys.results[0];
  if (!pair) throw new Error('no keypair with a private key');
  const keyData = (await api(ctx, server, 'GET', `/crypto/certificatekeypairs/${pair.pk}/view_private_key/`)).data as string;
  const existing = await api(ctx, server, 'GET', `/core/applications/?slug=${SLUG}`);
  let providerId = existing.results[0]?.provider as number | undefined;
  if (!providerId) {
    const flows = await api(ctx, server, 'GET', '/flows/instances/?designation=authorization').catch(() => ({ results: [] }));
    const flow = flows.results[0]?.pk ?? '00000000-0000-4000-8000-000000000000';
    await api(ctx, server, 'PUT', '/core/transactional/applications/', {
      app: { name: 'Bench OAuth2', slug: SLUG },
      provider_model: 'authentik_providers_oauth2.oauth2provider',
      provider: { name: 'Bench OAuth2', authorization_flow: flow, signing_key: pair.pk, redirect_uris: 'https://bench.test/cb' },
    });
    providerId = (await api(ctx, server, 'GET', `/core/applications/?slug=${SLUG}`)).results[0].provider;
  }
  const provider = await api(ctx, server, 'GET', `/providers/oauth2/${providerId}/`);
  return { clientId: provider.client_id, clientSecret: provider.client_secret, keyData };
}

/**
 * RS256 signatures per second with the same key in this process, on all cores: node's asynchronous `crypto.sign`
 * runs on the libuv pool, as the server's signing (WebCrypto) does.
 */
async function rawSigningRate(keyData: string, durationS: number): Promise<number> {
  const key = parsePrivateKey(keyData);
  const data = Buffer.from('eyJhbGciOiJSUzI1NiIsImtpZCI6ImJlbmNoIiwidHlwIjoiSldUIn0.'.repeat(8));
  const signOnce = () => new Promise<void>((resolve, reject) => sign('sha256', data, key, (err) => (err ? reject(err) : resolve())));
  const concurrency = Math.max(4, availableParallelism() * 2);
  const run = async (ms: number) => {
    let done = 0;
    const until = Date.now() + ms;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        await signOnce();
        done++;
      }
    }));
    return done;
  };
  await run(500);
  const started = Date.now();
  const done = await run(durationS * 1000);
  return done / ((Date.now() - started) / 1000);
}

/**
 * The OAuth2 provider's hot paths: client_credentials grants (one RS256 signature each) against raw signing with
 * the same key, and the discovery and JWKS documents against a bare node:http server.
 */
export default defineBench({
  id: 'oauth2',
  title: 'OAuth2 provider',
  async run(ctx, emit) {
    const { durationS, connections } = ctx.options;
    const names = ['POST /application/o/token/ client_credentials (embedded)', 'GET …/.well-known/openid-configuration (embedded)', 'GET …/jwks/ (embedded)'];
    if (!ctx.wrk) {
      for (const name of names) emit({ name, value: null, unit: 'req/s', note: WRK_MISSING });
      return;
    }
    const server = await ctx.embedded();
    const client = await ensureClient(ctx, server);
    const raw = await rawSigningRate(client.keyData, durationS);
    const grants = await load(`${server.base}/application/o/token/`, {
      durationS, connections, postForm: { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret },
    });
    const grantRow: Row = {
      name: names[0], value: grants.requestsPerSecond, unit: 'req/s', baseline: { label: 'raw RS256 signing, same key, all cores', value: raw },
      limit: { minRatio: 0.8 }, showRatio: true, note: latency(grants),
    };
    if (grants.errors) grantRow.note += `; ${grants.errors} errors`;
    emit(grantRow);
    const bare = await load((await ctx.bare()).base + '/', { durationS, connections });
    const baseline = { label: 'bare node:http', value: bare.requestsPerSecond };
    for (const [name, path] of [[names[1], `/application/o/${SLUG}/.well-known/openid-configuration`], [names[2], `/application/o/${SLUG}/jwks/`]]) {
      const result = await load(server.base + path, { durationS, connections });
      const row: Row = { name, value: result.requestsPerSecond, unit: 'req/s', baseline, limit: { minRatio: 0.7 }, showRatio: true, note: `${latency(result)} (bare ${latency(bare)})` };
      if (result.errors) row.note += `; ${result.errors} errors`;
      emit(row);
    }
  },
});
