import { and, asc, desc, not, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../db/database.js';
import { groups, users } from '../core/table.js';
import type { Wire } from './wire.js';

/**
 * Django-style keyword filters (`username="akadmin"`, `email__iendswith="@example.com"`, `attributes__team="a"`,
 * `ak_groups__name="admins"`) for `ak_user_by` and `User.objects`/`Group.objects` in expressions, turned into
 * SQL over a fixed set of fields. An unknown field is Django's FieldError.
 */
export class FieldError extends Error {}

type Lookup = 'exact' | 'iexact' | 'contains' | 'icontains' | 'in' | 'startswith' | 'istartswith' | 'endswith' | 'iendswith'
  | 'gt' | 'gte' | 'lt' | 'lte' | 'isnull';
const LOOKUPS = new Set<string>(['exact', 'iexact', 'contains', 'icontains', 'in', 'startswith', 'istartswith', 'endswith', 'iendswith',
  'gt', 'gte', 'lt', 'lte', 'isnull']);

interface ModelQuery {
  table: typeof users | typeof groups;
  columns: Record<string, AnyPgColumn>;
  /** Fields through a relation: `ak_groups__name` → SQL over the related rows. */
  relations: Record<string, (rest: string[], lookup: Lookup, value: Wire) => SQL>;
}

const likeEscape = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

function compare(target: SQL | AnyPgColumn, lookup: Lookup, value: Wire): SQL {
  const text = sql`(${target})::text`;
  switch (lookup) {
    case 'exact':
      return value === null ? sql`${target} is null` : sql`${target} = ${value}`;
    case 'iexact':
      return value === null ? sql`${target} is null` : sql`upper(${text}) = upper(${String(value)})`;
    case 'contains':
      return sql`${text} like ${`%${likeEscape(String(value))}%`}`;
    case 'icontains':
      return sql`${text} ilike ${`%${likeEscape(String(value))}%`}`;
    case 'startswith':
      return sql`${text} like ${`${likeEscape(String(value))}%`}`;
    case 'istartswith':
      return sql`${text} ilike ${`${likeEscape(String(value))}%`}`;
    case 'endswith':
      return sql`${text} like ${`%${likeEscape(String(value))}`}`;
    case 'iendswith':
      return sql`${text} ilike ${`%${likeEscape(String(value))}`}`;
    case 'in': {
      const values = Array.isArray(value) ? value : [];
      if (!values.length) return sql`false`;
      return sql`${target} in (${sql.join(values.map((v) => sql`${v}`), sql`, `)})`;
    }
    case 'gt':
      return sql`${target} > ${value}`;
    case 'gte':
      return sql`${target} >= ${value}`;
    case 'lt':
      return sql`${target} < ${value}`;
    case 'lte':
      return sql`${target} <= ${value}`;
    case 'isnull':
      return value ? sql`${target} is null` : sql`${target} is not null`;
    default:
      throw new FieldError(`Unsupported lookup '${lookup as string}'`);
  }
}

/** `attributes__a__b` with a lookup: JSON values compare as JSON for exact/in, as text otherwise. */
function compareJson(column: AnyPgColumn, path: string[], lookup: Lookup, value: Wire): SQL {
  if (!path.length) {
    if (lookup === 'isnull') return value ? sql`${column} is null` : sql`${column} is not null`;
    if (lookup === 'exact') return sql`${column} = ${JSON.stringify(value)}::jsonb`;
    throw new FieldError(`Unsupported lookup '${lookup}' on a JSON field`);
  }
  const pathLiteral = `{${path.map((p) => `"${p.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
  const node = sql`(${column} #> ${pathLiteral}::text[])`;
  if (lookup === 'exact') return value === null ? sql`${node} = 'null'::jsonb` : sql`${node} = ${JSON.stringify(value)}::jsonb`;
  if (lookup === 'in') {
    const values = Array.isArray(value) ? value : [];
    if (!values.length) return sql`false`;
    return sql`${node} in (${sql.join(values.map((v) => sql`${JSON.stringify(v)}::jsonb`), sql`, `)})`;
  }
  if (lookup === 'isnull') return value ? sql`${node} is null` : sql`${node} is not null`;
  return compare(sql`(${column} #>> ${pathLiteral}::text[])`, lookup, value);
}

function splitLookup(key: string): { parts: string[]; lookup: Lookup } {
  const parts = key.split('__');
  const last = parts[parts.length - 1];
  if (parts.length > 1 && LOOKUPS.has(last)) return { parts: parts.slice(0, -1), lookup: last as Lookup };
  return { parts, lookup: 'exact' };
}

const groupRelation = (where: (lookup: Lookup, value: Wire, field: string) => SQL) =>
  (rest: string[], lookup: Lookup, value: Wire): SQL => where(lookup, value, rest[0] ?? 'pk');

const GROUP_FIELDS: Record<string, string> = { pk: 'group_uuid', group_uuid: 'group_uuid', name: 'name', num_pk: 'num_pk', is_superuser: 'is_superuser' };
const USER_FIELDS: Record<string, string> = { pk: 'id', id: 'id', username: 'username', email: 'email', name: 'name', uuid: 'uuid', is_active: 'is_active' };

function relatedField(fields: Record<string, string>, field: string, alias: string): SQL {
  const column = fields[field];
  if (!column) throw new FieldError(`Cannot resolve keyword '${field}' into field.`);
  return sql.raw(`${alias}.${column}`);
}

const MODELS: Record<string, ModelQuery> = {
  user: {
    table: users,
    columns: {
      pk: users.id, id: users.id, uuid: users.uuid, username: users.username, name: users.name, email: users.email,
      is_active: users.isActive, last_login: users.lastLogin, date_joined: users.dateJoined, password_change_date: users.passwordChangeDate,
      path: users.path, type: users.type, attributes: users.attributes,
    },
    relations: {
      ak_groups: groupRelation((lookup, value, field) => sql`exists (select 1 from authentik_core_user_ak_groups m
        join authentik_core_group g on g.group_uuid = m.group_id
        where m.user_id = ${users.id} and ${compare(relatedField(GROUP_FIELDS, field, 'g'), lookup, value)})`),
    },
  },
  group: {
    table: groups,
    columns: {
      pk: groups.groupUuid, group_uuid: groups.groupUuid, num_pk: groups.numPk, name: groups.name, is_superuser: groups.isSuperuser,
      parent: groups.parentId, parent_id: groups.parentId, attributes: groups.attributes,
    },
    relations: {
      users: groupRelation((lookup, value, field) => sql`exists (select 1 from authentik_core_user_ak_groups m
        join authentik_core_user u on u.id = m.user_id
        where m.group_id = ${groups.groupUuid} and ${compare(relatedField(USER_FIELDS, field, 'u'), lookup, value)})`),
    },
  },
};

function condition(model: ModelQuery, key: string, value: Wire): SQL {
  const { parts, lookup } = splitLookup(key);
  const [field, ...rest] = parts;
  if (field === 'attributes') return compareJson(model.columns.attributes, rest, lookup, value);
  const relation = model.relations[field];
  if (relation) return relation(rest, lookup, value);
  if (field === 'parent' && rest.length && model.table === groups) {
    return sql`exists (select 1 from authentik_core_group p where p.group_uuid = ${groups.parentId}
      and ${compare(relatedField(GROUP_FIELDS, rest[0], 'p'), lookup, value)})`;
  }
  const column = model.columns[field];
  if (!column || rest.length) throw new FieldError(`Cannot resolve keyword '${rest.length ? key : field}' into field.`);
  return compare(column, lookup, value);
}

export interface QueryArgs {
  model: string;
  filters: [string, Wire][];
  excludes: [string, Wire][][];
  order: string[];
  offset: number;
  limit: number | null;
}

const MAX_ROWS = 1000;

/** Runs an expression's query; rows come back in primary-key order unless it asks for another. */
export async function runModelQuery(db: Db, args: QueryArgs): Promise<unknown[]> {
  const model = MODELS[args.model];
  if (!model) throw new FieldError(`Unknown model ${args.model}`);
  const conditions = (args.filters ?? []).map(([key, value]) => condition(model, key, value));
  for (const group of args.excludes ?? []) {
    const parts = group.map(([key, value]) => condition(model, key, value));
    if (parts.length) conditions.push(not(and(...parts)!));
  }
  const ordering = (args.order ?? []).map((field) => {
    const column = model.columns[field.replace(/^-/, '')];
    if (!column || field.replace(/^-/, '') === 'attributes') throw new FieldError(`Cannot resolve keyword '${field}' into field.`);
    return field.startsWith('-') ? desc(column) : asc(column);
  });
  ordering.push(asc(model.columns.pk));
  const limit = Math.min(args.limit ?? MAX_ROWS, MAX_ROWS);
  const table = model.table as typeof users;
  return db.select().from(table).where(conditions.length ? and(...conditions) : undefined)
    .orderBy(...ordering).limit(limit).offset(Math.max(0, args.offset ?? 0));
}

