import { eq } from 'drizzle-orm';
import type { Services } from '../api/context.js';
import { groups, userGroups, users } from '../core/table.js';
import { recordEvent } from '../events/record.js';
import type { PolicyHttpRequest } from '../policies/types.js';

type UserRow = typeof users.$inferSelect;

/** What a mapping's expression sees (authentik's `PropertyMappingEvaluator`): the user, the request, and extra names. */
export interface MappingScope {
  user: UserRow | null;
  httpRequest?: PolicyHttpRequest;
  /** Extra globals by name (`provider`, `token`, `scope`…), also the request's context as authentik passes kwargs. */
  globals?: Record<string, unknown>;
}

/** A mapping that raised or could not run; its message is what authentik's events and `test` show. */
export class PropertyMappingError extends Error {
  constructor(message: string, readonly mapping: string) {
    super(message);
    this.name = 'PropertyMappingError';
  }
}

/**
 * What this folder needs of `src/expressions/` (the Python sandbox), looked up at run time so that the known
 * shipped expressions run without loading it: `evaluateExpression(services, source, variables, { filename })`
 * resolving to `{ result, error? }`, and `checkExpressionSyntax(source)` → error text or null.
 */
interface ExpressionBackend {
  evaluateExpression(services: Services, source: string, variables: Record<string, unknown>, options: { filename?: string; timeout?: number }):
    Promise<{ result: unknown; error?: string }>;
  checkExpressionSyntax(source: string): Promise<string | null>;
}

const BACKEND_MODULE = '../expressions/index.js';
let backend: Promise<ExpressionBackend | null> | undefined;

function expressionBackend(): Promise<ExpressionBackend | null> {
  backend ??= import(/* the folder may not exist yet */ BACKEND_MODULE).then(
    (module: Partial<ExpressionBackend>) => (typeof module.evaluateExpression === 'function' && typeof module.checkExpressionSyntax === 'function'
      ? module as ExpressionBackend : null),
    (err: { code?: string }) => {
      if (err?.code === 'ERR_MODULE_NOT_FOUND') return null;
      backend = undefined;
      throw err;
    },
  );
  return backend;
}

/** The message a syntax error gets on save, as authentik's evaluator words it; null when the source compiles. */
export async function expressionSyntaxError(source: string): Promise<string | null> {
  if (knownExpression(source)) return null;
  const sandbox = await expressionBackend();
  if (!sandbox) return null;
  const error = await sandbox.checkExpressionSyntax(source);
  return error === null ? null : `Expression Syntax Error: ${error}`;
}

/** The source without comments and blank space, so that a shipped expression is recognised however it is indented. */
function normalise(source: string): string {
  return source.split('\n').map((line) => line.replace(/^\s*#.*$/, '').trim()).filter(Boolean).join(' ').replace(/\s+/g, ' ').replace(/,\s*}/g, ' }').replace(/,\s*]/g, ' ]');
}

async function groupNames(services: Services, userId: number): Promise<string[]> {
  const rows = await services.db.select({ name: groups.name }).from(userGroups)
    .innerJoin(groups, eq(groups.groupUuid, userGroups.groupId)).where(eq(userGroups.userId, userId));
  return rows.map((r) => r.name);
}

type Native = (services: Services, scope: MappingScope) => Promise<unknown> | unknown;

/**
 * The expressions authentik ships for OAuth2 scopes, run natively: they are on every token and userinfo request,
 * and they only read the user. The result is what the sandbox would return for them; anything else (an edited
 * copy included) runs in the sandbox.
 */
const KNOWN: Record<string, Native> = {
  'return {}': () => ({}),
  'return { "email": request.user.email, "email_verified": False }': (_services, { user }) => ({ email: user?.email ?? '', email_verified: false }),
  'return { "email": request.user.email, "email_verified": True }': (_services, { user }) => ({ email: user?.email ?? '', email_verified: true }),
  'return { "name": request.user.name, "given_name": request.user.name, "preferred_username": request.user.username, "nickname": request.user.username, "groups": [group.name for group in request.user.ak_groups.all()] }':
    async (services, { user }) => ({
      name: user?.name ?? '',
      given_name: user?.name ?? '',
      preferred_username: user?.username ?? '',
      nickname: user?.username ?? '',
      groups: user ? await groupNames(services, user.id) : [],
    }),
};

const knownCache = new Map<string, Native | null>();

function knownExpression(source: string): Native | null {
  let native = knownCache.get(source);
  if (native === undefined) {
    native = KNOWN[normalise(source)] ?? null;
    if (knownCache.size > 256) knownCache.clear();
    knownCache.set(source, native);
  }
  return native;
}

/** Runs a mapping's expression; rejects with a PropertyMappingError when it raises or cannot run. */
export async function evaluateMapping(services: Services, mapping: { name: string; expression: string }, scope: MappingScope): Promise<unknown> {
  const native = knownExpression(mapping.expression);
  if (native) return native(services, scope);
  const sandbox = await expressionBackend();
  if (!sandbox) throw new PropertyMappingError('Property mappings cannot run: the expression sandbox is not available', mapping.name);
  const request = { user: scope.user, httpRequest: scope.httpRequest, context: { ...scope.globals } };
  let outcome: { result: unknown; error?: string };
  try {
    // authentik's PropertyMappingEvaluator: `user` and `request` (a PolicyRequest), the caller's names beside them.
    outcome = await sandbox.evaluateExpression(services, mapping.expression, { ...scope.globals, user: scope.user, request }, { filename: mapping.name });
  } catch (err) {
    throw new PropertyMappingError(err instanceof Error ? err.message : String(err), mapping.name);
  }
  if (outcome.error !== undefined) throw new PropertyMappingError(outcome.error, mapping.name);
  return outcome.result;
}

/** Records authentik's `property_mapping_exception` event for a failed mapping. */
export async function recordMappingError(services: Services, mapping: { name: string; expression: string }, error: Error, user: UserRow | null): Promise<void> {
  await recordEvent(services, {
    action: 'property_mapping_exception',
    user,
    context: { expression: mapping.expression, message: `${error.message}`, mapping: mapping.name },
  }).catch((err) => services.log.warn({ err: (err as Error).message }, 'could not record a property mapping error'));
}
