import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { checkResponse } from '../../test/support/contract.js';
import { FlowClient } from '../flows/testing.js';
import { flows, stages } from '../flows/table.js';
import { identificationStages } from '../stages/identification/table.js';
import { reputations } from '../policies/reputation/table.js';
import { tenants } from '../core/table.js';
import { readConfigGeneration } from './generation.js';
import { configSnapshot } from './snapshot.js';

describe('db/snapshot: configuration read once per generation', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  it('moves the generation on a configuration write, also one made straight in SQL, and not on login data', async () => {
    const db = t.services.db;
    const start = BigInt(await readConfigGeneration(db));
    await db.update(flows).set({ title: 'Welcome' });
    const afterFlow = BigInt(await readConfigGeneration(db));
    assert.ok(afterFlow > start);
    // A stage type's own table is covered by its prefix, with no list to keep up to date.
    await db.update(identificationStages).set({ showMatchedUser: false });
    const afterStage = BigInt(await readConfigGeneration(db));
    assert.ok(afterStage > afterFlow);
    await db.execute(sql`update authentik_tenants_tenant set branding_title = 'Acme' where "default"`);
    const afterTenant = BigInt(await readConfigGeneration(db));
    assert.ok(afterTenant > afterStage);
    // Reputation scores change on every login: they must not empty the caches.
    await db.insert(reputations).values({ identifier: 'someone', ip: '127.0.0.1', score: -1, expires: new Date(Date.now() + 60_000) });
    assert.equal(BigInt(await readConfigGeneration(db)), afterTenant);
    // Nor do MFA devices (a code used moves a counter) and flow tokens, though their tables share the prefixes.
    for (const table of ['authentik_stages_authenticator_totp_totpdevice', 'authentik_stages_authenticator_static_statictoken', 'authentik_flows_flowtoken']) {
      await db.execute(sql`delete from ${sql.identifier(table)} where false`);
    }
    assert.equal(BigInt(await readConfigGeneration(db)), afterTenant);
    // A rolled back write moves nothing.
    await assert.rejects(db.transaction(async (tx) => {
      await tx.update(tenants).set({ brandingTitle: 'Nope' });
      throw new Error('rollback');
    }));
    assert.equal(BigInt(await readConfigGeneration(db)), afterTenant);
  });

  it('answers from memory until the generation moves', async () => {
    const db = t.services.db;
    let loads = 0;
    const load = async () => {
      loads += 1;
      return { value: loads };
    };
    const first = await configSnapshot(t.services.database);
    assert.deepEqual(await first.read('k', load), { value: 1 });
    const same = await configSnapshot(t.services.database);
    assert.equal(same, first);
    assert.deepEqual(await same.read('k', load), { value: 1 });
    assert.equal(loads, 1);
    // Shared between requests: frozen, so that no caller can change it for the others.
    const cached = await same.read('k', load);
    assert.throws(() => { (cached as { value: number }).value = 5; }, TypeError);

    await db.update(stages).set({ name: sql`${stages.name}` }).where(sql`false`);
    const next = await configSnapshot(t.services.database);
    assert.notEqual(next, first);
    assert.deepEqual(await next.read('k', load), { value: 2 });
    // A failed read is not remembered.
    await assert.rejects(next.read('broken', async () => { throw new Error('down'); }));
    assert.deepEqual(await next.read('broken', async () => 'up'), 'up');
  });

  it('shows a flow change made straight in the database on the next executor request', async () => {
    const flow = await t.api('POST', '/flows/instances/', { body: { name: 'snap', slug: 'snap', title: 'Before', designation: 'authentication' } });
    const stage = await t.api('POST', '/stages/identification/', { body: { name: 'snap-ident', user_fields: ['username'] } });
    const binding = await t.api('POST', '/flows/bindings/', { body: { target: flow.body.pk, stage: stage.body.pk, order: 10 } });
    assert.equal(binding.status, 201);
    const first = await new FlowClient(t.app, checkResponse).get('snap');
    assert.equal(first.body.component, 'ak-stage-identification');
    assert.equal(first.body.flow_info.title, 'Before');
    await t.services.db.update(flows).set({ title: 'Changed behind our back' }).where(eq(flows.slug, 'snap'));
    const second = await new FlowClient(t.app, checkResponse).get('snap');
    assert.equal(second.body.flow_info.title, 'Changed behind our back');
    // And a stage's own settings.
    await t.services.db.update(identificationStages).set({ userFields: ['email'] }).where(eq(identificationStages.stagePtrId, stage.body.pk));
    const third = await new FlowClient(t.app, checkResponse).get('snap');
    assert.deepEqual(third.body.user_fields, ['email']);
  });
});
