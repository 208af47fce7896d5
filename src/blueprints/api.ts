import type { ViewSet } from '../api/viewset.js';
import { filters } from '../api/filters.js';
import { NotFound } from '../api/errors.js';
import { findBlueprintFiles } from './files.js';
import { applyInstanceById } from './instances.js';
import { blueprintInstanceModel } from './model.js';
import { blueprintInstances, type BlueprintInstanceRow } from './table.js';

export const blueprintInstanceViewSet: ViewSet<BlueprintInstanceRow> = {
  model: blueprintInstanceModel,
  path: '/managed/blueprints/',
  lookupParam: 'instance_uuid',
  lookupColumn: blueprintInstances.instanceUuid,
  lookupType: 'uuid',
  requestSchema: 'BlueprintInstanceRequest',
  filters: {
    name: filters.exact(blueprintInstances.name),
    path: filters.exact(blueprintInstances.path),
  },
  search: [blueprintInstances.name, blueprintInstances.path],
  ordering: {
    name: blueprintInstances.name, path: blueprintInstances.path, status: blueprintInstances.status,
    enabled: blueprintInstances.enabled, last_applied: blueprintInstances.lastApplied,
  },
  defaultOrdering: ['name'],
  // Saving an instance reconciles it, as authentik does for blueprints stored in the database.
  afterCommit(ctx, row) {
    if (!row.enabled) return;
    applyInstanceById(ctx.services, row.instanceUuid).catch((err: unknown) => {
      ctx.services.log.error({ err: { message: (err as Error).message }, blueprint: row.name }, 'blueprint apply failed');
    });
  },
  actions: [
    {
      method: 'GET', path: 'available', detail: false, access: 'superuser',
      async handler(ctx) {
        const files = await findBlueprintFiles(ctx.services.config, ctx.services.log);
        return files.map((file) => ({
          path: file.path,
          last_m: file.lastModified.toISOString(),
          hash: file.hash,
          // The schema requires `meta`; a file without metadata is named by its path, as instances of it are.
          meta: file.meta ?? { name: file.path, labels: {} },
        }));
      },
    },
    {
      method: 'POST', path: 'apply', detail: true, access: 'superuser',
      async handler(ctx, row) {
        const outcome = await applyInstanceById(ctx.services, row!.instanceUuid);
        if (!outcome) throw new NotFound();
        return (await blueprintInstanceModel.serialize([outcome.instance], ctx))[0];
      },
    },
  ],
};
