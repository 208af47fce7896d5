import type { ModelDefinition } from '../api/model.js';
import { timestampOut } from '../api/model.js';
import { ErrorCollector, ValidationError } from '../api/errors.js';
import { BlueprintInvalidError, describeProblem } from './errors.js';
import { findBlueprintFiles } from './files.js';
import { applyBlueprint } from './importer.js';
import { metaApplier } from './instances.js';
import { loadBlueprint } from './loader.js';
import { isMapping } from './tags.js';
import { blueprintInstances, type BlueprintInstanceRow } from './table.js';

export const blueprintInstanceModel: ModelDefinition<BlueprintInstanceRow> = {
  name: 'authentik_blueprints.blueprintinstance',
  verboseName: 'Blueprint Instance',
  verboseNamePlural: 'Blueprint Instances',
  table: blueprintInstances,
  pk: blueprintInstances.instanceUuid,
  requestSchema: 'BlueprintInstanceRequest',
  fields: {
    name: { column: blueprintInstances.name },
    path: { column: blueprintInstances.path },
    context: { column: blueprintInstances.context },
    enabled: { column: blueprintInstances.enabled },
    content: { column: blueprintInstances.content },
  },
  displayName: (row) => `Blueprint Instance ${row.name}`,
  async serialize(rows) {
    return rows.map((row) => ({
      pk: row.instanceUuid,
      name: row.name,
      path: row.path,
      context: row.context,
      last_applied: timestampOut(row.lastApplied),
      last_applied_hash: row.lastAppliedHash,
      status: row.status,
      enabled: row.enabled,
      managed_models: row.managedModels,
      metadata: row.metadata,
      content: row.content,
    }));
  },
  /** authentik's serializer: a path must name an available file, content must be a blueprint that applies. */
  async validate(data, ctx, existing) {
    const errors = new ErrorCollector();
    const path = String(data.path ?? existing?.path ?? '');
    const content = String(data.content ?? existing?.content ?? '');
    const context = data.context ?? existing?.context ?? {};
    if (!isMapping(context)) errors.add('context', `Expected a dictionary of items but got type "${Array.isArray(context) ? 'list' : typeof context}".`);
    if (path === '' && content === '') throw ValidationError.nonField('Either path or content must be set.');
    if ('path' in data && path !== '') {
      if (path.startsWith('oci://')) errors.add('path', 'OCI blueprints are not supported by authentik-ts.');
      else if (!(await findBlueprintFiles(ctx.services.config)).some((file) => file.path === path)) errors.add('path', 'Blueprint file does not exist');
    }
    if ('content' in data && content !== '' && errors.empty) {
      let messages: string[] = [];
      try {
        const result = await applyBlueprint(ctx.services, loadBlueprint(content), {
          context: context as Record<string, unknown>, dryRun: true, tx: ctx.services.db, meta: metaApplier(ctx.services, existing ? [existing.instanceUuid] : []),
        });
        messages = result.problems.map(describeProblem);
      } catch (err) {
        if (!(err instanceof BlueprintInvalidError)) throw err;
        messages = err.problems.map(describeProblem);
      }
      if (messages.length) for (const message of ['Failed to validate blueprint', ...messages.map((m) => `- ${m}`)]) errors.add('content', message);
    }
    errors.throwIfAny();
  },
};
