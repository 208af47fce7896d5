import { asc, lt, sql, type SQL } from 'drizzle-orm';
import type { Services } from '../api/context.js';
import type { Db } from '../db/database.js';
import { recordEvent } from '../events/record.js';
import { describeError } from '../lib/errors.js';
import { systemTasks } from './table.js';

/** authentik's `TaskResultStatus`, by name as its API shows it. */
export type TaskStatus = 'SUCCESSFUL' | 'WARNING' | 'ERROR' | 'UNKNOWN';

/** What a task reports about one run; `uid` tells apart runs of one task per object (a source, an outpost). */
export interface TaskResult {
  status: TaskStatus;
  messages?: string[];
  uid?: string;
}

export interface TaskRecord extends TaskResult {
  name: string;
  description?: string;
  started: Date;
  finished: Date;
  /** The run's arguments, which a retry passes again. */
  args?: unknown[];
  /** How long the result is shown (authentik's `result_timeout_hours`, 6 by default). */
  timeoutHours?: number;
}

export type TaskRow = typeof systemTasks.$inferSelect;

const DEFAULT_TIMEOUT_HOURS = 6;
/** A prefilled "not run yet" entry stays until the task reports (authentik saves it for 86400 hours). */
const PREFILL_TIMEOUT_HOURS = 86400;

/** Saves a task's result, replacing its previous one: the small function every domain's background work calls. */
export async function recordTaskResult(db: Db, record: TaskRecord): Promise<void> {
  const now = new Date();
  const values = {
    name: record.name,
    uid: record.uid ?? '',
    description: record.description ?? '',
    startTimestamp: record.started,
    finishTimestamp: record.finished,
    duration: Math.max(record.finished.getTime() - record.started.getTime(), 0),
    status: record.status,
    messages: record.messages ?? [],
    callArgs: record.args ?? [],
    expires: new Date(now.getTime() + (record.timeoutHours ?? DEFAULT_TIMEOUT_HOURS) * 3600_000),
  };
  const { name, uid, ...rest } = values;
  await db.insert(systemTasks).values(values).onConflictDoUpdate({ target: [systemTasks.name, systemTasks.uid], set: rest });
  await db.delete(systemTasks).where(lt(systemTasks.expires, now));
}

/** A task that reports its result under /admin/system_tasks/ and may be retried from there. */
export interface SystemTaskDefinition<Args extends unknown[] = unknown[]> {
  /** authentik's task name (`clear_expired_cache`, `ldap_sync`), the key of its result and of retries. */
  name: string;
  description: string;
  run(services: Services, ...args: Args): Promise<TaskResult>;
  /** Keep only failures (authentik's `save_on_success = False`). */
  saveOnSuccess?: boolean;
  /** Show the task as "not run yet" from the start, so it can be started from the API (`@prefill_task`). */
  prefill?: boolean;
  timeoutHours?: number;
}

export type SystemTaskRunner<Args extends unknown[]> = (services: Services, ...args: Args) => Promise<TaskResult>;

const definitions = new Map<string, SystemTaskDefinition<any>>();

async function execute<Args extends unknown[]>(task: SystemTaskDefinition<Args>, services: Services, args: Args): Promise<TaskResult> {
  const started = new Date();
  let result: TaskResult;
  try {
    result = await task.run(services, ...args);
  } catch (err) {
    const message = describeError(err);
    result = { status: 'ERROR', messages: [message] };
    await recordEvent(services, {
      action: 'system_task_exception',
      app: 'authentik.events.monitored_tasks',
      context: { message: `Task ${task.name} encountered an error: ${message}` },
    });
  }
  const base = { name: task.name, uid: result.uid };
  if (result.status === 'SUCCESSFUL' && task.saveOnSuccess === false) {
    await services.db.delete(systemTasks).where(byKey(base.name, base.uid ?? ''));
    return result;
  }
  await recordTaskResult(services.db, {
    ...result, name: task.name, description: task.description, started, finished: new Date(), args, timeoutHours: task.timeoutHours,
  });
  return result;
}

/**
 * Declares a monitored task (authentik's `MonitoredTask`): the returned function runs it, records its result
 * (an exception becomes an ERROR result and a `system_task_exception` event) and returns the result. Retries
 * from the API find the task by name here, so declare tasks at module load.
 */
export function defineSystemTask<Args extends unknown[]>(task: SystemTaskDefinition<Args>): SystemTaskRunner<Args> {
  if (definitions.has(task.name)) throw new Error(`system task ${task.name} defined twice`);
  definitions.set(task.name, task);
  return (services, ...args) => execute(task, services, args);
}

/** Records "Task has not been run yet." for declared `prefill` tasks that have no result. */
export async function prefillSystemTasks(db: Db): Promise<void> {
  const now = new Date();
  for (const task of definitions.values()) {
    if (!task.prefill) continue;
    await db.insert(systemTasks).values({
      name: task.name, description: task.description, startTimestamp: now, finishTimestamp: now, status: 'UNKNOWN',
      messages: ['Task has not been run yet.'], expires: new Date(now.getTime() + PREFILL_TIMEOUT_HOURS * 3600_000),
    }).onConflictDoNothing();
  }
}

function byKey(name: string, uid: string): SQL {
  return sql`${systemTasks.name} = ${name} and ${systemTasks.uid} = ${uid}`;
}

/** authentik's task name as its API shows it: `name`, or `name:uid` for per-object runs. */
export function taskName(row: Pick<TaskRow, 'name' | 'uid'>): string {
  return row.uid ? `${row.name}:${row.uid}` : row.name;
}

const shownName = sql<string>`${systemTasks.name} || case when ${systemTasks.uid} = '' then '' else ':' || ${systemTasks.uid} end`;
const current = sql`${systemTasks.expires} > now()`;

export async function listTasks(db: Db): Promise<TaskRow[]> {
  return db.select().from(systemTasks).where(current).orderBy(asc(shownName));
}

export async function findTask(db: Db, name: string): Promise<TaskRow | undefined> {
  const [row] = await db.select().from(systemTasks).where(sql`${shownName} = ${name} and ${current}`).limit(1);
  return row;
}

/**
 * Starts a task again with the arguments of its recorded run, in the background as authentik's `delay()` does.
 * Returns false when no task of that name is declared any more (authentik then forgets the entry).
 */
export async function retryTask(services: Services, row: TaskRow): Promise<boolean> {
  const task = definitions.get(row.name);
  if (!task) {
    await services.db.delete(systemTasks).where(byKey(row.name, row.uid));
    return false;
  }
  setImmediate(() => {
    execute(task, services, row.callArgs).catch((err: unknown) => {
      services.log.warn({ err: describeError(err), task: row.name }, 'system task retry failed');
    });
  });
  return true;
}
