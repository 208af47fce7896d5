import { createHash } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ModelContext, Services } from '../api/context.js';
import type { Json } from '../api/model.js';
import type { ContextFactory } from '../api/viewset.js';
import { authenticate } from '../api/auth.js';
import { MethodNotAllowed, NotFound, PermissionDenied } from '../api/errors.js';
import { selectRows } from '../api/inheritance.js';
import { users } from '../core/table.js';
import { tenantForHost } from '../core/tenants/current.js';
import { sanitizeContext } from '../events/sanitize.js';
import { evaluateBindings, type PolicyEngineMode } from '../policies/engine.js';
import { policyHttpRequest } from '../policies/http.js';
import { flows, flowStageBindings, stages } from './table.js';
import { flowStageBindingModel } from './models.js';
import { FlowExecutor, SESSION_KEY_HISTORY, SESSION_KEY_PLAN, type ExecutorResponse } from './executor.js';
import { FlowNonApplicableError, planFlow, type FlowPlan } from './plan.js';
import { FlowSession } from './session.js';
import { stageTypeFor } from './registry.js';
import { sameSiteUrl } from './urls.js';
import { PLAN_CONTEXT, type FlowRow } from './stage.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function queryString(request: FastifyRequest): string {
  const index = request.url.indexOf('?');
  return index >= 0 ? request.url.slice(index) : '';
}

function send(reply: FastifyReply, response: ExecutorResponse) {
  if (response.status === 302 && response.location) return reply.code(302).header('location', response.location).send();
  return reply.code(response.status).send(response.body);
}

/** A flow bound to the request's tenant for a designation, else the first by slug whose policies let the user in. */
async function defaultFlow(services: Services, request: FastifyRequest, designation: string): Promise<FlowRow | undefined> {
  const tenant = await tenantForHost(services, request.host);
  const tenantFlow = designation === 'authentication' ? tenant.flowAuthentication : designation === 'invalidation' ? tenant.flowInvalidation : null;
  if (tenantFlow) {
    const [flow] = await services.db.select().from(flows).where(eq(flows.flowUuid, tenantFlow)).limit(1);
    if (flow) return flow;
  }
  const principal = await authenticate(services, request).catch(() => undefined);
  const [user] = principal ? await services.db.select().from(users).where(eq(users.id, principal.id)).limit(1) : [];
  const candidates = await services.db.select().from(flows).where(eq(flows.designation, designation)).orderBy(asc(flows.slug));
  for (const flow of candidates) {
    const result = await evaluateBindings(services, { pbmUuid: flow.pbmUuid, policyEngineMode: flow.policyEngineMode as PolicyEngineMode }, {
      user: user ?? null, httpRequest: policyHttpRequest(request), context: {}, obj: flow,
    });
    if (result.passing) return flow;
  }
  return undefined;
}

/** authentik's `FlowInspectorPlanSerializer`. */
async function inspectPlan(ctx: ModelContext, plan: FlowPlan, sessionKey: string): Promise<Json> {
  const ids = plan.bindings.slice(0, 2).map((b) => b.fsbUuid);
  const rows = await Promise.all(ids.map(async (id) => (await ctx.services.db.select().from(flowStageBindings).where(eq(flowStageBindings.fsbUuid, id)).limit(1))[0]));
  const [current, upcoming] = await Promise.all(rows.map(async (row) => (row ? (await flowStageBindingModel.serialize([row], ctx))[0] : null)));
  return {
    current_stage: current ?? null,
    next_planned_stage: upcoming ?? null,
    plan_context: sanitizeContext(plan.context),
    session_id: createHash('sha256').update(sessionKey).digest('hex'),
  };
}

export function flowRoutes(app: FastifyInstance, services: Services, makeContext: ContextFactory): void {
  const executorUrl = '/api/v3/flows/executor/:flow_slug/';
  for (const method of METHODS) {
    app.route<{ Params: { flow_slug: string } }>({
      method,
      url: executorUrl,
      async handler(request, reply) {
        if (method !== 'GET' && method !== 'POST') {
          await authenticate(services, request);
          throw new MethodNotAllowed(method);
        }
        const executor = new FlowExecutor(services, request, reply);
        return send(reply, await executor.dispatch(request.params.flow_slug, method));
      },
    });
  }

  app.get<{ Params: { flow_slug: string } }>('/api/v3/flows/inspector/:flow_slug/', async (request, reply) => {
    const ctx = await makeContext(request, reply);
    if (!ctx.principal.isSuperuser) throw new PermissionDenied();
    const [flow] = await services.db.select().from(flows).where(eq(flows.slug, request.params.flow_slug)).limit(1);
    if (!flow) throw new NotFound();
    const session = await FlowSession.open(services, request);
    const history = session.get(SESSION_KEY_HISTORY) as FlowPlan[] | undefined;
    if (!history || !session.key) return reply.code(400).send();
    const sessionKey = session.key;
    let current = session.get(SESSION_KEY_PLAN) as FlowPlan | undefined;
    let completed = false;
    if (!current) {
      current = history[history.length - 1];
      if (!current) return reply.code(400).send();
      completed = true;
    }
    return {
      plans: await Promise.all(history.map((plan) => inspectPlan(ctx, plan, sessionKey))),
      current_plan: await inspectPlan(ctx, current, sessionKey),
      is_completed: completed,
    };
  });

  app.get<{ Params: { designation: string } }>('/flows/-/default/:designation/', async (request, reply) => {
    const flow = await defaultFlow(services, request, request.params.designation);
    if (!flow) throw new NotFound();
    const session = await FlowSession.open(services, request);
    const plan = session.get(SESSION_KEY_PLAN) as FlowPlan | undefined;
    if (plan && plan.flowPk !== flow.flowUuid) {
      session.delete(SESSION_KEY_PLAN);
      await session.save();
    }
    return reply.redirect(`/if/flow/${encodeURIComponent(flow.slug)}/${queryString(request)}`);
  });

  app.get<{ Querystring: { next?: string } }>('/flows/-/cancel/', async (request, reply) => {
    const session = await FlowSession.open(services, request);
    session.delete(SESSION_KEY_PLAN);
    await session.save();
    const next = request.query.next ? sameSiteUrl(request.query.next, request) : undefined;
    return reply.redirect(next ?? '/flows/-/default/invalidation/');
  });

  app.get<{ Params: { stage_uuid: string } }>('/flows/-/configure/:stage_uuid/', async (request, reply) => {
    const principal = await authenticate(services, request).catch(() => undefined);
    if (!principal) return reply.redirect(`/flows/-/default/authentication/?next=${encodeURIComponent(request.url)}`);
    if (!/^[0-9a-f-]{36}$/i.test(request.params.stage_uuid)) throw new NotFound();
    const [base] = await services.db.select().from(stages).where(eq(stages.stageUuid, request.params.stage_uuid)).limit(1);
    const type = base ? stageTypeFor(base.model) : undefined;
    if (!base || !type?.configureFlow) throw new NotFound();
    const [row] = await selectRows(services.db, type.model).where(eq(stages.stageUuid, base.stageUuid)).limit(1);
    const flowId = row ? type.configureFlow(row as never) : null;
    const [flow] = flowId ? await services.db.select().from(flows).where(eq(flows.flowUuid, flowId)).limit(1) : [];
    if (!flow) throw new NotFound();
    const [user] = await services.db.select().from(users).where(eq(users.id, principal.id)).limit(1);
    const session = await FlowSession.open(services, request);
    try {
      const plan = await planFlow({ services, flow, user, isSuperuser: principal.isSuperuser, http: policyHttpRequest(request, session.key) }, {
        context: { [PLAN_CONTEXT.PENDING_USER]: { pk: user.id, username: user.username, email: user.email } },
      });
      session.set(SESSION_KEY_PLAN, plan);
    } catch (err) {
      if (err instanceof FlowNonApplicableError) throw new NotFound();
      throw err;
    }
    await session.save();
    session.applyCookies(request, reply);
    return reply.redirect(`/if/flow/${encodeURIComponent(flow.slug)}/`);
  });

  app.get<{ Params: { slug: string } }>('/flows/:slug/', async (request, reply) => (
    reply.redirect(`/if/flow/${encodeURIComponent(request.params.slug)}/${queryString(request)}`)
  ));
}
