import { existsSync, watch, type FSWatcher } from 'node:fs';
import type { Services } from '../api/context.js';
import { defineSystemTask } from '../admin/tasks.js';
import { blueprintsRoot } from './files.js';
import { discoverBlueprints, type DiscoverySummary } from './discovery.js';
import { APPLY_TASK, applyInstanceById, applyTaskResult, serially } from './instances.js';

/** Retries from the admin API land here. */
export const applyBlueprintTask = defineSystemTask<[string]>({
  name: APPLY_TASK,
  description: 'Apply single blueprint',
  saveOnSuccess: false,
  async run(services, instanceUuid) {
    const outcome = await applyInstanceById(services, instanceUuid);
    if (!outcome) return { status: 'WARNING', messages: ['Blueprint instance does not exist any more.'] };
    return applyTaskResult(outcome);
  },
});

/** How often files are re-checked without a change event (authentik: hourly). */
export const RECHECK_INTERVAL_MS = 60 * 60 * 1000;
/** File events come in bursts (an editor writes, renames, touches): wait for quiet before discovering. */
const WATCH_DEBOUNCE_MS = 500;

export const discoveryTask = defineSystemTask<[retryFailed?: boolean]>({
  name: 'blueprints_discovery',
  description: 'Find blueprints and check if they need to be created in the database',
  prefill: true,
  async run(services, retryFailed = true) {
    const started = performance.now();
    const summary: DiscoverySummary = await serially(services, () => discoverBlueprints(services, { retryFailed }));
    services.log[summary.failed.length ? 'warn' : 'info']({ ms: Math.round(performance.now() - started), ...summary }, 'blueprint discovery finished');
    return {
      status: summary.failed.length ? 'WARNING' : 'SUCCESSFUL',
      messages: [`Successfully imported ${summary.files} files.`, ...summary.failed.map((path) => `Failed to apply ${path}.`)],
    };
  },
});

/**
 * Runs a discovery in the blueprint queue, recorded as a system task; never throws. Blueprints that failed on
 * the same file and models are retried by the periodic check only, not at every start or file event.
 */
export function runDiscovery(services: Services, reason: string, retryFailed = false): Promise<unknown> {
  services.log.debug({ reason }, 'blueprint discovery starting');
  return discoveryTask(services, retryFailed).catch((err: unknown) => {
    services.log.error({ reason, err: { message: (err as Error).message } }, 'blueprint discovery failed');
  });
}

/**
 * What a running server does for blueprints: discovery right after start (in the background, so that `ready`
 * does not wait for it), again whenever a file under the folder changes, and every hour. Returns how to stop.
 */
export function startBlueprintDiscovery(services: Services): () => Promise<void> {
  let pending: Promise<unknown> = runDiscovery(services, 'start');
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  const root = blueprintsRoot(services.config);
  if (existsSync(root)) {
    try {
      watcher = watch(root, { recursive: true }, (_event, name) => {
        if (name && !String(name).endsWith('.yaml')) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          pending = runDiscovery(services, 'file changed');
        }, WATCH_DEBOUNCE_MS);
      });
      watcher.on('error', (err) => services.log.warn({ err: { message: err.message } }, 'blueprint watcher stopped'));
    } catch (err) {
      services.log.warn({ err: { message: (err as Error).message } }, 'cannot watch the blueprints folder; relying on the periodic check');
    }
  }
  const interval = setInterval(() => {
    pending = runDiscovery(services, 'periodic', true);
  }, RECHECK_INTERVAL_MS);
  interval.unref();
  return async () => {
    watcher?.close();
    clearTimeout(timer);
    clearInterval(interval);
    await pending;
  };
}
