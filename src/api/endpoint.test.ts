import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import cookie from '@fastify/cookie';
import { pino } from 'pino';
import type { Services } from './context.js';
import { registerEndpoint } from './endpoint.js';

describe('api: endpoints', () => {
  it('answers once, whether the handler sends the reply itself or returns a value or nothing', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const app = Fastify({ loggerInstance: pino({ level: 'warn' }, sink) as unknown as FastifyBaseLogger });
    await app.register(cookie);
    const services = {} as Services;
    const noContext = async () => {
      throw new Error('public endpoints need no context');
    };
    registerEndpoint(app, services, noContext, {
      path: '/sends/',
      access: 'public',
      methods: { GET: async (ctx) => ctx.reply.type('text/plain; charset=utf-8').send('sent by the handler') },
    });
    registerEndpoint(app, services, noContext, { path: '/returns/', access: 'public', methods: { GET: async () => ({ value: 1 }) } });
    registerEndpoint(app, services, noContext, { path: '/nothing/', access: 'public', methods: { POST: async () => undefined } });
    const sent = await app.inject({ method: 'GET', url: '/api/v3/sends/' });
    assert.equal(sent.statusCode, 200);
    assert.equal(sent.body, 'sent by the handler');
    assert.deepEqual((await app.inject({ method: 'GET', url: '/api/v3/returns/' })).json(), { value: 1 });
    assert.equal((await app.inject({ method: 'POST', url: '/api/v3/nothing/' })).statusCode, 204);
    await app.close();
    // fastify warns when a reply is sent twice ("Reply was already sent"): the schema endpoint did, on every request.
    assert.deepEqual(lines, []);
  });
});
