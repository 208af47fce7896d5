import { defineBench } from '../registry.js';
import type { RunningServer } from '../lib/server.js';
import { settledRss } from '../lib/proc.js';

const MB = 1024 * 1024;

/** Idle resident memory (the server and any child process) after start and a few API requests, once settled. */
export default defineBench({
  id: 'memory',
  title: 'Idle memory',
  async run(ctx, emit) {
    const bare = await ctx.bare();
    const baseline = { label: 'bare node:http', value: (await settledRss(bare.pid)) / MB };
    const measure = async (server: RunningServer) => {
      await ctx.warmUp(server);
      return (await settledRss(server.pid)) / MB;
    };
    emit({ name: 'idle RSS, embedded PGlite', value: await measure(await ctx.embedded()), unit: 'MB', baseline, limit: { max: 500 } });
    try {
      const server = await ctx.postgres();
      emit({ name: 'idle RSS, PostgreSQL server', value: await measure(server), unit: 'MB', baseline, limit: { max: 250 }, note: 'our process only, not the database server' });
    } catch (err) {
      emit({ name: 'idle RSS, PostgreSQL server', value: null, unit: 'MB', note: (err as Error).message });
    }
  },
});
