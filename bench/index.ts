// `npm run bench [-- <case ids>] [--json] [--duration=<s>] [--connections=<n>]`: prints start-up time, idle
// memory, HTTP throughput and password login cost, each beside its limit and a baseline measured in the same
// run. It measures, it never asserts: figures over their limit are marked OVER and the exit code stays 0.
import { cpus, loadavg } from 'node:os';
import { cases } from './cases/index.js';
import { BenchContext } from './lib/context.js';
import { renderTable, type Result } from './lib/table.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const json = args.includes('--json');
const wanted = args.filter((a) => !a.startsWith('--'));
const selected = cases.filter((c) => !wanted.length || wanted.includes(c.id));
if (!selected.length) {
  console.error(`no such bench case; known: ${cases.map((c) => c.id).join(', ')}`);
  process.exit(2);
}

const ctx = new BenchContext({ durationS: Number(flag('duration') ?? 5), connections: Number(flag('connections') ?? 16) });
const load = () => loadavg().map((n) => n.toFixed(2)).join(' ');
const machine = `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`;
const loadBefore = load();
const results: Result[] = [];
const cleanup = () => ctx.cleanup();
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

try {
  for (const bench of selected) {
    const result: Result = { title: bench.title, rows: [] };
    results.push(result);
    console.error(`bench: ${bench.title}…`);
    try {
      await bench.run(ctx, (row) => result.rows.push(row));
    } catch (err) {
      result.error = (err as Error).message;
    }
  }
} finally {
  await cleanup();
}

if (json) {
  console.log(JSON.stringify({ machine, loadavg: { before: loadBefore, after: load() }, results }, null, 2));
} else {
  console.log(`\n${machine}; load average before ${loadBefore}, after ${load()} (figures are noisy when the machine is busy)\n`);
  console.log(renderTable(results));
}
