import { readFileSync, readdirSync } from 'node:fs';

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The process's children (all threads), then theirs. */
export function descendants(pid: number): number[] {
  const found: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return found;
  }
  for (const tid of tasks) {
    let children = '';
    try {
      children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of children.trim().split(/\s+/).filter(Boolean).map(Number)) found.push(child, ...descendants(child));
  }
  return found;
}

/** Resident memory in bytes of a process and every process below it (VmRSS from /proc). */
export function treeRss(pid: number): number {
  return [pid, ...descendants(pid)].reduce((sum, p) => sum + statusField(p, 'VmRSS'), 0);
}

/** Peak resident memory in bytes (VmHWM) of a process and the processes below it now. */
export function treePeakRss(pid: number): number {
  return [pid, ...descendants(pid)].reduce((sum, p) => sum + statusField(p, 'VmHWM'), 0);
}

function cpuTicks(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** CPU time (user + system) in ms spent so far by a process and the processes below it. */
export function treeCpuMs(pid: number): number {
  return ([pid, ...descendants(pid)].reduce((sum, p) => sum + cpuTicks(p), 0) * 1000) / 100;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * RSS once it stops moving: sampled every 500 ms until two samples in a row differ by less than 1 MB
 * (or `maxMs` passes), as an idle server's memory settles after start-up work and the first requests.
 */
export async function settledRss(pid: number, maxMs = 15_000): Promise<number> {
  const deadline = Date.now() + maxMs;
  let previous = treeRss(pid);
  let calm = 0;
  while (Date.now() < deadline) {
    await sleep(500);
    const current = treeRss(pid);
    calm = Math.abs(current - previous) < 1024 * 1024 ? calm + 1 : 0;
    previous = current;
    if (calm >= 2) break;
  }
  return previous;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median wall time in ms of `runs` sequential calls (after `warmup` unmeasured ones). */
export async function timeIt(fn: () => Promise<unknown>, runs = 5, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

/** Operations per second of `fn` run back to back for `ms` (for in-process rates: signatures, hashes…). */
export async function rate(fn: () => unknown, ms = 2000): Promise<number> {
  const end = performance.now() + ms;
  let count = 0;
  const start = performance.now();
  while (performance.now() < end) {
    await fn();
    count++;
  }
  return count / ((performance.now() - start) / 1000);
}
