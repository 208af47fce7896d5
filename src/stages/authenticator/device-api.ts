import { and, eq } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Json, ModelDefinition } from '../../api/model.js';
import type { ViewSet } from '../../api/viewset.js';
import { filters } from '../../api/filters.js';

export interface DeviceColumns {
  id: PgColumn;
  userId: PgColumn;
  name: PgColumn;
  confirmed: PgColumn;
}

/**
 * A device type's two viewsets, as authentik's: `/authenticators/<type>/` where every caller (superusers too) sees
 * and manages only their own confirmed devices, and `/authenticators/admin/<type>/` where superusers manage all.
 */
export function deviceViewSets<Row extends Json>(model: ModelDefinition<Row>, type: string, columns: DeviceColumns): [ViewSet<Row>, ViewSet<Row>] {
  const common = {
    model,
    lookupParam: 'id',
    lookupColumn: columns.id,
    lookupType: 'integer' as const,
    filters: { name: filters.exact(columns.name) },
    search: [columns.name],
    ordering: { name: columns.name, pk: columns.id },
    defaultOrdering: ['name'],
  };
  const own: ViewSet<Row> = {
    ...common,
    path: `/authenticators/${type}/`,
    operations: ['list', 'retrieve', 'update', 'destroy', 'used_by'],
    restrict: (ctx) => and(eq(columns.userId, ctx.principal.id), eq(columns.confirmed, true)),
    access: { list: 'authenticated', retrieve: 'authenticated', update: 'authenticated', destroy: 'authenticated', used_by: 'authenticated' },
  };
  const admin: ViewSet<Row> = {
    ...common,
    path: `/authenticators/admin/${type}/`,
    operations: ['list', 'create', 'retrieve', 'update', 'destroy'],
  };
  return [own, admin];
}
