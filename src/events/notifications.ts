import { and, eq, inArray } from 'drizzle-orm';
import type { ModelDefinition } from '../api/model.js';
import { timestampOut } from '../api/model.js';
import type { ViewSet } from '../api/viewset.js';
import { filters } from '../api/filters.js';
import { ValidationError } from '../api/errors.js';
import { eventModel } from './api.js';
import { events, notifications } from './table.js';

export type NotificationRow = typeof notifications.$inferSelect;

export const notificationModel: ModelDefinition<NotificationRow> = {
  name: 'authentik_events.notification',
  verboseName: 'Notification',
  verboseNamePlural: 'Notifications',
  table: notifications,
  pk: notifications.uuid,
  requestSchema: 'NotificationRequest',
  // Only `seen` changes: the event is what the notification is about, not something its reader edits.
  fields: { seen: { column: notifications.seen } },
  displayName: (row) => `Notification for user ${row.user}: ${row.body.length > 75 ? `${row.body.slice(0, 75)}..` : row.body}`,
  async serialize(rows, ctx) {
    const eventIds = [...new Set(rows.map((r) => r.event).filter((e): e is string => e !== null))];
    const eventRows = eventIds.length ? await ctx.services.db.select().from(events).where(inArray(events.eventUuid, eventIds)) : [];
    const rendered = new Map((await eventModel.serialize(eventRows, ctx)).map((e) => [String(e.pk), e]));
    return rows.map((row) => ({
      pk: row.uuid,
      severity: row.severity,
      body: row.body,
      created: timestampOut(row.created),
      event: row.event ? rendered.get(row.event) ?? null : null,
      seen: row.seen,
    }));
  },
};

/** Each user's own notifications, superusers included, as authentik's `NotificationViewSet.get_queryset`. */
export const notificationViewSet: ViewSet<NotificationRow> = {
  model: notificationModel,
  path: '/events/notifications/',
  lookupParam: 'uuid',
  lookupColumn: notifications.uuid,
  lookupType: 'uuid',
  operations: ['list', 'retrieve', 'update', 'destroy', 'used_by'],
  access: { list: 'authenticated', retrieve: 'authenticated', update: 'authenticated', destroy: 'authenticated', used_by: 'authenticated' },
  restrict: (ctx) => eq(notifications.user, ctx.principal.id),
  filters: {
    body: filters.exact(notifications.body),
    created: (value) => {
      const when = new Date(value);
      if (Number.isNaN(when.getTime())) throw ValidationError.field('created', 'Enter a valid date/time.');
      return eq(notifications.created, when);
    },
    event: filters.uuid(notifications.event),
    seen: filters.boolean(notifications.seen),
    severity: filters.exact(notifications.severity),
    user: filters.integer(notifications.user),
  },
  search: [notifications.body],
  ordering: { created: notifications.created, severity: notifications.severity, seen: notifications.seen },
  defaultOrdering: ['-created'],
  actions: [
    {
      method: 'POST', path: 'mark_all_seen', detail: false, access: 'authenticated',
      async handler(ctx) {
        await ctx.services.db.update(notifications).set({ seen: true })
          .where(and(eq(notifications.user, ctx.principal.id), eq(notifications.seen, false)));
        return { status: 204 };
      },
    },
  ],
};
