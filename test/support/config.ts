import { loadConfig, type Config } from '../../src/config/index.js';

export const ADMIN_TOKEN = 'test-bootstrap-token-0123456789';
export const ADMIN_PASSWORD = 'akadmin-test-password';

/** The configuration every test server starts from (and the template database was bootstrapped with). */
export function testConfig(dataDir: string): Config {
  const config = loadConfig({});
  config.data_dir = dataDir;
  config.secret_key = 'test-secret-key-not-for-production';
  config.bootstrap = { password: ADMIN_PASSWORD, token: ADMIN_TOKEN, email: 'admin@example.test' };
  config.log_level = process.env.TEST_LOG_LEVEL ?? 'silent';
  return config;
}
