import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq, inArray } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { createSessionStore } from './sessions.js';
import { sessions, tokens, users } from './table.js';
import { events } from '../events/table.js';
import { reputations } from '../policies/reputation/table.js';
import { cleanExpiredModels, expiringTables } from './expired.js';
import { executeRows } from '../db/database.js';
import { sql } from 'drizzle-orm';

describe('core/expired: clean_expired_models', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  it('finds every expiring table with an index on expires, so that removing what expired reads only that', async () => {
    const tables = await expiringTables(t.services.db);
    for (const table of ['authentik_core_token', 'authentik_events_event', 'authentik_providers_oauth2_accesstoken', 'authentik_policies_reputation_reputation']) {
      assert.ok(tables.includes(table), table);
    }
    // A table scan every five minutes blocked the embedded database (and so the server) for half a second with
    // 15 000 access tokens.
    const indexed = await executeRows<{ table: string }>(t.services.db, sql`
      select distinct c.relname as "table" from pg_index i
        join pg_class c on c.oid = i.indrelid join pg_attribute a on a.attrelid = c.oid and a.attnum = i.indkey[0]
      where a.attname = 'expires'`);
    const withIndex = new Set(indexed.map((row) => row.table));
    assert.deepEqual(tables.filter((table) => !withIndex.has(table)), []);
  });

  it('removes what has expired, keeps what has not or never expires, and reports it as a system task', async () => {
    const db = t.services.db;
    const [admin] = await db.select().from(users).where(eq(users.username, 'akadmin'));
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 3600_000);
    await db.insert(tokens).values([
      { identifier: 'expired-token', key: 'k1', userId: admin.id, expires: past },
      { identifier: 'live-token', key: 'k2', userId: admin.id, expires: future },
      { identifier: 'non-expiring-token', key: 'k3', userId: admin.id, expires: past, expiring: false },
    ]);
    await db.insert(reputations).values([
      { identifier: 'old', ip: '192.0.2.1', score: -3, expires: past },
      { identifier: 'new', ip: '192.0.2.2', score: -1, expires: future },
    ]);
    // More than one batch of the delete (500 rows a statement), to the last row.
    await executeRows(db, sql`insert into authentik_policies_reputation_reputation (identifier, ip, score, expires, expiring)
      select 'bulk-' || n, '192.0.2.9', -1, ${past}, true from generate_series(1, 1000) as n`);
    await db.insert(events).values([
      { action: 'custom_expired_event', app: 'test', expires: past },
      { action: 'custom_kept_event', app: 'test', expires: future },
    ]);
    const store = createSessionStore(db);
    const oldSession = await store.create({ seen: true }, 1);
    await db.update(sessions).set({ expires: past }).where(eq(sessions.sessionKey, oldSession.key));
    const liveSession = await store.create({ seen: true });

    const result = await cleanExpiredModels(t.services);
    assert.equal(result.status, 'SUCCESSFUL');
    assert.ok(result.messages?.includes('Expired 1 Tokens'), JSON.stringify(result.messages));
    assert.ok(result.messages?.includes('Expired 1001 Reputation Scores'), JSON.stringify(result.messages));
    assert.ok(result.messages?.some((m) => /^Expired 1 .*[Ee]vent/.test(m)), JSON.stringify(result.messages));

    const left = (await db.select({ identifier: tokens.identifier }).from(tokens)
      .where(inArray(tokens.identifier, ['expired-token', 'live-token', 'non-expiring-token']))).map((r) => r.identifier).sort();
    assert.deepEqual(left, ['live-token', 'non-expiring-token']);
    assert.deepEqual((await db.select({ identifier: reputations.identifier }).from(reputations)).map((r) => r.identifier), ['new']);
    const kept = (await db.select({ action: events.action }).from(events).where(inArray(events.action, ['custom_expired_event', 'custom_kept_event']))).map((r) => r.action);
    assert.deepEqual(kept, ['custom_kept_event']);
    assert.equal((await db.select().from(sessions).where(eq(sessions.sessionKey, oldSession.key))).length, 0);
    assert.equal((await db.select().from(sessions).where(eq(sessions.sessionKey, liveSession.key))).length, 1);

    const task = await t.api('GET', '/admin/system_tasks/clean_expired_models/');
    assert.equal(task.status, 200);
    assert.equal(task.body.status, 'SUCCESSFUL');
    assert.deepEqual(task.body.messages, result.messages);

    // Nothing left to do: said so, not an empty list.
    assert.deepEqual((await cleanExpiredModels(t.services)).messages, ['Nothing had expired.']);
  });
});
