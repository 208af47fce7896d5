import type { Database } from './database.js';

/**
 * Configuration rows as of one configuration generation (see generation.ts), read at most once each and shared
 * by every request that saw the same generation. A login reads the flow, its bindings, their policies and
 * stages, and the tenant on each of its requests; with a snapshot a request pays one query for all of them.
 *
 * Values are frozen: they are shared between requests, and a caller that changed one would change it for all.
 */
export class ConfigSnapshot {
  private readonly values = new Map<string, Promise<unknown>>();

  constructor(readonly generation: string) {}

  read<T>(key: string, load: () => Promise<T>): Promise<T> {
    let value = this.values.get(key) as Promise<T> | undefined;
    if (!value) {
      value = load().then(deepFreeze);
      this.values.set(key, value);
      // A failed read is not remembered: the next request tries again.
      value.catch(() => this.values.delete(key));
    }
    return value;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value) && !(value instanceof Date) && !ArrayBuffer.isView(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

const latest = new WeakMap<Database, ConfigSnapshot>();

/** The snapshot of the current generation: the last one if nothing changed since, else a new, empty one. */
export async function configSnapshot(database: Database): Promise<ConfigSnapshot> {
  const generation = await database.configGeneration();
  let snapshot = latest.get(database);
  if (snapshot?.generation !== generation) {
    snapshot = new ConfigSnapshot(generation);
    latest.set(database, snapshot);
  }
  return snapshot;
}

/** Something that may carry a snapshot: the services of a request that took one. */
export interface MaySnapshot {
  snapshot?: ConfigSnapshot;
}

/** Reads through the caller's snapshot when it has one, else straight from the database. */
export function throughSnapshot<T>(holder: MaySnapshot, key: string, load: () => Promise<T>): Promise<T> {
  return holder.snapshot ? holder.snapshot.read(key, load) : load();
}
