import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { type Config, usesEmbeddedDatabase } from './config/index.js';
import { openDatabase, type Database } from './db/database.js';
import { applyMigrations, STARTUP_LOCK_KEY } from './db/migrate.js';
import type { Services } from './api/context.js';
import { domains } from './domains.js';
import { buildServer, registerModels } from './server.js';
import { scrubLogRecord, scrubQueryParameters } from './lib/errors.js';

/**
 * The secret key: from the configuration, or (embedded mode only) generated once and kept in the data folder.
 * A server database is shared by several instances, which must agree on the key: there it is required.
 */
export function resolveSecretKey(config: Config): string {
  if (config.secret_key) return config.secret_key;
  if (!usesEmbeddedDatabase(config)) {
    throw new Error('AUTHENTIK_SECRET_KEY is required when using a PostgreSQL server (AUTHENTIK_POSTGRESQL__HOST); set it to a long random string shared by all instances');
  }
  mkdirSync(config.data_dir, { recursive: true });
  const file = join(config.data_dir, 'secret_key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

export function createLogger(config: Config, destination?: pino.DestinationStream) {
  return pino({
    level: config.log_level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    formatters: { log: (record) => scrubLogRecord(record) },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? scrubQueryParameters(arg) : arg)) as Parameters<typeof method>);
      },
    },
  }, destination ?? pino.destination(1));
}

/** Opens the database, migrates it and runs every domain's bootstrap: what both the server and the CLI need. */
export async function createServices(config: Config, options: { database?: Database; log?: Logger } = {}): Promise<Services> {
  config.secret_key = resolveSecretKey(config);
  const database = options.database ?? (await openDatabase(config));
  const log = options.log ?? createLogger(config);
  registerModels();
  const services: Services = { config, database, db: database.db, log, startedAt: new Date(), installId: '' };
  await database.withAdvisoryLock(STARTUP_LOCK_KEY, async () => {
    const applied = await applyMigrations(database);
    if (applied.length) log.info({ migrations: applied }, 'applied migrations');
    for (const domain of domains) await domain.bootstrap?.(services);
  });
  return services;
}

export async function createApp(config: Config, options: Parameters<typeof createServices>[1] = {}): Promise<{ app: FastifyInstance; services: Services }> {
  const services = await createServices(config, options);
  const app = await buildServer(services);
  return { app, services };
}
