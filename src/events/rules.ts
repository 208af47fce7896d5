import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { ModelDefinition } from '../api/model.js';
import type { ViewSet } from '../api/viewset.js';
import { filters } from '../api/filters.js';
import { ValidationError } from '../api/errors.js';
import { doesNotExist, firstMissing } from '../api/references.js';
import type { Db } from '../db/database.js';
import { groups } from '../core/table.js';
import { groupModel } from '../core/groups/model.js';
import { deleteBindingsOf } from '../policies/targets.js';
import { notificationRules, notificationRuleTransports, notificationTransports } from './table.js';

export type NotificationRuleRow = typeof notificationRules.$inferSelect;

async function setRuleTransports(tx: Db, ruleId: unknown, value: unknown): Promise<void> {
  const id = String(ruleId);
  await tx.delete(notificationRuleTransports).where(eq(notificationRuleTransports.ruleId, id));
  const ids = [...new Set((value as string[] | null) ?? [])];
  if (ids.length) await tx.insert(notificationRuleTransports).values(ids.map((transportId) => ({ ruleId: id, transportId })));
}

export const notificationRuleModel: ModelDefinition<NotificationRuleRow> = {
  name: 'authentik_events.notificationrule',
  verboseName: 'Notification Rule',
  verboseNamePlural: 'Notification Rules',
  table: notificationRules,
  pk: notificationRules.pbmUuid,
  requestSchema: 'NotificationRuleRequest',
  fields: {
    name: { column: notificationRules.name },
    severity: { column: notificationRules.severity },
    group: { column: notificationRules.group },
  },
  relations: { transports: setRuleTransports },
  uniqueFields: { authentik_events_notificationrule_name_unique: 'name' },
  displayName: (row) => `Notification Rule ${row.name}`,
  async serialize(rows, ctx) {
    const db = ctx.services.db;
    const ids = rows.map((r) => r.pbmUuid);
    const groupIds = [...new Set(rows.map((r) => r.group).filter((g): g is string => g !== null))];
    const [links, groupRows] = await Promise.all([
      ids.length ? db.select().from(notificationRuleTransports).where(inArray(notificationRuleTransports.ruleId, ids))
        .orderBy(asc(notificationRuleTransports.transportId)) : [],
      groupIds.length ? db.select().from(groups).where(inArray(groups.groupUuid, groupIds)) : [],
    ]);
    const rendered = new Map((await groupModel.serialize(groupRows, ctx)).map((g) => [String(g.pk), g]));
    return rows.map((row) => ({
      pk: row.pbmUuid,
      name: row.name,
      transports: links.filter((l) => l.ruleId === row.pbmUuid).map((l) => l.transportId),
      severity: row.severity,
      group: row.group,
      group_obj: row.group ? rendered.get(row.group) ?? null : null,
    }));
  },
  async validate(data, ctx) {
    const db = ctx.services.db;
    const errors: Record<string, string[]> = {};
    if (typeof data.group === 'string') {
      const [group] = await db.select({ id: groups.groupUuid }).from(groups).where(eq(groups.groupUuid, data.group)).limit(1);
      if (!group) errors.group = [doesNotExist(data.group)];
    }
    const missing = Array.isArray(data.transports) ? await firstMissing(db, notificationTransports.uuid, data.transports as string[]) : undefined;
    if (missing) errors.transports = [doesNotExist(missing)];
    if (Object.keys(errors).length) throw new ValidationError(errors);
  },
};

export const notificationRuleViewSet: ViewSet<NotificationRuleRow> = {
  model: notificationRuleModel,
  path: '/events/rules/',
  lookupParam: 'pbm_uuid',
  lookupColumn: notificationRules.pbmUuid,
  lookupType: 'uuid',
  filters: {
    name: filters.exact(notificationRules.name),
    severity: filters.exact(notificationRules.severity),
    group__name: (value) => sql`${notificationRules.group} in (select ${groups.groupUuid} from ${groups} where ${groups.name} = ${value})`,
  },
  search: [notificationRules.name],
  ordering: { name: notificationRules.name },
  defaultOrdering: ['name'],
  async beforeDestroy(tx, row) {
    await deleteBindingsOf(tx, row.pbmUuid);
  },
};
