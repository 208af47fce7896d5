import type { ExpressionLogEntry } from './types.js';
import type { Wire } from './wire.js';

/**
 * The pipes between the server and the sandbox process, one JSON object per line. The server sends requests
 * (an evaluation, a syntax check) on one pipe and, while Python waits in a helper call, answers (or a nested
 * evaluation) on another; the sandbox says everything on a third.
 */
export type ParentRequest =
  | { op: 'eval'; source: string; filename: string; variables: Record<string, Wire> }
  | { op: 'check'; source: string; filename: string; names?: string[] };

export interface ChildReply {
  op: 'result';
  id: number;
  /** Evaluations: false when the expression did not complete. */
  ok?: boolean;
  result?: Wire;
  messages?: string[];
  logs?: ExpressionLogEntry[];
  error?: string;
  errorType?: string;
  traceback?: string;
  timedOut?: boolean;
  /** The source did not compile (evaluation), or the answer of a check (`null`: it compiles). */
  syntax?: boolean;
  syntaxError?: string | null;
  /** The flow plan's context as the expression left it, when a flow plan was handed in. */
  flowPlanContext?: Wire;
  /** The runtime failed outside the expression: the interpreter should be replaced. */
  recycle?: boolean;
  /** Bytes of the interpreter's heap after the job. */
  memory?: number;
}

export type ChildMessage =
  | { op: 'ready'; memory: number }
  | { op: 'call'; id: number; callId: number; name: string; args: Record<string, Wire> | null }
  | ChildReply
  | { op: 'fatal'; id: number; error: string };
