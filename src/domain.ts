import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Services } from './api/context.js';
import type { Json, ModelDefinition } from './api/model.js';
import type { ContextFactory, ViewSet } from './api/viewset.js';
import type { StageType } from './flows/stage.js';

/**
 * What a domain folder exports: its models, its viewsets, and any routes of its own. The server, the model
 * registry and the schema checks all read the list in `domains.ts`; adding a domain is adding one line there.
 */
export interface DomainModule {
  name: string;
  models?: ModelDefinition<any>[];
  viewSets?: ViewSet<any>[];
  /** Stage types the flow executor runs (`src/flows/stage.ts` describes the contract). */
  stages?: StageType<any>[];
  routes?(app: FastifyInstance, services: Services, makeContext: ContextFactory): void;
  /**
   * Answers a hot request before fastify routes it (raw node:http, no hooks): returns true when it answered. It
   * must answer byte for byte as the domain's route would, and return false for anything it is unsure of.
   */
  fastPath?(req: IncomingMessage, res: ServerResponse): boolean;
  /** Work at start after migrations (creating defaults), in dependency order of the list. */
  bootstrap?(services: Services): Promise<void>;
  /**
   * Background work of a running server (`ak server` only, after it listens: watchers, timers, discovery); not
   * run by CLI commands or tests. Returns how to stop it at shutdown.
   */
  start?(services: Services): () => Promise<void>;
}

export type { Json };
