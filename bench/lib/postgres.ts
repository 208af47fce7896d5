import pg from 'pg';

/** Where the PostgreSQL-mode figures run: the caller's AUTHENTIK_POSTGRESQL__* or the local server. */
export function postgresTarget() {
  const env = process.env;
  return {
    host: env.BENCH_POSTGRESQL_HOST ?? env.AUTHENTIK_POSTGRESQL__HOST ?? '127.0.0.1',
    port: Number(env.AUTHENTIK_POSTGRESQL__PORT ?? 5432),
    user: env.AUTHENTIK_POSTGRESQL__USER ?? 'postgres',
    password: env.AUTHENTIK_POSTGRESQL__PASSWORD ?? '',
  };
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...postgresTarget(), database: 'postgres', connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty scratch database; returns its name and how to drop it. */
export async function createScratchDatabase(): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `ak_bench_${process.pid}_${Date.now().toString(36)}`;
  await admin((client) => client.query(`create database "${name}"`));
  return {
    name,
    drop: () => admin((client) => client.query(`drop database if exists "${name}" with (force)`)).then(() => undefined),
  };
}
