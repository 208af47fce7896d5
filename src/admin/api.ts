import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../api/context.js';
import type { ContextFactory } from '../api/viewset.js';
import { registerEndpoint, type Endpoint } from '../api/endpoint.js';
import { installedApps, installedModels } from './meta.js';
import { loginMetrics } from './metrics.js';
import { systemInfo } from './system.js';
import { findTask, listTasks, retryTask, taskName, type TaskRow } from './tasks.js';
import { versionInfo } from './version.js';

/** authentik's `TaskSerializer`: the duration in whole seconds, as its timers measure it. */
function renderTask(row: TaskRow) {
  return {
    task_name: taskName(row),
    task_description: row.description,
    task_finish_timestamp: row.finishTimestamp.toISOString(),
    task_duration: Math.round(row.duration / 1000),
    status: row.status,
    messages: row.messages,
  };
}

/** The schema declares these 404s without a body ("Task not found"). */
function taskNotFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).send();
}

function taskId(params: unknown): string {
  return (params as { id: string }).id;
}

/**
 * The `admin` tag. Permissions follow authentik 2023.10: version, apps, models and metrics for any
 * authenticated user (metrics count only the events the caller may view); system info, workers and system
 * tasks for superusers (authentik's `view_system_info`/`view_system_tasks`/`run_system_tasks` permissions).
 */
const endpoints: Endpoint[] = [
  { path: '/admin/version/', access: 'authenticated', methods: { GET: async (ctx) => versionInfo(ctx.services.config) } },
  {
    path: '/admin/system/',
    access: 'superuser',
    methods: {
      GET: async (ctx) => systemInfo(ctx.services, ctx.request),
      POST: async (ctx) => systemInfo(ctx.services, ctx.request),
    },
  },
  { path: '/admin/apps/', access: 'authenticated', methods: { GET: async () => installedApps() } },
  { path: '/admin/models/', access: 'authenticated', methods: { GET: async () => installedModels() } },
  // Jobs run in this process until a job queue exists: it is the one worker.
  { path: '/admin/workers/', access: 'superuser', methods: { GET: async () => ({ count: 1 }) } },
  { path: '/admin/metrics/', access: 'authenticated', methods: { GET: async (ctx) => loginMetrics(ctx.services.db, ctx.principal) } },
  { path: '/admin/system_tasks/', access: 'superuser', methods: { GET: async (ctx) => (await listTasks(ctx.services.db)).map(renderTask) } },
  {
    path: '/admin/system_tasks/:id/',
    access: 'superuser',
    methods: {
      GET: async (ctx) => {
        const row = await findTask(ctx.services.db, taskId(ctx.request.params));
        if (!row) return taskNotFound(ctx.reply);
        return renderTask(row);
      },
    },
  },
  {
    path: '/admin/system_tasks/:id/retry/',
    access: 'superuser',
    methods: {
      POST: async (ctx) => {
        const row = await findTask(ctx.services.db, taskId(ctx.request.params));
        if (!row) return taskNotFound(ctx.reply);
        if (await retryTask(ctx.services, row)) return undefined;
        return ctx.reply.code(500).send();
      },
    },
  },
];

export function adminRoutes(app: FastifyInstance, services: Services, makeContext: ContextFactory): void {
  for (const endpoint of endpoints) registerEndpoint(app, services, makeContext, endpoint);
}
