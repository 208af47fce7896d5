import type { Command } from 'commander';
import { loadConfig, parseListen } from '../config/index.js';
import { hashPassword } from '../core/passwords.js';

export function registerCommands(program: Command): void {
  program.command('server').description('run the server').action(async () => {
    const config = loadConfig();
    // The database starts opening (PGlite: WebAssembly compile, PostgreSQL start) while the server's modules load.
    (await import('../db/database.js')).startOpeningDatabase(config);
    const { runServer } = await import('./server.js');
    await runServer(config);
  });

  program.command('migrate').description('apply database migrations and exit').action(async () => {
    const { createServices } = await import('../app.js');
    const services = await createServices(loadConfig());
    await services.database.close();
  });

  program.command('hash_password').argument('<password>').description("print a Django-compatible hash of a password")
    .action(async (password: string) => {
      console.log(await hashPassword(password));
    });

  program.command('create_recovery_key').argument('<days>', 'validity in days').argument('<username>')
    .description('create a single-use link that logs the user in')
    .action(async (days: string, username: string) => {
      const validity = Number(days);
      if (!Number.isFinite(validity) || validity <= 0) program.error('days must be a positive number');
      const { createServices } = await import('../app.js');
      const { createRecoveryKey } = await import('../core/recovery.js');
      const config = loadConfig();
      const services = await createServices(config);
      try {
        const path = await createRecoveryKey(services, username, validity);
        const { port } = parseListen(config.listen.http);
        console.log(`Store this link safely, as it will allow anyone to access authentik as ${username}.`);
        console.log(`http://localhost:${port}${path}`);
      } catch (err) {
        program.error((err as Error).message);
      } finally {
        await services.database.close();
      }
    });

  program.command('apply_blueprint').argument('<paths...>', 'blueprint files, relative to the blueprints folder or absolute')
    .description('apply blueprints, each in one transaction; exits non-zero when any fails (it then changes nothing)')
    .action(async (paths: string[]) => {
      const { createServices, createLogger } = await import('../app.js');
      const { applyBlueprintFiles } = await import('../blueprints/cli.js');
      const config = loadConfig();
      // Progress goes to the terminal; the log only says what went wrong unless a level is asked for.
      const log = createLogger({ ...config, log_level: process.env.AUTHENTIK_LOG_LEVEL ? config.log_level : 'warn' });
      let services;
      try {
        services = await createServices(config, { log });
      } catch (err) {
        const message = (err as Error).message;
        if (/in use by process/.test(message)) {
          program.error(`cannot apply blueprints: ${message}.\nThe embedded database belongs to the running server: stop it first, or apply through its API `
            + '(create a blueprint instance with POST /api/v3/managed/blueprints/, then POST /api/v3/managed/blueprints/<uuid>/apply/).');
        }
        program.error(message);
      }
      try {
        const ok = await applyBlueprintFiles(services, paths, { log: (line) => console.log(line), error: (line) => console.error(line) });
        process.exitCode = ok ? 0 : 1;
      } finally {
        await services.database.close();
      }
    });

  program.command('export_blueprint').description('print a blueprint of every exportable object of this install')
    .action(async () => {
      const { createServices, createLogger } = await import('../app.js');
      const { dumpBlueprint, exportInstall } = await import('../blueprints/exporter.js');
      const config = loadConfig();
      const log = createLogger({ ...config, log_level: process.env.AUTHENTIK_LOG_LEVEL ? config.log_level : 'warn' });
      let services;
      try {
        services = await createServices(config, { log });
      } catch (err) {
        program.error(`cannot export: ${(err as Error).message}`);
      }
      try {
        process.stdout.write(dumpBlueprint(await exportInstall(services)));
      } finally {
        await services.database.close();
      }
    });

  program.command('healthcheck').description('exit 0 when the server answers ready').action(async () => {
    const { port, host } = parseListen(loadConfig().listen.http);
    const target = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    try {
      const response = await fetch(`http://${target}:${port}/-/health/ready/`, { signal: AbortSignal.timeout(5000) });
      process.exit(response.ok ? 0 : 1);
    } catch {
      process.exit(1);
    }
  });
}
