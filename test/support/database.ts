import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { openPglite, openPostgres, type Database } from '../../src/db/database.js';
import { pino } from 'pino';
import { createServices } from '../../src/app.js';
import { testConfig } from './config.js';

/**
 * Migrates the template and runs every domain's bootstrap on it once (the admin's password hash, the
 * self-signed certificate's RSA key), so that each test file starts from a bootstrapped copy in a moment.
 */
async function migrateAndBootstrap(database: Database, dataDir: string): Promise<void> {
  await createServices(testConfig(dataDir), { database, log: pino({ level: 'silent' }) });
}

/**
 * Every test file gets a database of its own, cloned from a template that `scripts/test.mjs` migrated once:
 * a copied PGlite folder by default, a `CREATE DATABASE … TEMPLATE` on a PostgreSQL server when
 * `AUTHENTIK_POSTGRESQL__HOST` is set (as `.ci/run` does for its second pass).
 */
export const TEST_DATA_ROOT = resolve('.test-data');
/** One id per `npm test` run, so that runs side by side never share a template. */
const RUN_ID = process.env.AUTHENTIK_TEST_RUN ?? `adhoc${process.pid}`;
const RUN_ROOT = join(TEST_DATA_ROOT, RUN_ID);
export const PGLITE_TEMPLATE = join(RUN_ROOT, 'template');
export const PG_TEMPLATE_DB = `authentik_test_template_${RUN_ID}`;

export function usesServerDatabase(): boolean {
  return Boolean(process.env.AUTHENTIK_POSTGRESQL__HOST);
}

export function serverOptions(database: string) {
  return {
    host: process.env.AUTHENTIK_POSTGRESQL__HOST!,
    port: Number(process.env.AUTHENTIK_POSTGRESQL__PORT ?? 5432),
    user: process.env.AUTHENTIK_POSTGRESQL__USER ?? 'postgres',
    password: process.env.AUTHENTIK_POSTGRESQL__PASSWORD ?? '',
    database,
    max: 4,
  };
}

const ADMIN_DB = () => process.env.AUTHENTIK_TEST_ADMIN_DB ?? 'postgres';

/** Builds the template once per test run. */
export async function prepareTemplate(): Promise<void> {
  removeStaleRuns();
  if (usesServerDatabase()) {
    const admin = await openPostgres(serverOptions(ADMIN_DB()));
    try {
      await admin.query(`drop database if exists ${PG_TEMPLATE_DB} with (force)`);
      await admin.query(`create database ${PG_TEMPLATE_DB}`);
    } finally {
      await admin.close();
    }
    const template = await openPostgres(serverOptions(PG_TEMPLATE_DB));
    try {
      await migrateAndBootstrap(template, RUN_ROOT);
    } finally {
      await template.close();
    }
    return;
  }
  rmSync(RUN_ROOT, { recursive: true, force: true });
  mkdirSync(RUN_ROOT, { recursive: true });
  const template = await openPglite(PGLITE_TEMPLATE);
  try {
    await migrateAndBootstrap(template, PGLITE_TEMPLATE);
  } finally {
    await template.close();
  }
}

/** Drops what earlier runs left behind (a run killed midway); runs whose process still lives are kept. */
function removeStaleRuns(): void {
  if (!existsSync(TEST_DATA_ROOT)) return;
  for (const entry of readdirSync(TEST_DATA_ROOT)) {
    const pid = Number(/^run(\d+)$/.exec(entry)?.[1] ?? /^adhoc(\d+)$/.exec(entry)?.[1]);
    if (!pid || pid === process.pid || pid === process.ppid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      rmSync(join(TEST_DATA_ROOT, entry), { recursive: true, force: true });
    }
  }
}

/** Drops the run's template when the run ends. */
export async function dropTemplate(): Promise<void> {
  if (usesServerDatabase()) {
    const admin = await openPostgres(serverOptions(ADMIN_DB()));
    try {
      await admin.query(`drop database if exists ${PG_TEMPLATE_DB} with (force)`);
    } finally {
      await admin.close();
    }
  }
  rmSync(RUN_ROOT, { recursive: true, force: true });
}

export interface TestDatabase {
  database: Database;
  /** The data folder of an embedded database (for tests that restart on it), else undefined. */
  dataDir?: string;
  /** The server database's name, else undefined. */
  name?: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
  if (usesServerDatabase()) {
    const name = `authentik_test_${suffix}`;
    const admin = await openPostgres(serverOptions(ADMIN_DB()));
    try {
      await admin.query(`create database ${name} template ${PG_TEMPLATE_DB}`);
    } finally {
      await admin.close();
    }
    const database = await openPostgres(serverOptions(name));
    return {
      database,
      name,
      async drop() {
        await database.close().catch(() => {});
        const cleanup = await openPostgres(serverOptions(ADMIN_DB()));
        try {
          await cleanup.query(`drop database if exists ${name} with (force)`);
        } finally {
          await cleanup.close();
        }
      },
    };
  }
  if (!existsSync(PGLITE_TEMPLATE)) await prepareTemplate();
  const dataDir = join(RUN_ROOT, `db_${suffix}`);
  cpSync(join(PGLITE_TEMPLATE, 'pg'), join(dataDir, 'pg'), { recursive: true });
  const database = await openPglite(dataDir);
  return {
    database,
    dataDir,
    async drop() {
      await database.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
