import { type Config, parseListen, usesEmbeddedDatabase } from '../config/index.js';
import { createApp, createLogger } from '../app.js';
import { domains } from '../domains.js';
import { describeError } from '../lib/errors.js';
import { adminLacksPassword, INITIAL_SETUP_SLUG } from '../web/initial-setup.js';

export async function runServer(config: Config): Promise<void> {
  const started = performance.now();
  const log = createLogger(config);
  let created;
  try {
    created = await createApp(config, { log });
  } catch (err) {
    log.fatal({ err: { message: describeError(err) } }, 'failed to start');
    process.exit(1);
  }
  const { app, services } = created;
  const { host, port } = parseListen(config.listen.http);
  await app.listen({ host, port });
  const stops = domains.flatMap((domain) => (domain.start ? [domain.start(services)] : []));
  const where = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  log.info({ ms: Math.round(performance.now() - started), database: usesEmbeddedDatabase(config) ? `embedded (${config.data_dir})` : 'postgresql' }, 'ready');
  console.log(`\nauthentik-ts is running on http://${where}:${port}/`);
  console.log(`  API:    http://${where}:${port}/api/v3/  (schema at /api/v3/schema/)`);
  // The first visitor of / is led to the setup flow too; saying so here spares a newcomer the guess.
  if (await adminLacksPassword(services).catch(() => false)) {
    console.log(`  Setup:  open http://${where}:${port}/if/flow/${INITIAL_SETUP_SLUG}/ to set akadmin's email and password.`);
  } else if (config.bootstrap.password) {
    console.log('  Login:  akadmin with the password from AUTHENTIK_BOOTSTRAP_PASSWORD.');
  }
  if (!config.bootstrap.token) console.log('  Tip: set AUTHENTIK_BOOTSTRAP_TOKEN on first start to get an API token for akadmin.');
  console.log(`  Admin:  run \`npm run ak -- create_recovery_key 1 akadmin\` while stopped for a one-time login link.\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.all(stops.map((stopDomain) => stopDomain().catch(() => undefined)));
    await app.close();
    await services.database.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
