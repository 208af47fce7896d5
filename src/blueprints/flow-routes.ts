import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../api/context.js';
import type { ContextFactory } from '../api/viewset.js';
import { ApiError, MethodNotAllowed, NotFound, PermissionDenied } from '../api/errors.js';
import { BlueprintInvalidError, type BlueprintProblem } from './errors.js';
import { dumpBlueprint } from './exporter.js';
import { exportFlow, flowBySlug } from './flow-export.js';
import { applyBlueprint, type EntryResult } from './importer.js';
import { metaApplier } from './instances.js';
import { loadBlueprint } from './loader.js';

const IMPORTER_LOGGER = 'authentik.blueprints.v1.importer';

/** A problem as one of the structlog events authentik's `FlowImportResult.logs` carries. */
function problemLog(problem: BlueprintProblem): Record<string, unknown> {
  return {
    event: 'Blueprint validation error', log_level: 'warning', logger: IMPORTER_LOGGER,
    entry: problem.entry ?? null, model: problem.model ?? null, path: problem.path ?? null, error: problem.message,
  };
}

function entryLog(entry: EntryResult): Record<string, unknown> {
  return { event: `entry ${entry.action}`, log_level: 'debug', logger: IMPORTER_LOGGER, entry: entry.index, model: entry.model, pk: entry.pk ?? null };
}

/** The upload's `file` part (the first one), or undefined. */
async function uploadedFile(request: FastifyRequest): Promise<Buffer | undefined> {
  let file: Buffer | undefined;
  for await (const part of request.parts()) {
    if (part.type !== 'file') continue;
    const data = await part.toBuffer();
    if (part.fieldname === 'file' && !file) file = data;
  }
  return file;
}

/**
 * `/flows/instances/{slug}/export/` and `/flows/instances/import/` (authentik's `FlowViewSet.export` and
 * `import_flow`): a flow as a blueprint file, and a blueprint file applied. Superusers only, as authentik asks
 * for the permissions to change every model a flow export holds. The import answers 200 with the result, as
 * authentik does (its schema says 204, which could not carry the result its UI reads).
 */
export function flowTransferRoutes(app: FastifyInstance, services: Services, makeContext: ContextFactory): void {
  app.get<{ Params: { slug: string } }>('/api/v3/flows/instances/:slug/export/', async (request, reply) => {
    const ctx = await makeContext(request, reply);
    if (!ctx.principal.isSuperuser) throw new PermissionDenied();
    const flow = await flowBySlug(ctx, request.params.slug);
    if (!flow) throw new NotFound();
    const yaml = dumpBlueprint(await exportFlow(ctx, flow));
    return reply.header('content-type', 'text/yaml; charset=utf-8')
      .header('content-disposition', `attachment; filename="${flow.slug.replace(/[^A-Za-z0-9_-]/g, '_')}.yaml"`)
      .send(yaml);
  });

  const importUrl = '/api/v3/flows/instances/import/';
  app.register(async (scope) => {
    await scope.register(multipart, { limits: { files: 1, fileSize: services.config.body_limit, fields: 10, fieldSize: 1024, parts: 12 } });
    scope.post(importUrl, async (request, reply) => {
      const ctx = await makeContext(request, reply);
      if (!ctx.principal.isSuperuser) throw new PermissionDenied();
      if (!request.isMultipart()) {
        throw new ApiError(415, { detail: `Unsupported media type "${String(request.headers['content-type'] ?? '')}" in request.` });
      }
      const file = await uploadedFile(request);
      if (!file) return reply.code(400).send({ logs: [], success: false });
      let blueprint;
      try {
        blueprint = loadBlueprint(file.toString('utf8'));
      } catch (err) {
        if (!(err instanceof BlueprintInvalidError)) throw err;
        return reply.code(200).send({ logs: err.problems.map(problemLog), success: false });
      }
      const result = await applyBlueprint(services, blueprint, { meta: metaApplier(services, []) });
      const logs = [...result.entries.map(entryLog), ...result.problems.map(problemLog),
        ...result.warnings.map((warning) => ({ event: warning, log_level: 'warning', logger: IMPORTER_LOGGER }))];
      return reply.code(200).send({ logs, success: result.ok });
    });
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE'] as const) {
      scope.route({ method, url: importUrl, handler: async (request, reply) => {
        await makeContext(request, reply);
        throw new MethodNotAllowed(method);
      } });
    }
  });
}
