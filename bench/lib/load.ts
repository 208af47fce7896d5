import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What one load run measured. */
export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export interface LoadOptions {
  headers?: Record<string, string>;
  /** A form body to POST instead of GETting (sent through a wrk script). */
  postForm?: Record<string, string>;
  durationS: number;
  connections: number;
}

export const WRK_MISSING = 'wrk not found: install it (apt-get install -y wrk, brew install wrk) to get the HTTP figures';

/** wrk, when installed: a separate process, so load generation and the server each get a core. */
export function findWrk(): string | null {
  const found = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  return found.error ? null : 'wrk';
}

function toMs(value: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (!match) return NaN;
  const n = Number(match[1]);
  return { us: n / 1000, ms: n, s: n * 1000, m: n * 60_000 }[match[2] as 'us' | 'ms' | 's' | 'm'];
}

/** Parses wrk's `--latency` report. */
export function parseWrk(text: string): LoadResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const p50 = /^\s+50%\s+(\S+)/m.exec(text);
  const p99 = /^\s+99%\s+(\S+)/m.exec(text);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  if (!rps || !p50 || !p99) throw new Error(`could not read wrk's output:\n${text}`);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    requestsPerSecond: Number(rps[1]),
    p50Ms: toMs(p50[1]),
    p99Ms: toMs(p99[1]),
    errors: (non2xx ? Number(non2xx[1]) : 0) + socketErrors,
  };
}

function runWrk(url: string, options: LoadOptions): Promise<LoadResult> {
  const args = ['-t1', `-c${options.connections}`, `-d${options.durationS}s`, '--latency', '--timeout', '10s'];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}: ${value}`);
  if (options.postForm) {
    const script = join(mkdtempSync(join(tmpdir(), 'ak-wrk-')), 'post.lua');
    const body = new URLSearchParams(options.postForm).toString();
    writeFileSync(script, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n`);
    args.push('-s', script);
  }
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      try {
        resolve(parseWrk(out));
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** A short unmeasured run first (JIT, caches, connection set-up), then the measured one. */
export async function load(url: string, options: LoadOptions): Promise<LoadResult> {
  await runWrk(url, { ...options, durationS: 1 });
  return runWrk(url, options);
}
