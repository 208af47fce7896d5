import { mkdirSync } from 'node:fs';
import { defineBench, type Row } from '../registry.js';
import { spawnAuthentik, spawnBare } from '../lib/server.js';
import { median } from '../lib/proc.js';

const cpu = (ms: number) => `${(ms / 1000).toFixed(2)} s CPU`;

const MB = 1024 * 1024;
const WARM_RUNS = 3;

async function warmStarts(settings: Record<string, string>): Promise<Pick<Row, 'value' | 'unit' | 'note'>> {
  const wall: number[] = [];
  const cpuMs: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    const server = await spawnAuthentik('warm start', settings);
    wall.push(server.readyMs);
    cpuMs.push(server.readyCpuMs);
    await server.stop();
  }
  return { value: median(wall), unit: 'ms', note: `median of ${WARM_RUNS}: ${wall.map((ms) => Math.round(ms)).join(', ')} ms; ${cpu(median(cpuMs))} (median)` };
}

/** Spawn → first 204 on /-/health/ready/: a fresh data folder (initdb, migrations, bootstrap), then warm restarts. */
export default defineBench({
  id: 'startup',
  title: 'Start-up',
  async run(ctx, emit) {
    const bare: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      const server = await spawnBare();
      bare.push(server.readyMs);
      await server.stop();
    }
    const baseline = { label: 'bare node:http', value: median(bare) };

    const first = await ctx.firstStart();
    emit({
      name: 'first start, fresh data folder (embedded)',
      value: first.readyMs,
      unit: 'ms',
      baseline,
      note: `initdb + migrations + bootstrap; ${cpu(first.readyCpuMs)}; peak RSS ${Math.round(first.peakRss / MB)} MB, ${Math.round(first.idleRss / MB)} MB once idle`,
    });

    const warm = await warmStarts(ctx.embeddedSettings());
    emit({ name: 'ready, warm data folder (embedded)', ...warm, baseline, limit: { max: 3000 } });

    // The same without blueprint discovery, which starts with the server and competes with the first requests:
    // what start-up itself costs.
    const empty = ctx.newDataDir();
    mkdirSync(empty, { recursive: true });
    const noBlueprints = { ...ctx.embeddedSettings(), AUTHENTIK_DATA_DIR: ctx.newDataDir(), AUTHENTIK_BLUEPRINTS_DIR: empty };
    await (await spawnAuthentik('first start without blueprints', noBlueprints)).stop();
    const core = await warmStarts(noBlueprints);
    emit({ name: 'ready, warm, no blueprints to discover (embedded)', ...core, baseline, limit: { max: 3000 } });

    try {
      const server = await ctx.postgres();
      emit({ name: 'ready, migrated database (postgresql)', value: server.readyMs, unit: 'ms', baseline, limit: { max: 3000 }, note: cpu(server.readyCpuMs) });
    } catch (err) {
      emit({ name: 'ready, migrated database (postgresql)', value: null, unit: 'ms', note: (err as Error).message });
    }
  },
});
