import { eq, isNull, not } from 'drizzle-orm';
import type { ModelDefinition } from '../api/model.js';
import type { ViewSet } from '../api/viewset.js';
import { ValidationError } from '../api/errors.js';
import { users } from '../core/table.js';
import { policyHttpRequest } from '../policies/http.js';
import { propertyMappings } from './table.js';
import { propertyMappingModel, propertyMappingChanged, serializeResolvedPropertyMappings, type PropertyMappingRow } from './model.js';
import { propertyMappingTypes } from './types.js';
import { evaluateMapping } from './evaluate.js';

/** Python's `json.dumps` spacing (`", "`, `": "`), or its indented form, for a mapping's result. */
export function pythonJson(value: unknown, indent?: number): string {
  if (indent) return JSON.stringify(value ?? null, null, indent);
  return JSON.stringify(value ?? null).replace(/("(?:[^"\\]|\\.)*")|([,:])/g, (match, string: string | undefined, punct: string | undefined) => (string ?? `${punct} `));
}

/** The base model as `/propertymappings/all/` shows it: each mapping rendered by its own type. */
export const allPropertyMappingsModel: ModelDefinition<PropertyMappingRow> = { ...propertyMappingModel, serialize: serializeResolvedPropertyMappings };

export const allPropertyMappingsViewSet: ViewSet<PropertyMappingRow> = {
  model: allPropertyMappingsModel,
  path: '/propertymappings/all/',
  lookupParam: 'pm_uuid',
  lookupColumn: propertyMappings.pmUuid,
  lookupType: 'uuid',
  operations: ['list', 'retrieve', 'destroy', 'used_by'],
  filters: {
    managed__isnull: (value) => {
      const lowered = value.toLowerCase();
      if (!['true', 'false', '1', '0'].includes(lowered)) throw ValidationError.field('managed__isnull', 'Enter a valid boolean.');
      return lowered === 'true' || lowered === '1' ? isNull(propertyMappings.managed) : not(isNull(propertyMappings.managed));
    },
  },
  search: [propertyMappings.name],
  ordering: { name: propertyMappings.name },
  defaultOrdering: ['name'],
  async beforeDestroy(tx, row) {
    propertyMappingChanged(tx, row.pmUuid);
  },
  actions: [
    {
      method: 'GET', path: 'types', detail: false, access: 'superuser',
      handler: async () => propertyMappingTypes()
        .map((type) => ({ name: type.verboseName, description: type.description, component: type.component, model_name: type.modelName.split('.')[1] }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    },
    {
      method: 'POST', path: 'test', detail: true, access: 'superuser', requestSchema: 'PolicyTestRequest',
      async handler(ctx, mapping, body) {
        const query = ctx.request.query as Record<string, string | undefined>;
        const formatted = ['true', '1'].includes(String(query.format_result ?? '').toLowerCase());
        const [user] = await ctx.services.db.select().from(users).where(eq(users.id, Number(body.user))).limit(1);
        // The schema's 400 carries no body (authentik answers a bare 400 for an unknown user).
        if (!user) return { status: 400 };
        try {
          const result = await evaluateMapping(ctx.services, mapping!, {
            user,
            httpRequest: policyHttpRequest(ctx.request, ctx.principal.sessionKey),
            globals: (body.context as Record<string, unknown> | undefined) ?? {},
          });
          return { result: pythonJson(result, formatted ? 4 : undefined), successful: true };
        } catch (err) {
          return { result: (err as Error).message, successful: false };
        }
      },
    },
  ],
};
