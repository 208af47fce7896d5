import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { sleep, treeCpuMs, treeRss } from './proc.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A server under test, running as a child process of the bench. */
export interface RunningServer {
  label: string;
  pid: number;
  base: string;
  /** ms from spawn to the first good answer on the ready URL. */
  readyMs: number;
  /** CPU time the server had used by then (less sensitive to a busy machine than the wall time). */
  readyCpuMs: number;
  /** Bytes: the highest RSS of the server and its child processes seen while it started (sampled every ~50 ms). */
  startPeakRss: number;
  stop(): Promise<void>;
  /** The last lines it printed, for error messages. */
  output(): string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** One GET; resolves to the status code, or 0 when nothing answers. */
export function probe(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { headers, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => {
      req.destroy();
      resolve(0);
    });
    req.end();
  });
}

function collect(child: ChildProcess): () => string {
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => tail;
}

/**
 * Spawns `command`, then polls `readyPath` every 10 ms until it answers `readyStatus`; the time between is
 * the ready time. Rejects with the server's last output when it exits or takes longer than `timeoutMs`.
 */
export async function spawnServer(options: {
  label: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  readyPath: string;
  readyStatus: number;
  timeoutMs?: number;
}): Promise<RunningServer> {
  const base = `http://127.0.0.1:${options.port}`;
  const started = performance.now();
  const child = spawn(process.execPath, options.args, { cwd: ROOT, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collect(child);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));
  // A first start on a shared, busy machine can take minutes: BENCH_START_TIMEOUT_MS raises the default.
  const timeoutMs = options.timeoutMs ?? Number(process.env.BENCH_START_TIMEOUT_MS ?? 300_000);
  const deadline = started + timeoutMs;
  let startPeakRss = 0;
  let polls = 0;
  for (;;) {
    if (polls++ % 5 === 0) startPeakRss = Math.max(startPeakRss, treeRss(child.pid!));
    if (exited) throw new Error(`${options.label} exited before it was ready:\n${output()}`);
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.label} was not ready after ${timeoutMs} ms:\n${output()}`);
    }
    if ((await probe(base + options.readyPath)) === options.readyStatus) break;
    await sleep(10);
  }
  const readyMs = performance.now() - started;
  const readyCpuMs = treeCpuMs(child.pid!);
  return {
    readyCpuMs,
    startPeakRss: Math.max(startPeakRss, treeRss(child.pid!)),
    label: options.label,
    pid: child.pid!,
    base,
    readyMs,
    output,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** The environment a server under test gets: ours without any AUTHENTIK_* setting of the caller's. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AUTHENTIK_')) env[key] = value;
  return { ...env, AUTHENTIK_LOG_LEVEL: 'warn', ...extra };
}

/** authentik-ts itself: `node bin/ak.mjs server`. */
export async function spawnAuthentik(label: string, settings: Record<string, string>): Promise<RunningServer> {
  const port = await freePort();
  return spawnServer({
    label,
    args: ['bin/ak.mjs', 'server'],
    env: cleanEnv({ AUTHENTIK_LISTEN__HTTP: `127.0.0.1:${port}`, ...settings }),
    port,
    readyPath: '/-/health/ready/',
    readyStatus: 204,
  });
}

/** The baseline: a bare node:http server answering a small JSON body (bench/lib/bare-server.mjs). */
export async function spawnBare(): Promise<RunningServer> {
  const port = await freePort();
  return spawnServer({
    label: 'bare node:http',
    args: ['bench/lib/bare-server.mjs', String(port)],
    env: cleanEnv({}),
    port,
    readyPath: '/',
    readyStatus: 200,
  });
}
