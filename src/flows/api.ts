import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { ApiContext } from '../api/context.js';
import type { FilterFn, Json, ModelDefinition } from '../api/model.js';
import type { ViewSet } from '../api/viewset.js';
import { filters } from '../api/filters.js';
import { ValidationError } from '../api/errors.js';
import type { Db } from '../db/database.js';
import { policyBindings } from '../policies/table.js';
import { selectRows } from '../api/inheritance.js';
import { deleteBindingsOf } from '../policies/targets.js';
import { exactFilters } from '../policies/viewsets.js';
import { flows, flowStageBindings, stages } from './table.js';
import { flowModel, flowStageBindingModel, serializeResolvedStages, stageModel, invalidateStagePlans, type FlowStageBindingRow } from './models.js';
import { planCache } from './cache.js';
import { stageTypes } from './registry.js';
import { flowDiagram } from './diagram.js';
import { FlowNonApplicableError, planFlow } from './plan.js';
import { FlowSession } from './session.js';
import { SESSION_KEY_PLAN } from './executor.js';
import { PLAN_CONTEXT, type FlowRow, type StageRow } from './stage.js';
import { policyHttpRequest } from '../policies/http.js';
import { users } from '../core/table.js';

function choice(column: PgColumn, field: string, allowed: string[]): FilterFn {
  return (value) => {
    if (!allowed.includes(value)) throw ValidationError.field(field, `Select a valid choice. ${value} is not one of the available choices.`);
    return eq(column, value);
  };
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, '\\$&');
}

/** Policy bindings go with the targets that are deleted: a flow's and its stage bindings'. */
async function deleteFlowBindings(tx: Db, flow: FlowRow): Promise<void> {
  const bound = await tx.select({ pbm: flowStageBindings.pbmUuid }).from(flowStageBindings).where(eq(flowStageBindings.targetId, flow.flowUuid));
  await deleteBindingsOf(tx, [flow.pbmUuid, ...bound.map((b) => b.pbm)]);
  planCache.invalidateFlow(flow.flowUuid);
}

/** Deleting a stage deletes its flow bindings, and with them their policy bindings. */
export async function beforeStageDestroy(tx: Db, stage: StageRow): Promise<void> {
  await invalidateStagePlans(tx, stage.stageUuid);
  const bound = await tx.select({ pbm: flowStageBindings.pbmUuid }).from(flowStageBindings).where(eq(flowStageBindings.stageId, stage.stageUuid));
  await deleteBindingsOf(tx, bound.map((b) => b.pbm));
}

/** authentik's `execute`: plans the flow for the caller (as its pending user) in their session, and links to it. */
async function execute(ctx: ApiContext, flow: FlowRow) {
  const [user] = await ctx.services.db.select().from(users).where(eq(users.id, ctx.principal.id)).limit(1);
  const session = await FlowSession.open(ctx.services, ctx.request);
  try {
    const plan = await planFlow({
      services: ctx.services, flow, user: user ?? null, isSuperuser: ctx.principal.isSuperuser, http: policyHttpRequest(ctx.request, session.key),
    }, { useCache: false, context: user ? { [PLAN_CONTEXT.PENDING_USER]: { pk: user.id, username: user.username, email: user.email } } : {} });
    session.set(SESSION_KEY_PLAN, plan);
  } catch (err) {
    if (err instanceof FlowNonApplicableError) {
      return { status: 400, body: { non_field_errors: [`Flow not applicable to current user/request: ${err.messages}`] } };
    }
    throw err;
  }
  await session.save();
  session.applyCookies(ctx.request, ctx.reply);
  return { link: `${ctx.request.protocol}://${ctx.request.host}/if/flow/${encodeURIComponent(flow.slug)}/` };
}

export const flowViewSet: ViewSet<FlowRow> = {
  model: flowModel,
  path: '/flows/instances/',
  lookupParam: 'slug',
  lookupColumn: flows.slug,
  filters: {
    denied_action: choice(flows.deniedAction, 'denied_action', ['continue', 'message', 'message_continue']),
    designation: choice(flows.designation, 'designation', ['authentication', 'authorization', 'enrollment', 'invalidation', 'recovery', 'stage_configuration', 'unenrollment']),
    flow_uuid: filters.uuid(flows.flowUuid),
    name: filters.exact(flows.name),
    slug: filters.exact(flows.slug),
  },
  search: [flows.name, flows.slug, flows.designation, flows.title],
  ordering: { slug: flows.slug, name: flows.name, designation: flows.designation, title: flows.title },
  defaultOrdering: ['slug', 'name'],
  async beforeDestroy(tx, row) {
    await deleteFlowBindings(tx, row);
  },
  actions: [
    { method: 'GET', path: 'cache_info', detail: false, access: 'superuser', handler: async () => ({ count: planCache.count() }) },
    {
      method: 'POST', path: 'cache_clear', detail: false, access: 'superuser',
      async handler() {
        planCache.clear();
        return { status: 204 };
      },
    },
    { method: 'GET', path: 'diagram', detail: true, handler: async (ctx, row) => ({ diagram: await flowDiagram(ctx.services.db, row!) }) },
    { method: 'GET', path: 'execute', detail: true, handler: (ctx, row) => execute(ctx, row!) },
    {
      method: 'POST', path: 'set_background_url', detail: true, requestSchema: 'FilePathRequest',
      async handler(ctx, row, body) {
        await ctx.services.db.update(flows).set({ background: String(body.url) }).where(eq(flows.flowUuid, row!.flowUuid));
        planCache.invalidateFlow(row!.flowUuid);
        return { status: 200 };
      },
    },
  ],
};

const stageName = sql`(select ${stages.name} from ${stages} where ${stages.stageUuid} = ${flowStageBindings.stageId})`;

export const flowStageBindingViewSet: ViewSet<FlowStageBindingRow> = {
  model: flowStageBindingModel,
  path: '/flows/bindings/',
  lookupParam: 'fsb_uuid',
  lookupColumn: flowStageBindings.fsbUuid,
  lookupType: 'uuid',
  filters: {
    ...exactFilters({
      evaluate_on_plan: flowStageBindings.evaluateOnPlan,
      fsb_uuid: flowStageBindings.fsbUuid,
      order: flowStageBindings.order,
      pbm_uuid: flowStageBindings.pbmUuid,
      re_evaluate_policies: flowStageBindings.reEvaluatePolicies,
      stage: flowStageBindings.stageId,
      target: flowStageBindings.targetId,
    }),
    invalid_response_action: choice(flowStageBindings.invalidResponseAction, 'invalid_response_action', ['restart', 'restart_with_context', 'retry']),
    policy_engine_mode: choice(flowStageBindings.policyEngineMode, 'policy_engine_mode', ['all', 'any']),
    policies: (_value, _ctx, all) => {
      for (const value of all) if (!UUID_RE.test(value)) throw ValidationError.field('policies', `“${value}” is not a valid UUID.`);
      return sql`${flowStageBindings.pbmUuid} in (select ${policyBindings.targetId} from ${policyBindings} where ${inArray(policyBindings.policyId, all)})`;
    },
    search: (term) => sql`${stageName} ilike ${`%${escapeLike(term)}%`}`,
  },
  ordering: { order: flowStageBindings.order, pk: flowStageBindings.fsbUuid, target: flowStageBindings.targetId, stage: flowStageBindings.stageId },
  defaultOrdering: ['order'],
  async beforeDestroy(tx, row) {
    await deleteBindingsOf(tx, row.pbmUuid);
    planCache.invalidateFlow(row.targetId);
  },
};

/** The base model as `/stages/all/` shows it: each stage rendered by its own type. */
export const allStagesModel: ModelDefinition<StageRow> = { ...stageModel, serialize: serializeResolvedStages };

async function userSettings(ctx: ApiContext): Promise<Json[]> {
  const types = stageTypes().filter((type) => type.userSettings);
  if (!types.length) return [];
  const rows = await ctx.services.db.select().from(stages).where(inArray(stages.model, types.map((t) => t.modelName))).orderBy(asc(stages.name));
  const out: Json[] = [];
  for (const type of types) {
    const ids = rows.filter((r) => r.model === type.modelName).map((r) => r.stageUuid);
    if (!ids.length) continue;
    const full = (await selectRows(ctx.services.db, type.model).where(inArray(stages.stageUuid, ids))) as (Json & StageRow)[];
    for (const row of full) {
      const setting = type.userSettings!(row);
      if (!setting) continue;
      const entry: Json = { object_uid: row.stageUuid, component: setting.component, title: setting.title };
      if (type.configureFlow?.(row)) entry.configure_url = `/flows/-/configure/${row.stageUuid}/`;
      out.push(entry);
    }
  }
  return out;
}

export const allStagesViewSet: ViewSet<StageRow> = {
  model: allStagesModel,
  path: '/stages/all/',
  lookupParam: 'stage_uuid',
  lookupColumn: stages.stageUuid,
  lookupType: 'uuid',
  operations: ['list', 'retrieve', 'destroy', 'used_by'],
  filters: { name: filters.exact(stages.name) },
  search: [stages.name],
  ordering: { name: stages.name },
  defaultOrdering: ['name'],
  beforeDestroy: (tx, row) => beforeStageDestroy(tx, row),
  actions: [
    {
      method: 'GET', path: 'types', detail: false, access: 'superuser',
      handler: async () => stageTypes()
        .map((type) => ({ name: type.verboseName, description: type.description, component: type.formComponent, model_name: type.modelName.split('.')[1] }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    },
    { method: 'GET', path: 'user_settings', detail: false, access: 'authenticated', handler: (ctx) => userSettings(ctx) },
  ],
};

/** `/stages/<type>/`: CRUD and `used_by` over a stage type, filterable by name and its own fields, ordered by name. */
export function stageTypeViewSet<Row extends StageRow & Json>(model: ModelDefinition<Row>, path: string, own: Record<string, PgColumn> = {}): ViewSet<Row> {
  return {
    model,
    path,
    lookupParam: 'stage_uuid',
    lookupColumn: stages.stageUuid,
    lookupType: 'uuid',
    filters: exactFilters({ name: stages.name, ...own }),
    search: [stages.name],
    ordering: { name: stages.name },
    defaultOrdering: ['name'],
    beforeDestroy: (tx, row) => beforeStageDestroy(tx, row),
  };
}
