import type { ConfigSnapshot } from '../db/snapshot.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/index.js';
import type { Database, Db } from '../db/database.js';
import type { Logger } from 'pino';

/** What every part of the server is built from; factories take it instead of importing globals. */
export interface Services {
  config: Config;
  database: Database;
  db: Db;
  log: Logger;
  startedAt: Date;
  /** This installation's id, part of every user's `uid`. */
  installId: string;
  /** Configuration rows as of this request's start, for requests that read many (see db/snapshot.ts). */
  snapshot?: ConfigSnapshot;
}

/** The caller of an API request, as authenticated by a token or a session. */
export interface Principal {
  id: number;
  uuid: string;
  username: string;
  isSuperuser: boolean;
  /** Set when a superuser impersonates: the real user's id. */
  impersonatorId?: number;
  /** How the request authenticated; CSRF applies to `session` only. `system` is work without a caller (blueprints, jobs). */
  via: 'token' | 'session' | 'system';
  sessionKey?: string;
}

/**
 * What model code (serialize, validate, defaults, relations) is given: who acts, and the HTTP request when there
 * is one. Blueprints and jobs act without a request, as authentik's serializers run without `request` in their
 * context; code that needs the request must check for it. `blueprint` is set while a blueprint entry is applied
 * (authentik's `SERIALIZER_CONTEXT_BLUEPRINT`), which unlocks blueprint-only fields.
 */
export interface ModelContext {
  services: Services;
  principal: Principal;
  request?: FastifyRequest;
  reply?: FastifyReply;
  blueprint?: { model: string; index: number };
}

/** The context of an API request: always has the request and the reply. */
export interface ApiContext extends ModelContext {
  request: FastifyRequest;
  reply: FastifyReply;
}

/** The principal of work nobody asked for over HTTP: it may do anything, and owns nothing (id 0 is no user). */
export const SYSTEM_PRINCIPAL: Principal = Object.freeze({ id: 0, uuid: '00000000-0000-0000-0000-000000000000', username: 'authentik-system', isSuperuser: true, via: 'system' });

export function systemContext(services: Services, extra: Partial<ModelContext> = {}): ModelContext {
  return { services, principal: SYSTEM_PRINCIPAL, ...extra };
}
