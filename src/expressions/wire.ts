import type { Services } from '../api/context.js';
import type { groups, users } from '../core/table.js';
import { userUid } from '../core/users/model.js';
import { avatarFor } from '../core/users/avatar.js';

/**
 * How values cross into the sandbox and back: JSON, where objects the server knows carry a `$t` marker (`user`,
 * `group`, `datetime`, `bytes`, `http_request`, `policy_request`, `flow_plan`, `model`) and a `$ref` that names
 * the original object in this evaluation's reference table, so that a user handed in (or fetched by `ak_user_by`)
 * comes back out as the same row. Python never receives a JavaScript object.
 */
export type Wire = null | boolean | number | string | Wire[] | { [key: string]: Wire };

type UserRow = typeof users.$inferSelect;
type GroupRow = typeof groups.$inferSelect;

/** The HTTP request an expression sees as `http_request` (authentik hands in Django's request). */
export interface ExpressionHttpRequest {
  ip?: string;
  userAgent?: string;
  host?: string;
  path?: string;
  method?: string;
  scheme?: string;
  query?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Session data an expression may read (`http_request.session.get(…)`). */
  session?: Record<string, unknown>;
  /** The session's user (`http_request.user`). */
  user?: UserRow | null;
}

/** authentik's PolicyRequest: what `request` is in policies and property mappings. */
export interface ExpressionPolicyRequest {
  user?: UserRow | null;
  httpRequest?: ExpressionHttpRequest;
  obj?: unknown;
  context?: Record<string, unknown>;
  debug?: boolean;
}

const MAX_DEPTH = 48;
const USER_COLUMNS = new Set(['id', 'uuid', 'username', 'name', 'email', 'password', 'passwordChangeDate', 'isActive', 'lastLogin',
  'dateJoined', 'attributes', 'path', 'type']);

export function isUserRow(value: object): value is UserRow {
  const row = value as Partial<UserRow>;
  return typeof row.id === 'number' && typeof row.username === 'string' && 'isActive' in row && 'attributes' in row;
}

export function isGroupRow(value: object): value is GroupRow {
  const row = value as Partial<GroupRow>;
  return typeof row.groupUuid === 'string' && typeof row.name === 'string' && 'isSuperuser' in row;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** authentik (Django) does not count an empty or `!`-prefixed hash as a usable password. */
export function hasUsablePassword(hash: string | null | undefined): boolean {
  return Boolean(hash) && !hash!.startsWith('!');
}

/** One evaluation's objects by reference, shared by encoding, helper calls and decoding. */
export class WireCodec {
  private readonly refs: unknown[] = [];
  private readonly refOf = new Map<unknown, number>();

  constructor(private readonly services: Services) {}

  ref(value: unknown): number {
    let id = this.refOf.get(value);
    if (id === undefined) {
      id = this.refs.push(value) - 1;
      this.refOf.set(value, id);
    }
    return id;
  }

  resolve(ref: unknown): unknown {
    return typeof ref === 'number' ? this.refs[ref] : undefined;
  }

  encode(value: unknown, depth = 0): Wire {
    if (value === null || value === undefined) return null;
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        return Number.isFinite(value) ? value : null;
      case 'bigint':
        return value.toString();
      case 'function':
      case 'symbol':
        return null;
      default:
        break;
    }
    if (depth > MAX_DEPTH) return '[nested too deeply]';
    const object = value as object;
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? null : { $t: 'datetime', v: object.toISOString() };
    if (object instanceof Uint8Array) return { $t: 'bytes', v: Buffer.from(object).toString('base64') };
    if (Array.isArray(object)) return object.map((item) => this.encode(item, depth + 1));
    if (object instanceof Set) return [...object].map((item) => this.encode(item, depth + 1));
    if (object instanceof Map) return this.encodeFields(Object.fromEntries(object), depth);
    if (object instanceof URL) return object.toString();
    if (isUserRow(object)) return this.encodeUser(object, depth);
    if (isGroupRow(object)) return this.encodeGroup(object, depth);
    if (isPlainObject(object)) return this.encodeFields(object, depth);
    const fields: Record<string, Wire> = {};
    for (const [key, item] of Object.entries(object)) fields[snake(key)] = this.encode(item, depth + 1);
    return { ...fields, $t: 'model', $ref: this.ref(object), $model: object.constructor?.name ?? 'object' };
  }

  private encodeFields(object: Record<string, unknown>, depth: number): Wire {
    const fields: Record<string, Wire> = {};
    for (const [key, item] of Object.entries(object)) {
      if (item !== undefined) fields[key] = this.encode(item, depth + 1);
    }
    return '$t' in fields ? { $t: 'dict', v: fields } : fields;
  }

  encodeUser(user: UserRow, depth = 0): Wire {
    const extra: Record<string, Wire> = {};
    for (const [key, item] of Object.entries(user)) {
      if (!USER_COLUMNS.has(key)) extra[snake(key)] = this.encode(item, depth + 1);
    }
    return {
      ...extra,
      $t: 'user',
      $ref: this.ref(user),
      pk: user.id,
      uuid: user.uuid,
      username: user.username,
      name: user.name ?? '',
      email: user.email ?? '',
      is_active: user.isActive,
      last_login: this.encode(user.lastLogin),
      date_joined: this.encode(user.dateJoined),
      password_change_date: this.encode(user.passwordChangeDate),
      attributes: this.encode(user.attributes ?? {}, depth + 1),
      path: user.path ?? 'users',
      type: user.type ?? 'internal',
      uid: userUid(this.services.installId, user.id),
      avatar: avatarFor(this.services.config.avatars, { username: user.username, name: user.name ?? '', email: user.email ?? '', attributes: user.attributes ?? {} }),
      has_password: hasUsablePassword(user.password),
    };
  }

  encodeGroup(group: GroupRow, depth = 0): Wire {
    return {
      $t: 'group',
      $ref: this.ref(group),
      pk: group.groupUuid,
      num_pk: group.numPk,
      name: group.name,
      is_superuser: group.isSuperuser,
      parent_id: group.parentId ?? null,
      attributes: this.encode(group.attributes ?? {}, depth + 1),
    };
  }

  encodeHttpRequest(request: ExpressionHttpRequest): Wire {
    return {
      $t: 'http_request',
      path: request.path ?? '/',
      method: request.method ?? 'GET',
      host: request.host ?? '',
      scheme: request.scheme ?? 'http',
      ip: request.ip ?? '',
      user_agent: request.userAgent ?? '',
      query: this.encode(request.query ?? {}),
      headers: this.encode(request.headers ?? {}),
      session: this.encode(request.session ?? {}),
      user: request.user ? this.encodeUser(request.user) : null,
    };
  }

  /** A PolicyRequest; a `flow_plan` in its context becomes authentik's FlowPlan, whose context may be changed. */
  encodePolicyRequest(request: ExpressionPolicyRequest): Wire {
    const context = request.context ?? {};
    const encodedContext = this.encode(context) as Record<string, Wire>;
    const plan = context.flow_plan;
    if (plan && typeof plan === 'object' && !Array.isArray(plan)) {
      const { context: planContext, flow_pk: flowPk, flowPk: camelFlowPk } = plan as Record<string, unknown>;
      encodedContext.flow_plan = {
        $t: 'flow_plan',
        $ref: this.ref(plan),
        flow_pk: this.encode(flowPk ?? camelFlowPk),
        context: this.encode(planContext ?? {}),
      };
    }
    return {
      $t: 'policy_request',
      user: request.user ? this.encodeUser(request.user) : null,
      http_request: request.httpRequest ? this.encodeHttpRequest(request.httpRequest) : null,
      obj: this.encode(request.obj),
      context: encodedContext,
      debug: Boolean(request.debug),
    };
  }

  /** A value from Python: markers become dates, buffers and the original objects again. */
  decode(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.decode(item));
    if (value === null || typeof value !== 'object') return value;
    const object = value as Record<string, unknown>;
    switch (object.$t) {
      case undefined: {
        const out: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(object)) out[key] = this.decode(item);
        return out;
      }
      case 'dict':
        return this.decode({ ...(object.v as Record<string, unknown>) });
      case 'datetime':
        return new Date(String(object.v));
      case 'bytes':
        return Buffer.from(String(object.v), 'base64');
      case 'user':
      case 'group':
      case 'model':
      case 'flow_plan':
        return this.resolve(object.$ref) ?? { pk: object.pk ?? null };
      default:
        return null;
    }
  }
}
