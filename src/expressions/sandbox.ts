import { spawn, type ChildProcess } from 'node:child_process';
import { AsyncLocalStorage } from 'node:async_hooks';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { ExpressionCall } from './handlers.js';
import { expressionHandler } from './handlers.js';
import type { ChildMessage, ChildReply, ParentRequest } from './protocol.js';
import { projectPath } from '../lib/project.js';

export interface SandboxOptions {
  /** Largest WebAssembly heap of the interpreter, in MiB: past it allocations raise MemoryError. */
  memoryLimitMiB: number;
  /** A heap grown past this (MiB) is given back by replacing the process once it is idle. */
  recycleAboveMiB: number;
  /** How long past an evaluation's timeout the process is killed if Python did not stop by itself. */
  killGraceMs: number;
  /**
   * An interpreter with nothing to do for this long (ms) is stopped, giving its ~150 MB back; the next evaluation
   * starts a new one and waits for it to load. 0 keeps it for the life of the server.
   */
  idleShutdownMs: number;
  /** Receives what is worth an operator's attention (crashes, restarts). */
  log?: (level: 'info' | 'warn' | 'error', message: string, details?: Record<string, unknown>) => void;
}

export const DEFAULT_SANDBOX_OPTIONS: SandboxOptions = { memoryLimitMiB: 512, recycleAboveMiB: 192, killGraceMs: 2000, idleShutdownMs: 300_000 };

/** An evaluation or syntax check on its way through the sandbox. */
interface Job {
  id: number;
  request: ParentRequest;
  /** Set for evaluations: what helper calls of this job are told. */
  call?: Omit<ExpressionCall, 'deadline'>;
  timeoutMs: number;
  deadline: number;
  resolve(reply: ChildReply): void;
  signal?: AbortSignal;
  killTimer?: NodeJS.Timeout;
  timedOut?: boolean;
}

/** Inside a helper call: evaluations started here run nested in the waiting process (ak_call_policy). */
const insideCall = new AsyncLocalStorage<{ process: SandboxProcess; depth: number }>();
const MAX_NESTING = 8;

const here = projectPath('src/expressions');
const CHILD_SCRIPT = join(here, 'child', 'sandbox-child.mjs');
const RUNTIME = join(here, 'python', 'runtime.py');

function pyodideDir(): string {
  return realpathSync(dirname(createRequire(import.meta.url).resolve('pyodide')));
}

function permissionFlag(): string {
  return process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';
}

/** One child process running Pyodide: its pipes, and the jobs it is working on. */
class SandboxProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  /** The evaluation sent on the request pipe, and those nested in its helper calls. */
  readonly jobs = new Map<number, Job>();
  top?: Job;
  memory = 0;
  isReady = false;
  private stderr = '';
  private markReady!: () => void;

  constructor(private readonly sandbox: ExpressionSandbox, options: SandboxOptions) {
    const pyodide = pyodideDir();
    const args = [
      permissionFlag(),
      ...[join(pyodide, '*'), join(here, 'child', '*'), join(here, 'python', '*')].map((path) => `--allow-fs-read=${path}`),
      '--disallow-code-generation-from-strings',
      '--max-old-space-size=256',
      '--no-warnings',
      CHILD_SCRIPT,
      join(pyodide, 'pyodide.mjs'),
      RUNTIME,
      String(options.memoryLimitMiB),
    ];
    // No environment at all: nothing the server knows (database password, secret key) reaches this process.
    this.child = spawn(process.execPath, args, { env: {}, stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe', 'pipe'] });
    this.ready = new Promise<void>((resolve) => (this.markReady = resolve));
    this.exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)));
    let buffered = '';
    this.output.setEncoding('utf8');
    this.output.on('data', (text: string) => {
      buffered += text;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line) this.receive(JSON.parse(line) as ChildMessage);
      }
    });
    for (const stream of [this.requests, this.answers]) stream.on('error', () => {});
    this.child.on('error', () => {});
    // Loading holds the event loop (whoever started it is waiting for it); an idle, loaded process does not.
    this.setActive(true);
  }

  private get requests(): Writable {
    return (this.child.stdio as unknown as Writable[])[3];
  }

  private get output(): Readable {
    return (this.child.stdio as unknown as Readable[])[4];
  }

  private get answers(): Writable {
    return (this.child.stdio as unknown as Writable[])[5];
  }

  get recentStderr(): string {
    return this.stderr.trim();
  }

  /** Keeps the server's event loop alive only while work is in flight, so that an idle sandbox never holds it. */
  setActive(active: boolean): void {
    for (const handle of [this.child, this.child.stderr, this.requests, this.output, this.answers] as unknown as { ref?(): void; unref?(): void }[]) {
      if (active) handle?.ref?.();
      else handle?.unref?.();
    }
  }

  send(job: Job, nested: boolean): void {
    this.jobs.set(job.id, job);
    const line = `${JSON.stringify({ ...job.request, id: job.id, timeoutMs: job.timeoutMs })}\n`;
    (nested ? this.answers : this.requests).write(line);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }

  /** Ends the process politely: it exits when its request pipe closes. */
  close(): void {
    this.requests.end();
    this.answers.end();
  }

  private receive(message: ChildMessage): void {
    switch (message.op) {
      case 'ready':
        this.memory = message.memory;
        this.isReady = true;
        this.markReady();
        break;
      case 'call':
        void this.answerCall(message);
        break;
      case 'result': {
        const job = this.jobs.get(message.id);
        if (!job) break;
        this.jobs.delete(message.id);
        this.memory = message.memory ?? this.memory;
        this.sandbox.finished(this, job, message);
        break;
      }
      case 'fatal':
        this.stderr += `\n${message.error}`;
        break;
      default:
        break;
    }
  }

  private async answerCall(message: Extract<ChildMessage, { op: 'call' }>): Promise<void> {
    const job = this.jobs.get(message.id);
    let answer: Record<string, unknown>;
    try {
      if (!job?.call) throw new Error('no evaluation is waiting for this helper');
      const handler = await expressionHandler(message.name);
      const call: ExpressionCall = { ...job.call, deadline: job.deadline };
      const depth = (insideCall.getStore()?.depth ?? 0) + 1;
      const value = await insideCall.run({ process: this, depth }, () => handler(call, message.args ?? {}));
      answer = { op: 'answer', callId: message.callId, ok: true, value: job.call.codec.encode(value) };
    } catch (err) {
      answer = { op: 'answer', callId: message.callId, ok: false, error: (err as Error).message ?? String(err) };
    }
    this.answers.write(`${JSON.stringify(answer)}\n`);
  }
}

/**
 * The warm interpreter: one child process, loaded in the background on first use, replaced after a crash,
 * a kill (timeout) or when its heap has grown, and stopped after `idleShutdownMs` without work. Evaluations
 * queue and run one at a time; one started from inside a helper call (an expression policy run by
 * `ak_call_policy`) runs nested in the process that is waiting.
 */
export class ExpressionSandbox {
  private process?: SandboxProcess;
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private failuresBeforeReady = 0;
  private idleTimer?: NodeJS.Timeout;

  constructor(private readonly options: SandboxOptions = DEFAULT_SANDBOX_OPTIONS) {}

  /** Starts loading the interpreter if it is not running; resolves once it can evaluate. */
  async warm(): Promise<void> {
    let stderr = '';
    for (let attempt = 0; attempt < 3 && !this.closed; attempt++) {
      const current = this.ensureProcess();
      if (await Promise.race([current.ready.then(() => true), current.exited.then(() => false)])) return;
      stderr = current.recentStderr;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error(`The expression sandbox cannot start: ${stderr.slice(-500) || 'no output'}`);
  }

  get pid(): number | undefined {
    return this.process?.child.pid;
  }

  /** Resolves once the current process (if any) has exited. */
  processExited(): Promise<void> {
    return this.process?.exited ?? Promise.resolve();
  }

  /**
   * Stops the interpreter if it is loaded and has no work (what the idle timer does); the next evaluation starts
   * a new one. Returns whether it stopped one.
   */
  stopIfIdle(): boolean {
    this.disarmIdle();
    const current = this.process;
    if (!current || !current.isReady || current.top || current.jobs.size || this.queue.length) return false;
    this.options.log?.('info', 'expression sandbox: stopping the idle interpreter to give its memory back');
    this.process = undefined;
    current.close();
    return true;
  }

  run(request: ParentRequest, timeoutMs: number, call?: Omit<ExpressionCall, 'deadline'>, signal?: AbortSignal): Promise<ChildReply> {
    if (this.closed) return Promise.resolve(failure('The expression sandbox is shut down'));
    return new Promise<ChildReply>((resolve) => {
      const job: Job = { id: this.nextId++, request, call, timeoutMs, deadline: Date.now() + timeoutMs, resolve, signal };
      const outer = insideCall.getStore();
      if (outer && outer.process === this.process && outer.process.top) {
        if (outer.depth >= MAX_NESTING) return resolve(failure('Expressions call each other too deeply'));
        job.deadline = Math.min(job.deadline, outer.process.top.deadline);
        job.timeoutMs = Math.max(1, job.deadline - Date.now());
        outer.process.send(job, true);
        return;
      }
      if (signal?.aborted) return resolve(failure('The evaluation was cancelled'));
      signal?.addEventListener('abort', () => {
        const index = this.queue.indexOf(job);
        if (index >= 0) {
          this.queue.splice(index, 1);
          resolve(failure('The evaluation was cancelled'));
        }
      }, { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  /** Stops the process; later evaluations fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.disarmIdle();
    const current = this.process;
    for (const job of this.queue.splice(0)) job.resolve(failure('The expression sandbox is shut down'));
    if (current) {
      current.close();
      const exited = await Promise.race([current.exited.then(() => true), new Promise((r) => setTimeout(r, 1000, false))]);
      if (!exited) current.kill();
      await current.exited;
    }
  }

  /** Kills the process as a crash would (tests). */
  killProcess(): void {
    const current = this.process;
    if (!current) return;
    this.process = undefined;
    current.kill();
  }

  private ensureProcess(): SandboxProcess {
    if (this.process) return this.process;
    const started = new SandboxProcess(this, this.options);
    this.process = started;
    started.ready.then(() => {
      this.failuresBeforeReady = 0;
      started.setActive(false);
      this.pump();
    });
    started.child.once('exit', (code, signal) => this.exited(started, code, signal));
    return started;
  }

  private pump(): void {
    if (this.closed) return;
    const current = this.ensureProcess();
    this.disarmIdle();
    current.setActive(Boolean(current.top || this.queue.length));
    if (current.top) return;
    if (!this.queue.length) {
      void current.ready.then(() => this.armIdle(current));
      return;
    }
    void current.ready.then(() => {
      // A process being killed (its exit not seen yet) takes no more work: the next one will.
      if (this.process !== current || current.child.killed || current.top || !this.queue.length) return;
      const job = this.queue.shift()!;
      job.deadline = Date.now() + job.timeoutMs;
      current.top = job;
      current.setActive(true);
      job.killTimer = setTimeout(() => {
        job.timedOut = true;
        current.kill();
      }, job.timeoutMs + this.options.killGraceMs);
      current.send(job, false);
    });
  }

  /** Starts the idle countdown of a loaded process that has nothing to do; any new work stops it (`pump`). */
  private armIdle(current: SandboxProcess): void {
    const ms = this.options.idleShutdownMs;
    if (ms <= 0 || this.closed || this.idleTimer || this.process !== current || current.top || this.queue.length) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.process === current) this.stopIfIdle();
    }, ms);
    // The countdown never keeps the server's event loop alive.
    this.idleTimer.unref();
  }

  private disarmIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** A job's reply arrived. */
  finished(from: SandboxProcess, job: Job, reply: ChildReply): void {
    clearTimeout(job.killTimer);
    job.resolve(reply);
    if (from.top !== job) return;
    from.top = undefined;
    const grown = from.memory > this.options.recycleAboveMiB * 1024 * 1024;
    if (grown || reply.recycle) {
      this.options.log?.('info', grown ? 'expression sandbox: replacing the interpreter to give its memory back'
        : 'expression sandbox: replacing an interpreter an expression damaged', { heapBytes: from.memory, error: reply.recycle ? reply.error : undefined });
      this.process = undefined;
      from.close();
    }
    this.pump();
  }

  private exited(gone: SandboxProcess, code: number | null, signal: NodeJS.Signals | null): void {
    for (const job of gone.jobs.values()) {
      clearTimeout(job.killTimer);
      job.resolve(job.timedOut
        ? failure(`Expression timed out after ${Math.round(job.timeoutMs / 100) / 10}s`, 'Timeout', true)
        : failure(`The expression sandbox stopped (${signal ?? `exit ${code}`})`, 'SandboxError'));
    }
    gone.jobs.clear();
    gone.top = undefined;
    if (this.process === gone) this.process = undefined;
    const expected = this.closed || code === 0;
    if (!expected) {
      let ready = false;
      void gone.ready.then(() => (ready = true));
      setImmediate(() => {
        if (!ready) this.failuresBeforeReady++;
        this.options.log?.('warn', 'expression sandbox stopped; starting a new one', { code, signal, stderr: gone.recentStderr.slice(-1000) });
        if (this.failuresBeforeReady >= 3) {
          for (const job of this.queue.splice(0)) job.resolve(failure(`The expression sandbox cannot start: ${gone.recentStderr.slice(-500) || 'no output'}`, 'SandboxError'));
          this.failuresBeforeReady = 0;
          return;
        }
        if (!this.closed) this.pump();
      });
    } else if (this.queue.length && !this.closed) {
      this.pump();
    }
  }
}

function failure(error: string, errorType = 'SandboxError', timedOut = false): ChildReply {
  return { op: 'result', id: 0, ok: false, error, errorType, timedOut, messages: [], logs: [] };
}
