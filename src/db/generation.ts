import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database, Db } from './database.js';

/**
 * The configuration generation: a counter that every committed write to a configuration table moves on, in the
 * same transaction as the write. Readers that cache configuration rows (flows, stages, policies and their
 * bindings, tenants, notification rules) compare it once per request instead of reading those rows again; a
 * write made anywhere (the API, a blueprint, `ak shell`, another instance, a test writing rows directly) is seen
 * by the next request, never later.
 *
 * Triggers rather than calls in our write path, so that no write can forget it. Tables are chosen by prefix, so
 * that a new stage or policy type is covered without a change here; tables written on every login or use (flow
 * tokens, MFA devices and their tokens, invitations, reputation scores) are left out, as they would empty the
 * caches all the time.
 */
const CONFIG_TABLE_PREFIXES = ['authentik_flows_', 'authentik_stages_', 'authentik_policies_', 'authentik_tenants_', 'authentik_events_notification'];
const NOT_CONFIG_TABLES = [
  'authentik_stages_invitation_invitation',
  'authentik_policies_reputation_reputation',
  'authentik_events_notification',
];
/** Per-user data under a configuration prefix, by the end of its name: MFA devices, flow and static tokens. */
const NOT_CONFIG_SUFFIX = '(device|token)$';
const TRIGGER = 'authentik_config_generation_bump';
/** Notified on every configuration write, as it commits: the embedded database counts these. */
export const CONFIG_CHANNEL = 'authentik_config_changed';

const INSTALL = [`
create table if not exists authentik_config_generation (
  id boolean primary key default true check (id),
  generation bigint not null default 0
)`,
'insert into authentik_config_generation (id, generation) values (true, 0) on conflict (id) do nothing',
`create or replace function authentik_bump_config_generation() returns trigger language plpgsql as $$
begin
  update authentik_config_generation set generation = generation + 1;
  perform pg_notify('${CONFIG_CHANNEL}', '');
  return null;
end
$$`,
`do $$
declare
  name text;
begin
  for name in
    select tablename from pg_tables
    where schemaname = current_schema()
      and (${CONFIG_TABLE_PREFIXES.map((prefix) => `starts_with(tablename, '${prefix}')`).join(' or ')})
  loop
    -- Dropped everywhere first, so that a table this installer no longer counts loses its trigger.
    execute format('drop trigger if exists ${TRIGGER} on %I', name);
    if name not in (${NOT_CONFIG_TABLES.map((table) => `'${table}'`).join(', ')}) and name !~ '${NOT_CONFIG_SUFFIX}' then
      execute format('create trigger ${TRIGGER} after insert or update or delete or truncate on %I for each statement execute function authentik_bump_config_generation()', name);
    end if;
  end loop;
end
$$`];

/**
 * Recorded in `authentik_migrations` like a migration, so that the triggers are (re)installed once after the
 * tables change or this installer does, and start-up otherwise costs nothing.
 */
export const CONFIG_GENERATION_STEP = `config-generation-${createHash('sha256').update(INSTALL.join(';')).digest('hex').slice(0, 12)}`;

/** Installs the counter and its triggers on every configuration table that exists now. */
export async function installConfigGeneration(database: Database): Promise<void> {
  await database.db.transaction(async (tx) => {
    for (const statement of INSTALL) await tx.execute(sql.raw(statement));
    await tx.execute(sql`delete from authentik_migrations where name like 'config-generation-%'`);
    await tx.execute(sql`insert into authentik_migrations (name, hash) values (${CONFIG_GENERATION_STEP}, ${CONFIG_GENERATION_STEP})`);
  });
}

/** The current generation, as committed. */
export async function readConfigGeneration(db: Db): Promise<string> {
  const result = (await db.execute(sql`select generation from authentik_config_generation`)) as unknown as { rows: { generation: string | number }[] };
  return String(result.rows[0]?.generation ?? 0);
}
