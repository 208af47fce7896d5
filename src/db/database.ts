import { mkdirSync, openSync, closeSync, writeSync, readFileSync, unlinkSync, existsSync, rmSync, renameSync, readdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Config } from '../config/index.js';
import { usesEmbeddedDatabase } from '../config/index.js';
import { CONFIG_CHANNEL, readConfigGeneration } from './generation.js';
import { projectPath } from '../lib/project.js';

export type Db = PgDatabase<PgQueryResultHKT>;

/** One SQL layer over either the embedded PGlite or a PostgreSQL server. */
export interface Database {
  db: Db;
  kind: 'pglite' | 'postgresql';
  /** Runs raw SQL with parameters; returns rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * The configuration generation (generation.ts): any value that changes when configuration was written. Read
   * once per request by those that cache configuration.
   */
  configGeneration(): Promise<string>;
  /** Runs `work` while holding a session-level advisory lock (serialises migrations across instances). */
  withAdvisoryLock<T>(key: number, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * PGlite has no lock between processes, so the process that opens the data folder takes a lock file
 * holding its pid; a second opener refuses with a clear message instead of corrupting the folder.
 */
function lockDataDir(dir: string): () => void {
  const lockPath = join(dir, '.authentik.lock');
  if (existsSync(lockPath)) {
    const pid = Number(readFileSync(lockPath, 'utf8'));
    let alive = false;
    if (pid && pid !== process.pid) {
      try {
        process.kill(pid, 0);
        alive = true;
      } catch {
        alive = false;
      }
    }
    if (alive) throw new Error(`the data folder ${dir} is in use by process ${pid}; stop it first or talk to it over its API`);
    unlinkSync(lockPath);
  }
  const fd = openSync(lockPath, 'wx');
  writeSync(fd, String(process.pid));
  closeSync(fd);
  return () => {
    try {
      unlinkSync(lockPath);
    } catch {
      /* already gone */
    }
  };
}

/**
 * Settings the embedded PostgreSQL starts with, over the `postgresql.conf` initdb wrote (command-line settings
 * win over the file, so existing data folders get them too). PGlite is one backend inside this process and its
 * shared memory lives in the WebAssembly heap, which is zeroed when PostgreSQL starts and never shrinks: initdb's
 * `shared_buffers = 128MB` alone costs ~130 MB of resident memory and ~0.1 s of start.
 * authentik's working set is small and the files under it stay in the OS page cache, so 16 MB of buffers is
 * plenty. Durability is PGlite's own, untouched: no `relaxedDurability` (every commit is written through to the
 * folder before it returns); PGlite's default start parameters, kept as they are, include `-F` (no fsync).
 */
export const EMBEDDED_SETTINGS = [
  'shared_buffers=16MB',
  // Index builds and VACUUM on big tables: what they take from the WebAssembly heap stays resident, so bound it.
  // (max_connections also sizes shared memory, but lowering it saved nothing measurable and shrinks the lock
  // table that one large migration transaction needs.)
  'maintenance_work_mem=16MB',
];

/**
 * Runs initdb for a new data folder in a child process (`pglite-initdb.mjs`), into a scratch folder renamed into
 * place once complete, so that an interrupted first start leaves no half-made folder behind. In-process, initdb's
 * second PGlite instance keeps ~400 MB resident in the server long after it is closed.
 */
async function initdbInChild(pgDir: string, startParams: string[]): Promise<void> {
  if (existsSync(pgDir) && readdirSync(pgDir).length) {
    throw new Error(`${pgDir} holds files but no database (PG_VERSION is missing): move it away to start afresh`);
  }
  const scratch = `${pgDir}.initdb`;
  rmSync(scratch, { recursive: true, force: true });
  const script = projectPath('src/db/pglite-initdb.mjs');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [script, scratch, JSON.stringify(startParams)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`creating the embedded database in ${pgDir} failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
  renameSync(scratch, pgDir);
}

/**
 * The types drizzle reads as PostgreSQL's text and converts itself (timestamps, dates, intervals, numeric and their
 * arrays): its PGlite driver passes parsers for them with every query.
 */
const DRIZZLE_TEXT_TYPES = [1114, 1184, 1186, 1082, 1231, 1115, 1185, 1187, 1182];
const DRIZZLE_TEXT_TYPE_KEYS = DRIZZLE_TEXT_TYPES.map(String).sort().join();

type Parsers = Record<number, (value: string) => unknown>;
interface Queryable {
  parsers?: Parsers;
  query(sql: string, params?: unknown[], options?: { parsers?: Parsers }): Promise<unknown>;
  transaction?(work: (tx: Queryable) => Promise<unknown>): Promise<unknown>;
}

/**
 * PGlite merges a query's own parsers into its ~300 for every result, which costs 0.16 ms: more than a simple
 * query takes, for every query drizzle runs. The embedded database reads drizzle's types as text once for all
 * instead; what is returned to drizzle is the same. Returns the parsers that give the raw API PGlite's own results.
 */
function keepDrizzleTypesAsText(client: { parsers: Parsers }): Parsers {
  const own: Parsers = {};
  for (const type of DRIZZLE_TEXT_TYPES) {
    const parser = client.parsers[type];
    own[type] = parser ?? ((value: string) => value);
    client.parsers[type] = (value: string) => value;
  }
  return own;
}

/** `client` (or a transaction of it) for drizzle: the parsers drizzle passes are already in force. */
function withoutDrizzleParsers<T extends object>(client: T): T {
  const target = client as T & Queryable;
  return new Proxy(target, {
    get(object, property) {
      if (property === 'query') {
        return (sql: string, params?: unknown[], options?: { parsers?: Parsers }) => {
          const drizzles = options?.parsers && Object.keys(options.parsers).sort().join() === DRIZZLE_TEXT_TYPE_KEYS;
          return object.query(sql, params, drizzles ? { ...options, parsers: undefined } : options);
        };
      }
      if (property === 'transaction' && object.transaction) {
        return (work: (tx: Queryable) => Promise<unknown>) => object.transaction!((tx) => work(withoutDrizzleParsers(tx)));
      }
      const value = Reflect.get(object, property, object) as unknown;
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}

export async function openPglite(dataDir: string | undefined): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  let unlock = () => {};
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    unlock = lockDataDir(dataDir);
  }
  const options = { startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS.flatMap((s) => ['-c', s])] };
  const pgDir = dataDir ? join(dataDir, 'pg') : undefined;
  if (pgDir && !existsSync(join(pgDir, 'PG_VERSION'))) {
    try {
      await initdbInChild(pgDir, options.startParams);
    } catch (err) {
      unlock();
      throw err;
    }
  }
  const client = pgDir ? new PGlite(pgDir, options) : new PGlite(options);
  await client.waitReady;
  const rawParsers = keepDrizzleTypesAsText(client);
  const db = drizzle({ client: withoutDrizzleParsers(client) }) as unknown as Db;
  // Every writer is in this process, on this one connection: the triggers' notifications count the changes as
  // they commit (PGlite hands them to listeners before the writing query returns), and no request needs a query.
  let changes = 0;
  await client.listen(CONFIG_CHANNEL, () => {
    changes += 1;
  });
  return {
    db,
    kind: 'pglite',
    configGeneration: async () => `local-${changes}`,
    async query(sql, params) {
      const result = await client.query(sql, params, { parsers: rawParsers });
      return result.rows as never[];
    },
    // PGlite is one connection inside this process: its own queue already serialises work.
    withAdvisoryLock: (_key, work) => work(),
    async close() {
      await client.close();
      unlock();
    },
  };
}

export async function openPostgres(options: {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  max: number;
}): Promise<Database> {
  const pg = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const pool = new pg.default.Pool({
    host: options.host,
    port: options.port,
    database: options.database,
    user: options.user,
    password: options.password,
    max: options.max,
    idleTimeoutMillis: 30_000,
  });
  // A dropped idle connection must not crash the process.
  pool.on('error', () => {});
  await pool.query('select 1');
  const db = drizzle(pool) as unknown as Db;
  return {
    db,
    kind: 'postgresql',
    // Other instances write too, and a notification would arrive on another connection some time later.
    configGeneration: () => readConfigGeneration(db),
    async query(sql, params) {
      const result = await pool.query(sql, params as unknown[]);
      return result.rows as never[];
    },
    async withAdvisoryLock(key, work) {
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [key]);
        return await work();
      } finally {
        await client.query('select pg_advisory_unlock($1)', [key]).catch(() => {});
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

const opening = new WeakMap<Config, Promise<Database>>();

/**
 * Starts opening the database for `config` ahead of time; the next `openDatabase(config)` (same object) takes it.
 * The `server` command calls this before importing the server's modules, so that PGlite's WebAssembly compile
 * and PostgreSQL's start overlap with module loading. Errors surface from `openDatabase`.
 */
export function startOpeningDatabase(config: Config): void {
  if (opening.has(config)) return;
  const pending = connect(config);
  pending.catch(() => {});
  opening.set(config, pending);
}

export function openDatabase(config: Config): Promise<Database> {
  const pending = opening.get(config);
  if (pending) {
    opening.delete(config);
    return pending;
  }
  return connect(config);
}

function connect(config: Config): Promise<Database> {
  if (usesEmbeddedDatabase(config)) return openPglite(config.data_dir);
  const pg = config.postgresql;
  return openPostgres({ host: pg.host, port: pg.port, database: pg.name, user: pg.user, password: pg.password, max: pg.pool_size });
}

/** Rows of a raw `db.execute(sql…)`, whichever driver ran it. */
export async function executeRows<T>(db: Db, query: import('drizzle-orm').SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
