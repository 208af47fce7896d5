import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from 'yaml';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { schemaValidator } from '../api/contract/validation.js';
import { createPolicy } from '../policies/test-helpers.js';

function multipart(parts: { name: string; filename?: string; value: string }[]) {
  const boundary = '----akts-flow-import';
  const body = parts.map((part) => {
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
    return `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${part.filename ? 'Content-Type: application/x-yaml\r\n' : ''}\r\n${part.value}\r\n`;
  }).join('');
  return { payload: `${body}--${boundary}--\r\n`, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const isImportResult = schemaValidator('FlowImportResult');

/** A policy binding model's key is new when its flow or binding is re-created (as in authentik): compared without it. */
function withoutPbm(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPbm);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'policybindingmodel_ptr_id').map(([key, inner]) => [key, withoutPbm(inner)]));
  }
  return value;
}

describe('blueprints/flow export and import', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  const SLUG = 'transfer-login';

  async function created(path: string, body: Record<string, unknown>) {
    const res = await t.api('POST', path, { body });
    assert.equal(res.status, 201, `${path}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** A flow with four stage types, policies on the flow and on a binding, and a group binding. */
  async function buildFlow() {
    const flow = await created('/flows/instances/', {
      name: 'Transfer login', slug: SLUG, title: 'Transfer', designation: 'authentication', layout: 'sidebar_left', denied_action: 'continue',
    });
    const ident = await created('/stages/identification/', { name: 'transfer-ident', user_fields: ['email'], case_insensitive_matching: false });
    const password = await created('/stages/password/', {
      name: 'transfer-password', backends: ['authentik.core.auth.InbuiltBackend'], failed_attempts_before_cancel: 3, configure_flow: flow.pk,
    });
    const deny = await created('/stages/deny/', { name: 'transfer-deny' });
    const login = await created('/stages/user_login/', { name: 'transfer-login-stage', session_duration: 'hours=2' });
    const bindings: Record<string, { pk: string; policybindingmodel_ptr_id: string }> = {};
    for (const [order, stage, extra] of [[10, ident, {}], [20, password, { re_evaluate_policies: false }], [30, deny, { evaluate_on_plan: true }], [100, login, {}]] as const) {
      bindings[stage.name] = await created('/flows/bindings/', { target: flow.pk, stage: stage.pk, order, ...extra });
    }
    const onFlow = await createPolicy(t, 'expression', { name: 'transfer-flow-policy', expression: 'return True' });
    const onDeny = await createPolicy(t, 'reputation', { name: 'transfer-deny-policy', threshold: -3, check_ip: true });
    const group = await created('/core/groups/', { name: 'transfer-group' });
    await created('/policies/bindings/', { policy: onFlow.pk, target: flow.policybindingmodel_ptr_id, order: 0, timeout: 10 });
    await created('/policies/bindings/', { policy: onDeny.pk, target: bindings['transfer-deny'].policybindingmodel_ptr_id, order: 0, negate: true });
    await created('/policies/bindings/', { group: group.pk, target: bindings['transfer-login-stage'].policybindingmodel_ptr_id, order: 5 });
    return { flow, stages: [ident, password, deny, login], policies: [onFlow, onDeny] };
  }

  /** Everything the export holds, through the API, with the keys a re-created object cannot keep left out. */
  async function snapshot() {
    const flow = (await t.api('GET', `/flows/instances/${SLUG}/`)).body;
    const bindings = (await t.api('GET', `/flows/bindings/?target=${flow.pk}&ordering=order`)).body.results;
    const stages = await Promise.all(flow.stages.map(async (pk: string) => (await t.api('GET', `/stages/all/${pk}/`)).body));
    const policyBindings = [];
    for (const target of [flow.policybindingmodel_ptr_id, ...bindings.map((b: { policybindingmodel_ptr_id: string }) => b.policybindingmodel_ptr_id)]) {
      for (const binding of (await t.api('GET', `/policies/bindings/?target=${target}&ordering=order`)).body.results) {
        const { pk: _pk, target: _target, ...rest } = binding;
        policyBindings.push({ targetOrder: bindings.find((b: { policybindingmodel_ptr_id: string }) => b.policybindingmodel_ptr_id === target)?.order ?? 'flow', ...rest });
      }
    }
    const { cache_count: _c, ...flowRest } = flow;
    return withoutPbm({ flow: flowRest, bindings, stages, policyBindings }) as { stages: { pk: string }[]; policyBindings: { policy?: string }[] };
  }

  it('exports a flow with its stages, bindings, policies and policy bindings as authentik does', async () => {
    const { flow, stages, policies } = await buildFlow();
    const res = await t.api<string>('GET', `/flows/instances/${SLUG}/export/`);
    assert.equal(res.status, 200, res.body);
    assert.match(String(res.headers['content-type']), /^text\/yaml/);
    assert.match(String(res.headers['content-disposition']), /attachment; filename="transfer-login\.yaml"/);
    const doc = parseDocument(res.body, { customTags: [{ tag: '!KeyOf', resolve: (v: string) => `KeyOf:${v}` }] });
    assert.deepEqual(doc.errors, []);
    const exported = doc.toJS();
    assert.equal(exported.version, 1);
    assert.equal(exported.metadata.labels['blueprints.goauthentik.io/generated'], 'true');
    const models = exported.entries.map((e: { model: string }) => e.model);
    assert.deepEqual(models, [
      'authentik_flows.flow',
      // Policies and stages by name.
      'authentik_policies_reputation.reputationpolicy', 'authentik_policies_expression.expressionpolicy',
      'authentik_stages_deny.denystage', 'authentik_stages_identification.identificationstage', 'authentik_stages_user_login.userloginstage',
      'authentik_stages_password.passwordstage',
      ...Array(4).fill('authentik_flows.flowstagebinding'),
      ...Array(3).fill('authentik_policies.policybinding'),
    ]);
    const [flowEntry] = exported.entries;
    assert.deepEqual(flowEntry.identifiers, { pk: flow.pk, slug: SLUG });
    assert.equal(flowEntry.attrs.layout, 'sidebar_left');
    assert.equal(flowEntry.attrs.slug, undefined, 'an identifier is not repeated in attrs');
    const password = exported.entries.find((e: { model: string }) => e.model === 'authentik_stages_password.passwordstage');
    assert.deepEqual(password.identifiers, { pk: stages[1].pk, name: 'transfer-password' });
    assert.equal(password.attrs.failed_attempts_before_cancel, 3);
    assert.equal(password.attrs.flow_set, undefined, 'read-only fields are left out');
    const expression = exported.entries.find((e: { model: string }) => e.model === 'authentik_policies_expression.expressionpolicy');
    assert.deepEqual(expression.identifiers, { pk: policies[0].pk });
    assert.equal(exported.entries[1].attrs.threshold, -3);
    assert.equal(expression.attrs.expression, 'return True');
    const policyBindings = exported.entries.filter((e: { model: string }) => e.model === 'authentik_policies.policybinding');
    // Two bindings share order 0, so they are found by what they hold rather than by position.
    assert.equal(policyBindings.find((b: { attrs: { timeout?: number } }) => b.attrs.timeout === 10).identifiers.target, 'KeyOf:flow');
    const denyBinding = exported.entries.find((e: { model: string; identifiers: { order?: number } }) => e.model === 'authentik_flows.flowstagebinding' && e.identifiers.order === 30);
    assert.equal(policyBindings.find((b: { attrs: { negate?: boolean } }) => b.attrs.negate).identifiers.target, `KeyOf:${denyBinding.id}`);
    assert.equal(denyBinding.identifiers.target, flow.pk);
    assert.equal(denyBinding.attrs.evaluate_on_plan, true);

    assert.equal((await t.api('GET', '/flows/instances/nothing-here/export/', { unchecked: true })).status, 404);
  });

  it('re-imports the export after the flow and what it used were deleted, to the same objects', async () => {
    const before = await snapshot();
    const exported = (await t.api<string>('GET', `/flows/instances/${SLUG}/export/`)).body;
    for (const stage of before.stages) assert.equal((await t.api('DELETE', `/stages/all/${stage.pk}/`)).status, 204);
    for (const binding of before.policyBindings) if (binding.policy) await t.api('DELETE', `/policies/all/${binding.policy}/`);
    assert.equal((await t.api('DELETE', `/flows/instances/${SLUG}/`)).status, 204);
    assert.equal((await t.api('GET', `/flows/instances/${SLUG}/`)).status, 404);

    const res = await t.api('POST', '/flows/instances/import/', { ...multipart([{ name: 'file', filename: 'flow.yaml', value: exported }]), unchecked: true });
    assert.equal(res.status, 200);
    assert.equal(isImportResult(res.body), true, JSON.stringify(res.body));
    assert.equal(res.body.success, true, JSON.stringify(res.body.logs));
    assert.ok(res.body.logs.some((log: { event: string }) => log.event === 'entry created'));
    assert.deepEqual(await snapshot(), before);

    const again = await t.api('POST', '/flows/instances/import/', { ...multipart([{ name: 'file', filename: 'flow.yaml', value: exported }]), unchecked: true });
    assert.equal(again.body.success, true);
    assert.ok(again.body.logs.every((log: { event: string }) => log.event === 'entry unchanged'), JSON.stringify(again.body.logs));
  });

  it('reports an invalid file without changing anything, and refuses a request without one', async () => {
    const invalid = `version: 1
entries:
  - {model: authentik_flows.flow, identifiers: {slug: half-imported}, attrs: {name: x, title: x, designation: authentication}}
  - {model: authentik_flows.flowstagebinding, identifiers: {target: !KeyOf nowhere, order: 1}}
`;
    const res = await t.api('POST', '/flows/instances/import/', { ...multipart([{ name: 'file', filename: 'bad.yaml', value: invalid }]), unchecked: true });
    assert.equal(res.status, 200);
    assert.equal(isImportResult(res.body), true);
    assert.equal(res.body.success, false);
    assert.ok(res.body.logs.some((log: { entry?: number; error?: string }) => log.entry === 1 && /KeyOf/.test(String(log.error))), JSON.stringify(res.body.logs));
    assert.equal((await t.api('GET', '/flows/instances/half-imported/')).status, 404);

    const unparsable = await t.api('POST', '/flows/instances/import/', { ...multipart([{ name: 'file', filename: 'x.yaml', value: 'entries: [\n' }]), unchecked: true });
    assert.deepEqual([unparsable.status, unparsable.body.success], [200, false]);
    assert.ok(unparsable.body.logs.length > 0);

    const none = await t.api('POST', '/flows/instances/import/', multipart([{ name: 'other', value: 'x' }]));
    assert.deepEqual([none.status, none.body], [400, { logs: [], success: false }]);
    const json = await t.api('POST', '/flows/instances/import/', { body: {}, unchecked: true });
    assert.equal(json.status, 415);
  });
});
