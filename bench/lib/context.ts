import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnAuthentik, spawnBare, probe, type RunningServer } from './server.js';
import { createScratchDatabase, postgresTarget } from './postgres.js';
import { findWrk } from './load.js';
import { settledRss, treePeakRss } from './proc.js';

export interface FirstStart {
  readyMs: number;
  readyCpuMs: number;
  /** Bytes: the highest RSS of the server (with its initdb child) while it started, and once idle after it. */
  peakRss: number;
  idleRss: number;
}

export interface BenchOptions {
  /** Seconds of each measured load run. */
  durationS: number;
  /** Concurrent connections of each load run. */
  connections: number;
}

/**
 * What bench cases share: the servers under test (each started once, on first use, and stopped at the end),
 * credentials that work on them, scratch folders and databases, and the load generator.
 */
export class BenchContext {
  readonly password = 'bench-password-' + randomBytes(6).toString('hex');
  readonly token = 'bench-token-' + randomBytes(24).toString('hex');
  readonly secretKey = randomBytes(32).toString('base64url');
  readonly wrk = findWrk();
  private readonly root = mkdtempSync(join(tmpdir(), 'ak-bench-'));
  private readonly cleanups: (() => Promise<unknown>)[] = [];
  private readonly servers = new Map<string, Promise<RunningServer>>();
  private folders = 0;

  constructor(readonly options: BenchOptions) {}

  /** A new empty folder under the run's scratch folder (removed at the end). */
  newDataDir(): string {
    return join(this.root, `data${++this.folders}`);
  }

  /** Settings that give `akadmin` the bench's password and API token on a first start. */
  bootstrapSettings(): Record<string, string> {
    return { AUTHENTIK_BOOTSTRAP_PASSWORD: this.password, AUTHENTIK_BOOTSTRAP_TOKEN: this.token, AUTHENTIK_SECRET_KEY: this.secretKey };
  }

  get authHeaders(): Record<string, string> {
    return { Authorization: `Bearer ${this.token}` };
  }

  private shared(key: string, start: () => Promise<RunningServer>): Promise<RunningServer> {
    let server = this.servers.get(key);
    if (!server) {
      server = start();
      this.servers.set(key, server);
      this.cleanups.push(() => server!.then((s) => s.stop(), () => undefined));
    }
    return server;
  }

  private embeddedFolder?: Promise<FirstStart>;

  /** Settings of the embedded server on the run's data folder. */
  embeddedSettings(): Record<string, string> {
    this.embeddedDataDir ??= this.newDataDir();
    return { AUTHENTIK_DATA_DIR: this.embeddedDataDir, ...this.bootstrapSettings() };
  }

  private embeddedDataDir?: string;

  /** The first start of the embedded server on a fresh data folder (once per run), as measured then. */
  firstStart(): Promise<FirstStart> {
    this.embeddedFolder ??= (async () => {
      const server = await spawnAuthentik('first start', this.embeddedSettings());
      const peakRss = Math.max(treePeakRss(server.pid), server.startPeakRss);
      // The shipped blueprints apply after the server is ready; stopped half-way, the next start would redo them.
      await this.blueprintsSettled(server);
      const idleRss = await settledRss(server.pid);
      await server.stop();
      return { readyMs: server.readyMs, readyCpuMs: server.readyCpuMs, peakRss, idleRss };
    })();
    return this.embeddedFolder;
  }

  /** Our server in embedded mode on a warm data folder (after the first start, restarted). */
  embedded(): Promise<RunningServer> {
    return this.shared('embedded', async () => {
      await this.firstStart();
      const server = await spawnAuthentik('embedded', this.embeddedSettings());
      await this.blueprintsSettled(server);
      return server;
    });
  }

  /** Our server on the PostgreSQL server, in a scratch database; rejects when there is no server to use. */
  postgres(): Promise<RunningServer> {
    return this.shared('postgres', async () => {
      let scratch;
      try {
        scratch = await createScratchDatabase();
      } catch (err) {
        const { host, port, user } = postgresTarget();
        throw new Error(`no PostgreSQL server at ${user}@${host}:${port} (${(err as Error).message}); set AUTHENTIK_POSTGRESQL__HOST/__USER/__PASSWORD`);
      }
      this.cleanups.push(() => scratch.drop());
      const { host, port, user, password } = postgresTarget();
      const settings = {
        AUTHENTIK_DATA_DIR: this.newDataDir(),
        AUTHENTIK_POSTGRESQL__HOST: host,
        AUTHENTIK_POSTGRESQL__PORT: String(port),
        AUTHENTIK_POSTGRESQL__USER: user,
        AUTHENTIK_POSTGRESQL__PASSWORD: password,
        AUTHENTIK_POSTGRESQL__NAME: scratch.name,
        ...this.bootstrapSettings(),
      };
      const first = await spawnAuthentik('first start (postgresql)', settings);
      await this.blueprintsSettled(first);
      await first.stop();
      const server = await spawnAuthentik('postgresql', settings);
      await this.blueprintsSettled(server);
      return server;
    });
  }

  /**
   * Waits until the server's blueprint instances stop changing (discovery runs after ready): figures taken while
   * it still applies the shipped blueprints would measure that work, not the request under test.
   */
  async blueprintsSettled(server: RunningServer, timeoutMs = 300_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    let stableSince = Date.now();
    while (Date.now() < deadline) {
      const response = await fetch(`${server.base}/api/v3/managed/blueprints/?page_size=1000&ordering=path`, { headers: this.authHeaders }).catch(() => undefined);
      if (response?.ok) {
        const { results } = (await response.json()) as { results: { path: string; status: string; last_applied_hash: string }[] };
        const state = results.map((r) => `${r.path}:${r.status}:${r.last_applied_hash}`).join('|');
        if (state !== last || !results.length || results.some((r) => r.status === 'unknown')) {
          last = state;
          stableSince = Date.now();
        } else if (Date.now() - stableSince >= 2000) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /**
   * Waits until the server has worked off what earlier cases left queued (wrk stops sending, but requests it
   * sent wait in the database's queue for seconds): its readiness check, one database round trip, answers
   * within 5 ms three times in a row.
   */
  async idle(server: RunningServer, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quick = 0;
    while (quick < 3 && Date.now() < deadline) {
      const started = performance.now();
      await fetch(`${server.base}/-/health/ready/`).then((r) => r.arrayBuffer(), () => undefined);
      quick = performance.now() - started < 5 ? quick + 1 : 0;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The bare node:http baseline. */
  bare(): Promise<RunningServer> {
    return this.shared('bare', spawnBare);
  }

  /** A few API requests, as a client would make right after start. */
  async warmUp(server: RunningServer): Promise<void> {
    for (let i = 0; i < 5; i++) {
      for (const path of ['/-/health/live/', '/api/v3/core/users/', '/api/v3/core/users/me/', '/api/v3/core/groups/']) {
        await probe(server.base + path, this.authHeaders);
      }
    }
  }

  /** Stops the shared servers, drops scratch databases and removes scratch folders (last registered first). */
  async cleanup(): Promise<void> {
    for (const cleanup of this.cleanups.reverse()) await cleanup().catch(() => undefined);
    rmSync(this.root, { recursive: true, force: true });
  }
}
