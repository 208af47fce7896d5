import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { ModelContext } from '../api/context.js';
import type { BlueprintField, Json, ModelDefinition, WritableField } from '../api/model.js';
import { ValidationError } from '../api/errors.js';
import { selectRows } from '../api/inheritance.js';
import type { Db } from '../db/database.js';
import { throughSnapshot, type MaySnapshot } from '../db/snapshot.js';
import { policyBindings } from '../policies/table.js';
import { flows, flowStageBindings, stages } from './table.js';
import { stageTypeFor } from './registry.js';
import { planCache } from './cache.js';
import type { FlowRow, StageRow } from './stage.js';

export type FlowStageBindingRow = typeof flowStageBindings.$inferSelect;

export const DEFAULT_BACKGROUND = '/static/dist/assets/images/flow_background.jpg';

/** authentik's `Flow.background_url`: a `/static` path or an http(s) URL as it is, a media name under `/media/`. */
export function backgroundUrl(flow: Pick<FlowRow, 'background'>): string {
  const name = flow.background;
  if (!name) return DEFAULT_BACKGROUND;
  if (name.startsWith('http') || name.startsWith('/static')) return name;
  return `/media/${name}`;
}

/** authentik's `FlowSetSerializer`: a flow as stages list it. */
/** A flow by its slug, through the request's configuration snapshot when it has one. */
export function flowBySlug(services: MaySnapshot & { db: Db }, slug: string): Promise<FlowRow | undefined> {
  return throughSnapshot(services, `flow:${slug}`, async () => (await services.db.select().from(flows).where(eq(flows.slug, slug)).limit(1))[0]);
}

export function serializeFlowSet(flow: FlowRow): Json {
  return {
    pk: flow.flowUuid,
    policybindingmodel_ptr_id: flow.pbmUuid,
    name: flow.name,
    slug: flow.slug,
    title: flow.title,
    designation: flow.designation,
    background: backgroundUrl(flow),
    policy_engine_mode: flow.policyEngineMode,
    compatibility_mode: flow.compatibilityMode,
    export_url: `/api/v3/flows/instances/${flow.slug}/export/`,
    layout: flow.layout,
    denied_action: flow.deniedAction,
  };
}

async function serializeFlows(rows: FlowRow[], ctx: ModelContext): Promise<Json[]> {
  const db = ctx.services.db;
  const ids = rows.map((r) => r.flowUuid);
  const pbms = rows.map((r) => r.pbmUuid);
  const [bound, policies] = await Promise.all([
    ids.length ? db.select({ flow: flowStageBindings.targetId, stage: flowStageBindings.stageId }).from(flowStageBindings)
      .where(inArray(flowStageBindings.targetId, ids)).orderBy(asc(flowStageBindings.order)) : [],
    pbms.length ? db.select({ target: policyBindings.targetId, policy: policyBindings.policyId }).from(policyBindings)
      .where(and(inArray(policyBindings.targetId, pbms), isNotNull(policyBindings.policyId))).orderBy(asc(policyBindings.order)) : [],
  ]);
  return rows.map((flow) => ({
    ...serializeFlowSet(flow),
    stages: [...new Set(bound.filter((b) => b.flow === flow.flowUuid).map((b) => b.stage))],
    policies: [...new Set(policies.filter((p) => p.target === flow.pbmUuid).map((p) => p.policy!))],
    cache_count: planCache.countFor(flow.flowUuid),
    authentication: flow.authentication,
  }));
}

/** A flow's background as blueprints set it (a media name, a `/static` path or a URL). */
const backgroundField: BlueprintField = {
  columns(value) {
    if (value === null || value === undefined) return { background: '' };
    if (typeof value !== 'string') throw ValidationError.field('background', 'Not a valid string.');
    return { background: value };
  },
};

export const flowModel: ModelDefinition<FlowRow> = {
  name: 'authentik_flows.flow',
  verboseName: 'Flow',
  verboseNamePlural: 'Flows',
  table: flows,
  pk: flows.flowUuid,
  requestSchema: 'FlowRequest',
  fields: {
    name: { column: flows.name },
    slug: { column: flows.slug },
    title: { column: flows.title },
    designation: { column: flows.designation },
    policy_engine_mode: { column: flows.policyEngineMode },
    compatibility_mode: { column: flows.compatibilityMode },
    layout: { column: flows.layout },
    denied_action: { column: flows.deniedAction },
    authentication: { column: flows.authentication },
  },
  blueprintFields: { background: backgroundField },
  displayName: (row) => `Flow ${row.name} (${row.slug})`,
  serialize: serializeFlows,
  validate(_data, _ctx, existing) {
    if (existing) planCache.invalidateFlow(existing.flowUuid);
  },
};

/** The flows each stage is bound to, for `flow_set`. */
async function flowSets(db: Db, stageIds: string[]): Promise<Map<string, Json[]>> {
  const out = new Map<string, Json[]>();
  if (!stageIds.length) return out;
  const rows = await db.select({ stage: flowStageBindings.stageId, flow: flows }).from(flowStageBindings)
    .innerJoin(flows, eq(flows.flowUuid, flowStageBindings.targetId))
    .where(inArray(flowStageBindings.stageId, stageIds)).orderBy(asc(flows.slug));
  for (const row of rows) {
    const list = out.get(row.stage) ?? out.set(row.stage, []).get(row.stage)!;
    if (!list.some((f) => f.pk === row.flow.flowUuid)) list.push(serializeFlowSet(row.flow));
  }
  return out;
}

/** The fields of authentik's `StageSerializer`, for any stage row. */
function serializeStageBase(row: StageRow, sets: Map<string, Json[]>): Json {
  const type = stageTypeFor(row.model);
  return {
    pk: row.stageUuid,
    name: row.name,
    component: type?.formComponent ?? '',
    verbose_name: type?.verboseName ?? 'Stage',
    verbose_name_plural: type?.verboseNamePlural ?? 'Stages',
    meta_model_name: row.model,
    flow_set: sets.get(row.stageUuid) ?? [],
  };
}

async function serializeStages(rows: StageRow[], ctx: ModelContext): Promise<Json[]> {
  const sets = await flowSets(ctx.services.db, rows.map((r) => r.stageUuid));
  return rows.map((row) => serializeStageBase(row, sets));
}

/** Stages rendered by their own type's serializer (`/stages/all/`, a binding's `stage_obj`); order is kept. */
export async function serializeResolvedStages(rows: StageRow[], ctx: ModelContext): Promise<Json[]> {
  const byModel = new Map<string, string[]>();
  for (const row of rows) (byModel.get(row.model) ?? byModel.set(row.model, []).get(row.model)!).push(row.stageUuid);
  const rendered = new Map<string, Json>();
  await Promise.all([...byModel].map(async ([modelName, ids]) => {
    const type = stageTypeFor(modelName);
    if (!type) return;
    const full = (await selectRows(ctx.services.db, type.model).where(inArray(stages.stageUuid, ids))) as Json[];
    for (const item of await type.model.serialize(full as never[], ctx)) rendered.set(String(item.pk), item);
  }));
  const missing = rows.filter((row) => !rendered.has(row.stageUuid));
  for (const item of await serializeStages(missing, ctx)) rendered.set(String(item.pk), item);
  return rows.map((row) => rendered.get(row.stageUuid)!);
}

/** Stage names are unique across every type: DRF names the base model in its message. */
async function checkStageName(db: Db, name: unknown, existing: StageRow | undefined): Promise<void> {
  if (typeof name !== 'string') return;
  const [clash] = await db.select({ id: stages.stageUuid }).from(stages).where(eq(stages.name, name)).limit(1);
  if (clash && clash.id !== existing?.stageUuid) throw ValidationError.field('name', 'Stage with this name already exists.');
}

/** Plans that contain a changed stage are stale. */
export async function invalidateStagePlans(db: Db, stageUuid: string): Promise<void> {
  const bound = await db.select({ flow: flowStageBindings.targetId }).from(flowStageBindings).where(eq(flowStageBindings.stageId, stageUuid));
  for (const { flow } of bound) planCache.invalidateFlow(flow);
}

export const stageModel: ModelDefinition<StageRow> = {
  name: 'authentik_flows.stage',
  verboseName: 'Stage',
  verboseNamePlural: 'Stages',
  table: stages,
  pk: stages.stageUuid,
  fields: { name: { column: stages.name } },
  displayName: (row) => `Stage ${row.name}`,
  serialize: serializeStages,
};

export interface StageSubtype<Own extends Json> {
  modelName: string;
  verboseName: string;
  verboseNamePlural: string;
  table: PgTable;
  /** The subtype table's `stage_ptr_id`. */
  link: PgColumn;
  requestSchema: string;
  fields: Record<string, WritableField>;
  relations?: ModelDefinition<StageRow & Own>['relations'];
  serialize(rows: (StageRow & Own)[], ctx: ModelContext): Json[] | Promise<Json[]>;
  validate?(data: Json, ctx: ModelContext, existing: (StageRow & Own) | undefined): Promise<void> | void;
}

/** A stage type's model: its own table over the shared base, serialized as authentik's `StageSerializer` + its fields. */
export function defineStageModel<Own extends Json>(subtype: StageSubtype<Own>): ModelDefinition<StageRow & Own> {
  return {
    name: subtype.modelName,
    verboseName: subtype.verboseName,
    verboseNamePlural: subtype.verboseNamePlural,
    table: subtype.table,
    parent: { table: stages, pk: stages.stageUuid, link: subtype.link, values: { model: subtype.modelName } },
    requestSchema: subtype.requestSchema,
    pk: stages.stageUuid,
    fields: { name: { column: stages.name }, ...subtype.fields },
    relations: subtype.relations,
    displayName: (row) => `Stage ${row.name}`,
    async serialize(rows, ctx) {
      const [sets, own] = await Promise.all([flowSets(ctx.services.db, rows.map((r) => r.stageUuid)), subtype.serialize(rows, ctx)]);
      return rows.map((row, i) => ({ ...serializeStageBase(row, sets), ...own[i] }));
    },
    async validate(data, ctx, existing) {
      await checkStageName(ctx.services.db, data.name, existing);
      await subtype.validate?.(data, ctx, existing);
      if (existing) await invalidateStagePlans(ctx.services.db, existing.stageUuid);
    },
  };
}

async function serializeBindings(rows: FlowStageBindingRow[], ctx: ModelContext): Promise<Json[]> {
  const stageIds = [...new Set(rows.map((r) => r.stageId))];
  const stageRows = stageIds.length ? await ctx.services.db.select().from(stages).where(inArray(stages.stageUuid, stageIds)) : [];
  const rendered = await serializeResolvedStages(stageRows, ctx);
  const byId = new Map(rendered.map((s) => [s.pk, s]));
  return rows.map((row) => ({
    pk: row.fsbUuid,
    policybindingmodel_ptr_id: row.pbmUuid,
    target: row.targetId,
    stage: row.stageId,
    stage_obj: byId.get(row.stageId) ?? null,
    evaluate_on_plan: row.evaluateOnPlan,
    re_evaluate_policies: row.reEvaluatePolicies,
    order: row.order,
    policy_engine_mode: row.policyEngineMode,
    invalid_response_action: row.invalidResponseAction,
  }));
}

export const flowStageBindingModel: ModelDefinition<FlowStageBindingRow> = {
  name: 'authentik_flows.flowstagebinding',
  verboseName: 'Flow Stage Binding',
  verboseNamePlural: 'Flow Stage Bindings',
  table: flowStageBindings,
  pk: flowStageBindings.fsbUuid,
  requestSchema: 'FlowStageBindingRequest',
  fields: {
    target: { column: flowStageBindings.targetId },
    stage: { column: flowStageBindings.stageId },
    evaluate_on_plan: { column: flowStageBindings.evaluateOnPlan },
    re_evaluate_policies: { column: flowStageBindings.reEvaluatePolicies },
    order: { column: flowStageBindings.order },
    policy_engine_mode: { column: flowStageBindings.policyEngineMode },
    invalid_response_action: { column: flowStageBindings.invalidResponseAction },
  },
  displayName: (row) => `Flow-stage binding #${row.order} to ${row.targetId}`,
  serialize: serializeBindings,
  validate(data, _ctx, existing) {
    if (existing) planCache.invalidateFlow(existing.targetId);
    if (typeof data.target === 'string') planCache.invalidateFlow(data.target);
  },
};
