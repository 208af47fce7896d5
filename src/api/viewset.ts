import { and, asc, count, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from './context.js';
import type { FilterFn, Json, ModelDefinition } from './model.js';
import { MethodNotAllowed, NotFound, PermissionDenied, ValidationError } from './errors.js';
import { validateRequest } from './contract/validation.js';
import { paginate, parsePage } from './pagination.js';
import { translateDatabaseError } from './db-errors.js';
import { usedBy } from './used-by.js';
import { columnKey, createObject, updateObject } from './writer.js';
import { rootTable, selectRows } from './inheritance.js';
import type { Db } from '../db/database.js';

type Operation = 'list' | 'retrieve' | 'create' | 'update' | 'destroy' | 'used_by';

/** Who may call an operation: superusers only, users on the rows `scope` lets them see, or any user. */
export type Access = 'superuser' | 'scoped' | 'authenticated';

export interface ActionResult {
  status?: number;
  body?: unknown;
}

export interface Action<Row extends Json> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path segment after the collection (`me`) or after the object (`set_password`). */
  path: string;
  /** Whether the action acts on one object (`/users/{id}/set_password/`) or on the collection. */
  detail: boolean;
  access?: Access;
  /** The request schema its body is checked against, if it takes one. */
  requestSchema?: string;
  handler(ctx: ApiContext, row: Row | undefined, body: Json): Promise<ActionResult | unknown>;
}

export interface ViewSet<Row extends Json = Json> {
  model: ModelDefinition<Row>;
  /** Collection path under `/api/v3`, with slashes: `/core/users/`. */
  path: string;
  lookupParam: string;
  lookupColumn: PgColumn;
  lookupType?: 'integer' | 'uuid' | 'string';
  /** Request schema name for create/update (default: the model's); PATCH uses `Patched<name>`. */
  requestSchema?: string;
  operations?: Operation[];
  filters?: Record<string, FilterFn>;
  /** Columns (or expressions, e.g. a related row's field) the `search` parameter matches, case-insensitively. */
  search?: (PgColumn | SQL)[];
  ordering?: Record<string, PgColumn | SQL>;
  defaultOrdering?: string[];
  /** Rows a non-superuser may see and act on; without it, only superusers use the endpoints. */
  scope?: (ctx: ApiContext) => SQL | undefined;
  /**
   * Rows every caller is limited to, superusers included (authentik's `get_queryset` filtering by the requesting
   * user, as its notifications do); `scope` only limits non-superusers.
   */
  restrict?: (ctx: ApiContext) => SQL | undefined;
  /** Access per operation (default: `scoped` when a scope exists, else `superuser`). */
  access?: Partial<Record<Operation, Access>>;
  actions?: Action<Row>[];
  /**
   * Narrows a listed page after pagination, as DRF views do that filter the paginated page in Python (authentik's
   * application list keeps the applications the caller's policies allow): the count and indexes stay the query's.
   */
  filterPage?(ctx: ApiContext, rows: Row[]): Promise<Row[]>;
  /** Called once a create or update has committed, for work that must see the committed row (start a job). */
  afterCommit?(ctx: ApiContext, row: Row, operation: 'create' | 'update'): void;
  /** Called after a destroy inside its transaction, e.g. to refuse deleting a protected object. */
  beforeDestroy?(tx: Db, row: Row, ctx: ApiContext): Promise<void>;
}

const ALL_OPERATIONS: Operation[] = ['list', 'retrieve', 'create', 'update', 'destroy', 'used_by'];
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ContextFactory = (request: FastifyRequest, reply: FastifyReply) => Promise<ApiContext>;

function firstValue(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length ? String(value[value.length - 1]) : undefined;
  return value === undefined ? undefined : String(value);
}

export function registerViewSet<Row extends Json>(app: FastifyInstance, viewSet: ViewSet<Row>, makeContext: ContextFactory): void {
  const { model, lookupColumn } = viewSet;
  const operations = new Set(viewSet.operations ?? ALL_OPERATIONS);
  const base = `/api/v3${viewSet.path}`;
  const detail = `${base}:${viewSet.lookupParam}/`;

  function accessOf(operation: Operation): Access {
    return viewSet.access?.[operation] ?? (viewSet.scope ? 'scoped' : 'superuser');
  }

  /** The condition limiting rows to what the caller may see; throws when the caller may see nothing. */
  function visibility(ctx: ApiContext, access: Access): SQL | undefined {
    const restricted = viewSet.restrict?.(ctx);
    if (ctx.principal.isSuperuser || access === 'authenticated') return restricted;
    if (access === 'superuser' || !viewSet.scope) throw new PermissionDenied();
    return and(restricted, viewSet.scope(ctx) ?? sql`false`);
  }

  function parseLookup(raw: string): unknown {
    if (viewSet.lookupType === 'integer') {
      if (!/^\d+$/.test(raw)) throw new NotFound();
      return Number(raw);
    }
    if (viewSet.lookupType === 'uuid' && !UUID_RE.test(raw)) throw new NotFound();
    return raw;
  }

  async function findOne(ctx: ApiContext, db: Db, access: Access, forUpdate = false): Promise<Row> {
    const raw = (ctx.request.params as Record<string, string>)[viewSet.lookupParam];
    const where = and(eq(lookupColumn, parseLookup(raw)), visibility(ctx, access));
    const query = selectRows(db, model).where(where).limit(1);
    const rows = (forUpdate ? await query.for('update') : await query) as Row[];
    if (!rows.length) throw new NotFound();
    return rows[0];
  }

  function listConditions(ctx: ApiContext, query: Record<string, unknown>): SQL | undefined {
    const conditions: (SQL | undefined)[] = [visibility(ctx, accessOf('list'))];
    for (const [name, filter] of Object.entries(viewSet.filters ?? {})) {
      const raw = query[name];
      const all = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String).filter((v) => v !== '');
      if (all.length) conditions.push(filter(all[all.length - 1], ctx, all));
    }
    const term = firstValue(query.search);
    if (term && viewSet.search?.length) {
      conditions.push(or(...viewSet.search.map((column) => ilike(column, `%${term.replace(/[\\%_]/g, '\\$&')}%`))));
    }
    return and(...conditions);
  }

  function orderBy(query: Record<string, unknown>): SQL[] {
    const requested = firstValue(query.ordering)?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
    const known = requested.filter((name) => (viewSet.ordering ?? {})[name.replace(/^-/, '')] !== undefined);
    const terms = known.length ? known : (viewSet.defaultOrdering ?? []);
    const order = terms.map((name) => {
      const column = viewSet.ordering?.[name.replace(/^-/, '')] ?? lookupColumn;
      return name.startsWith('-') ? desc(column) : asc(column);
    });
    // A stable tiebreaker keeps pages from overlapping.
    order.push(asc(model.pk));
    return order;
  }

  async function transaction<T>(ctx: ApiContext, work: (tx: Db) => Promise<T>): Promise<T> {
    try {
      return await ctx.services.db.transaction((tx) => work(tx as unknown as Db));
    } catch (err) {
      throw translateDatabaseError(err, model);
    }
  }

  async function render(ctx: ApiContext, row: Row): Promise<Json> {
    return (await model.serialize([row], ctx))[0];
  }

  const handle = (fn: (ctx: ApiContext) => Promise<unknown>) => async (request: FastifyRequest, reply: FastifyReply) => {
    const ctx = await makeContext(request, reply);
    const result = await fn(ctx);
    if (result === undefined) return reply.code(204).send();
    return result;
  };

  const routes: Record<string, Set<string>> = { [base]: new Set(), [detail]: new Set() };
  function route(method: string, url: string, handler: ReturnType<typeof handle>) {
    (routes[url] ??= new Set()).add(method);
    app.route({ method: method as 'GET', url, handler });
  }

  // Collection actions first: a static segment (`me`) must not be read as a lookup.
  for (const action of viewSet.actions ?? []) {
    const url = action.detail ? `${detail}${action.path}/` : `${base}${action.path}/`;
    route(action.method, url, handle(async (ctx) => {
      const access = action.access ?? accessOf('retrieve');
      let row: Row | undefined;
      if (action.detail) row = await findOne(ctx, ctx.services.db, access);
      else if (access === 'superuser' && !ctx.principal.isSuperuser) throw new PermissionDenied();
      else if (access === 'scoped' && !ctx.principal.isSuperuser && !viewSet.scope) throw new PermissionDenied();
      const body = action.requestSchema ? validateRequest(action.requestSchema, ctx.request.body ?? {}) : ((ctx.request.body as Json) ?? {});
      const result = await action.handler(ctx, row, body);
      if (result && typeof result === 'object' && ('status' in result || 'body' in result) && Object.keys(result).every((k) => k === 'status' || k === 'body')) {
        const { status = 200, body: out } = result as ActionResult;
        ctx.reply.code(status);
        if (status === 204) return undefined;
        // A status without a body (DRF's bare `Response(status=400)`) is sent empty, not as 204.
        return out === undefined ? ctx.reply.send() : out;
      }
      return result;
    }));
  }

  if (operations.has('list')) {
    route('GET', base, handle(async (ctx) => {
      const query = ctx.request.query as Record<string, unknown>;
      const { page, pageSize } = parsePage(query);
      const where = listConditions(ctx, query);
      const db = ctx.services.db;
      const rows = (await selectRows(db, model).where(where).orderBy(...orderBy(query))
        .limit(pageSize).offset((page - 1) * pageSize)) as Row[];
      // A page that is not full tells the count (most lists fit on their first page); an empty page past the
      // first is out of range whatever the count. Only a full page needs the count query.
      let total = (page - 1) * pageSize + rows.length;
      if (rows.length === pageSize) {
        const counted = db.select({ total: count() }).from(model.table).$dynamic();
        [{ total }] = await (model.parent ? counted.innerJoin(model.parent.table, eq(model.parent.link, model.parent.pk)) : counted).where(where);
      }
      const shown = viewSet.filterPage ? await viewSet.filterPage(ctx, rows) : rows;
      return paginate(await model.serialize(shown, ctx), Number(total), page, pageSize, rows.length);
    }));
  }
  const writeOptions = { schema: viewSet.requestSchema ?? model.requestSchema };
  if (operations.has('create') && writeOptions.schema) {
    route('POST', base, handle(async (ctx) => {
      if (accessOf('create') === 'superuser' && !ctx.principal.isSuperuser) throw new PermissionDenied();
      const row = await transaction(ctx, (tx) => createObject(model, ctx.request.body, ctx, tx, writeOptions));
      viewSet.afterCommit?.(ctx, row, 'create');
      ctx.reply.code(201);
      return render(ctx, row);
    }));
  }
  if (operations.has('retrieve')) {
    route('GET', detail, handle(async (ctx) => render(ctx, await findOne(ctx, ctx.services.db, accessOf('retrieve')))));
  }
  if (operations.has('update') && writeOptions.schema) {
    for (const method of ['PUT', 'PATCH'] as const) {
      route(method, detail, handle(async (ctx) => {
        const row = await transaction(ctx, async (tx) => {
          const existing = await findOne(ctx, tx, accessOf('update'), true);
          return updateObject(model, existing, ctx.request.body, ctx, tx, method === 'PATCH', writeOptions);
        });
        viewSet.afterCommit?.(ctx, row, 'update');
        return render(ctx, row);
      }));
    }
  }
  if (operations.has('destroy')) {
    route('DELETE', detail, handle(async (ctx) => {
      await transaction(ctx, async (tx) => {
        const row = await findOne(ctx, tx, accessOf('destroy'), true);
        await viewSet.beforeDestroy?.(tx, row, ctx);
        await tx.delete(rootTable(model)).where(eq(model.pk, row[columnKey(model, model.pk)]));
      });
      return undefined;
    }));
  }
  if (operations.has('used_by')) {
    route('GET', `${detail}used_by/`, handle(async (ctx) => {
      const row = await findOne(ctx, ctx.services.db, accessOf('used_by'));
      return usedBy(ctx, model, row[columnKey(model, model.pk)]);
    }));
  }

  // DRF answers 405 for a method the endpoint lacks; fastify would say 404.
  for (const [url, methods] of Object.entries(routes)) {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      if (methods.has(method)) continue;
      app.route({ method: method as 'GET', url, handler: async (request, reply) => {
        await makeContext(request, reply);
        throw new MethodNotAllowed(method);
      } });
    }
  }
}

export function throwIfInvalid(errors: Record<string, string[]>): void {
  if (Object.keys(errors).length) throw new ValidationError(errors);
}
