import { inArray, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { FilterFn, Json, ModelDefinition } from '../api/model.js';
import type { ViewSet } from '../api/viewset.js';
import { filters } from '../api/filters.js';
import { propertyMappings } from './table.js';
import { propertyMappingChanged, type PropertyMappingRow } from './model.js';

interface MappingViewSetOptions {
  path: string;
  /** Filters beyond the base's (`name`, `managed`, `expression`, `pm_uuid`). */
  filters?: Record<string, FilterFn>;
  search?: (PgColumn | SQL)[];
  ordering?: Record<string, PgColumn | SQL>;
  defaultOrdering?: string[];
  requestSchema?: string;
}

/** A mapping type's `/propertymappings/<type>/` viewset: authentik's `UsedByMixin, ModelViewSet` with the base's filters. */
export function propertyMappingViewSet<Row extends PropertyMappingRow & Json>(model: ModelDefinition<Row>, options: MappingViewSetOptions): ViewSet<Row> {
  return {
    model,
    path: options.path,
    lookupParam: 'pm_uuid',
    lookupColumn: propertyMappings.pmUuid,
    lookupType: 'uuid',
    requestSchema: options.requestSchema,
    filters: {
      name: filters.exact(propertyMappings.name),
      expression: filters.exact(propertyMappings.expression),
      pm_uuid: filters.uuid(propertyMappings.pmUuid),
      managed: (_value, _ctx, all) => inArray(propertyMappings.managed, all),
      ...options.filters,
    },
    search: [propertyMappings.name, ...(options.search ?? [])],
    ordering: { name: propertyMappings.name, ...options.ordering },
    defaultOrdering: options.defaultOrdering ?? ['name'],
    afterCommit: (ctx) => propertyMappingChanged(ctx.services.db, undefined),
    async beforeDestroy(tx, row) {
      propertyMappingChanged(tx, row.pmUuid);
    },
  };
}
