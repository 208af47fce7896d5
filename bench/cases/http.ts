import { defineBench, type Row } from '../registry.js';
import { load, WRK_MISSING, type LoadResult } from '../lib/load.js';
import type { RunningServer } from '../lib/server.js';

function latency(result: LoadResult): string {
  const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(0));
  return `p50 ${ms(result.p50Ms)} / p99 ${ms(result.p99Ms)} ms`;
}

/**
 * Throughput under load from wrk (its own process: with two cores, one generates load and one serves),
 * against the bare node:http baseline measured just before.
 */
export default defineBench({
  id: 'http',
  title: 'HTTP throughput',
  async run(ctx, emit) {
    const { durationS, connections } = ctx.options;
    const targets: { name: string; server: () => Promise<RunningServer>; path: string; auth: boolean }[] = [
      { name: 'GET /-/health/live/ (embedded)', server: () => ctx.embedded(), path: '/-/health/live/', auth: false },
      { name: 'GET /api/v3/core/users/, token (embedded)', server: () => ctx.embedded(), path: '/api/v3/core/users/', auth: true },
      { name: 'GET /api/v3/core/users/, token (postgresql)', server: () => ctx.postgres(), path: '/api/v3/core/users/', auth: true },
    ];
    if (!ctx.wrk) {
      for (const target of targets) emit({ name: target.name, value: null, unit: 'req/s', note: WRK_MISSING });
      return;
    }
    const bare = await load((await ctx.bare()).base + '/', { durationS, connections });
    const baseline = { label: 'bare node:http', value: bare.requestsPerSecond };
    for (const target of targets) {
      let server: RunningServer;
      try {
        server = await target.server();
      } catch (err) {
        emit({ name: target.name, value: null, unit: 'req/s', note: (err as Error).message });
        continue;
      }
      const result = await load(server.base + target.path, { durationS, connections, headers: target.auth ? ctx.authHeaders : {} });
      const row: Row = { name: target.name, value: result.requestsPerSecond, unit: 'req/s', baseline, showRatio: true, note: `${latency(result)} (bare ${latency(bare)})` };
      if (result.errors) row.note += `; ${result.errors} errors`;
      emit(row);
    }
  },
});
