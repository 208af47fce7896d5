import type { Services } from '../api/context.js';
import type { ExpressionVariables } from './types.js';
import type { Wire, WireCodec } from './wire.js';

/** What a helper is told about the evaluation that calls it. */
export interface ExpressionCall {
  services: Services;
  /** Turns the call's wire arguments into server objects (`decode`) and registers objects it returns. */
  codec: WireCodec;
  /** The variables the evaluation was given (`request`, `user`, …), as the caller passed them. */
  variables: ExpressionVariables;
  /** The expression's name (authentik's evaluator filename: the policy or mapping name). */
  filename: string;
  /** When the evaluation's time is up (ms since the epoch): helpers bound their own work by it. */
  deadline: number;
}

/**
 * A helper the sandbox can ask for (`ak_user_by`, `requests`…): it gets the call's JSON arguments and returns a
 * value, encoded for Python as `WireCodec.encode` does (so rows it returns become users and groups). A thrown
 * error is raised in Python with its message.
 */
export type ExpressionHandler = (call: ExpressionCall, args: Record<string, Wire>) => unknown;

/** A handler that lives in another domain, imported on first use so that this folder does not depend on it. */
export type LazyExpressionHandler = () => Promise<ExpressionHandler>;

const handlers = new Map<string, ExpressionHandler>();
const lazyHandlers = new Map<string, LazyExpressionHandler>();

/** The helper names and the functions expressions call them through, for errors that say what is missing. */
const HELPER_NAMES: Record<string, string> = {
  create_event: 'ak_create_event',
  call_policy: 'ak_call_policy',
  create_jwt: 'ak_create_jwt',
  create_jwt_raw: 'ak_create_jwt_raw',
  send_email: 'ak_send_email',
  user_has_authenticator: 'ak_user_has_authenticator',
  http_request: 'requests',
};

/** Registers (or replaces) the handler of a helper; returns how to remove it. */
export function registerExpressionHandler(name: string, handler: ExpressionHandler): () => void {
  handlers.set(name, handler);
  return () => {
    if (handlers.get(name) === handler) handlers.delete(name);
  };
}

/** Registers a handler loaded on first use; one registered directly takes precedence. */
export function registerLazyExpressionHandler(name: string, load: LazyExpressionHandler): void {
  lazyHandlers.set(name, load);
}

export class HelperUnavailableError extends Error {}

export async function expressionHandler(name: string): Promise<ExpressionHandler> {
  const direct = handlers.get(name);
  if (direct) return direct;
  const load = lazyHandlers.get(name);
  const label = HELPER_NAMES[name] ?? name;
  if (!load) throw new HelperUnavailableError(`${label} is not available in this installation`);
  let handler: ExpressionHandler;
  try {
    handler = await load();
  } catch (err) {
    throw new HelperUnavailableError(`${label} is not available: ${(err as Error).message}`);
  }
  handlers.set(name, handler);
  return handler;
}
