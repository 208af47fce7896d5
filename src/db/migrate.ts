import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Database } from './database.js';
import { CONFIG_GENERATION_STEP, installConfigGeneration } from './generation.js';
import { projectPath } from '../lib/project.js';

const MIGRATIONS_DIR = projectPath('src/db/migrations');
/**
 * Arbitrary but fixed: every instance contends for the same advisory lock while it migrates and bootstraps,
 * so that instances starting together neither migrate twice nor create the same defaults twice.
 */
export const STARTUP_LOCK_KEY = 0x616b6d67;

interface Journal {
  entries: { idx: number; tag: string }[];
}

export interface Migration {
  name: string;
  statements: string[];
  hash: string;
}

/** Reads the migrations that `drizzle-kit generate` wrote, in order. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const journal = JSON.parse(readFileSync(join(dir, 'meta', '_journal.json'), 'utf8')) as Journal;
  return journal.entries
    .sort((a, b) => a.idx - b.idx)
    .map(({ tag }) => {
      const text = readFileSync(join(dir, `${tag}.sql`), 'utf8');
      return {
        name: tag,
        hash: createHash('sha256').update(text).digest('hex'),
        statements: text
          .split('--> statement-breakpoint')
          .map((s) => s.trim())
          .filter(Boolean),
      };
    });
}

/** Applies pending migrations under the start-up lock. Returns the names applied. */
export function migrate(database: Database, migrations = readMigrations()): Promise<string[]> {
  return database.withAdvisoryLock(STARTUP_LOCK_KEY, () => applyMigrations(database, migrations));
}

/** Applies pending migrations, each in its own transaction; the caller holds the start-up lock. */
export async function applyMigrations(database: Database, migrations = readMigrations()): Promise<string[]> {
  await database.query(
    'create table if not exists authentik_migrations (name text primary key, hash text not null, applied_at timestamptz not null default now())',
  );
  const done = new Set((await database.query<{ name: string }>('select name from authentik_migrations')).map((r) => r.name));
  const applied: string[] = [];
  for (const migration of migrations) {
    if (done.has(migration.name)) continue;
    await database.db.transaction(async (tx) => {
      for (const statement of migration.statements) await tx.execute(sql.raw(statement));
      await tx.execute(sql`insert into authentik_migrations (name, hash) values (${migration.name}, ${migration.hash})`);
    });
    applied.push(migration.name);
  }
  // After the tables it watches: new tables need their triggers, a changed installer installs again.
  if (applied.length || !done.has(CONFIG_GENERATION_STEP)) await installConfigGeneration(database);
  return applied;
}
