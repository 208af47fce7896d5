import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Services } from '../api/context.js';
import type { Database, Db } from '../db/database.js';
import { configSnapshot, throughSnapshot } from '../db/snapshot.js';
import { userGroups, users } from '../core/table.js';
import { policyBindings } from '../policies/table.js';
import { evaluateBindings } from '../policies/engine.js';
import { recordEvent, type EventRow } from './record.js';
import { eventSummary } from './summary.js';
import { events, notificationRules, notificationRuleTransports, notificationTransports } from './table.js';
import { sendThroughTransport } from './transport-send.js';

type RuleRow = typeof notificationRules.$inferSelect;
type TransportRow = typeof notificationTransports.$inferSelect;
type UserRow = typeof users.$inferSelect;

/** First key of the advisory locks that tie a delivery to the transaction that recorded its event ("aknt"). */
const LOCK_CLASS = 0x616b6e74;
const APP = 'authentik.events.tasks';
/** Marks the events a failed delivery records, which are never delivered themselves (two failing transports would ping-pong). */
const FAILED_DELIVERY = 'notification_transport';

const lockOf = (eventUuid: string) => sql`select pg_advisory_xact_lock(${LOCK_CLASS}::int, ${Number.parseInt(eventUuid.slice(0, 8), 16) | 0}::int)`;

interface Queue {
  /** The last delivery started: the next one runs after it. */
  tail: Promise<void>;
  running: number;
}

const queues = new WeakMap<Database, Queue>();

/** Resolves once every delivery started for this database has finished (tests wait on it instead of sleeping). */
export async function notificationsSettled(services: Services): Promise<void> {
  const queue = queues.get(services.database);
  while (queue?.running) await queue.tail;
}

/**
 * The `onEventRecorded` listener: starts delivering the event's notifications once it is committed, without
 * making the caller wait. An event written in a transaction takes a transaction-level advisory lock there; the
 * delivery takes the same lock, so it runs after that transaction ends, and finds the event only if it committed.
 * Deliveries run one at a time per database, in the order their events were recorded, so that at most one
 * connection waits on such a lock.
 */
export async function deliverNotificationsFor(services: Services, event: EventRow, db: Db): Promise<void> {
  const root = services.database.db;
  const inTransaction = db !== root;
  if (inTransaction) await db.execute(lockOf(event.eventUuid));
  const queue = queues.get(services.database) ?? queues.set(services.database, { tail: Promise.resolve(), running: 0 }).get(services.database)!;
  queue.running += 1;
  queue.tail = queue.tail
    .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
    .then(() => deliver({ ...services, db: root }, event, inTransaction))
    .catch((err: unknown) => services.log.warn({ err: (err as Error).message, event: event.eventUuid }, 'notification delivery failed'))
    .finally(() => {
      queue.running -= 1;
    });
}

async function deliver(rootServices: Services, recorded: EventRow, afterTransaction: boolean): Promise<void> {
  const db = rootServices.db;
  // Every event of a login is checked against every rule: rules, their bindings and policies come from memory.
  const services = { ...rootServices, snapshot: await configSnapshot(rootServices.database) };
  const rules = await throughSnapshot(services, 'notification-rules', () => db.select().from(notificationRules).orderBy(asc(notificationRules.name)));
  if (!rules.length) return;
  let event: EventRow | undefined = recorded;
  if (afterTransaction) {
    // Written in a transaction: delivered only once that transaction committed it.
    await db.transaction(async (tx) => void (await tx.execute(lockOf(recorded.eventUuid))));
    [event] = await db.select().from(events).where(eq(events.eventUuid, recorded.eventUuid)).limit(1);
  }
  if (!event || FAILED_DELIVERY in event.context) return;
  if (await raisedByRulePolicy(db, event, rules)) return;
  for (const rule of rules) await applyRule(services, event, rule);
}

/**
 * authentik's loop guard: an event a policy raised (`policy_exception`, `policy_execution`) while it was bound to
 * a notification rule notifies nobody, or evaluating the rule would raise it again.
 */
async function raisedByRulePolicy(db: Db, event: EventRow, rules: RuleRow[]): Promise<boolean> {
  if (event.action !== 'policy_exception' && event.action !== 'policy_execution') return false;
  const raw = event.context.policy_uuid;
  if (typeof raw !== 'string' || !/^[0-9a-f]{32}$|^[0-9a-f-]{36}$/i.test(raw)) return false;
  const policyUuid = raw.length === 32 ? raw.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5') : raw;
  const [bound] = await db.select({ id: policyBindings.policyBindingUuid }).from(policyBindings)
    .where(and(eq(policyBindings.policyId, policyUuid), inArray(policyBindings.targetId, rules.map((r) => r.pbmUuid)))).limit(1);
  return Boolean(bound);
}

/** A rule whose policies pass notifies each member of its group through each of its transports (once, with `send_once`). */
async function applyRule(services: Services, event: EventRow, rule: RuleRow): Promise<void> {
  if (!rule.group) return;
  const db = services.db;
  const result = await evaluateBindings(services, { pbmUuid: rule.pbmUuid, policyEngineMode: 'any' }, { user: null, context: { event } }, { useCache: false });
  if (!result.passing) return;
  const [transports, members] = await Promise.all([
    db.select({ transport: notificationTransports }).from(notificationRuleTransports)
      .innerJoin(notificationTransports, eq(notificationTransports.uuid, notificationRuleTransports.transportId))
      .where(eq(notificationRuleTransports.ruleId, rule.pbmUuid)).orderBy(asc(notificationTransports.name)),
    db.select({ user: users }).from(userGroups).innerJoin(users, eq(users.id, userGroups.userId))
      .where(eq(userGroups.groupId, rule.group)).orderBy(asc(users.id)),
  ]);
  for (const { transport } of transports) {
    for (const { user } of members) {
      await send(services, event, rule, transport, user);
      if (transport.sendOnce) break;
    }
  }
}

async function send(services: Services, event: EventRow, rule: RuleRow, transport: TransportRow, user: UserRow): Promise<void> {
  try {
    await sendThroughTransport(services, transport, {
      severity: rule.severity, body: eventSummary(event), user,
      event: { eventUuid: event.eventUuid, action: event.action, app: event.app, context: event.context, user: event.user, created: event.created },
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    services.log.warn({ err: message, transport: transport.name, rule: rule.name }, 'notification transport failed');
    // authentik's monitored task reports its failure as an event.
    await recordEvent(services, {
      action: 'system_task_exception', app: APP,
      context: { message: `Task notification_transport encountered an error: ${message}`, [FAILED_DELIVERY]: transport.name, rule: rule.name },
    });
  }
}
