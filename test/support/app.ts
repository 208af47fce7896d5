import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Config } from '../../src/config/index.js';
import { ADMIN_TOKEN, testConfig } from './config.js';
import { createApp } from '../../src/app.js';
import type { Services } from '../../src/api/context.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { checkResponse } from './contract.js';
import { pino } from 'pino';

export { ADMIN_PASSWORD, ADMIN_TOKEN } from './config.js';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
}

export interface RequestOptions {
  body?: unknown;
  /** A bearer token; defaults to the admin's. `null` sends no Authorization header. */
  token?: string | null;
  headers?: Record<string, string>;
  /** Raw payload (for malformed-body tests); skips JSON encoding. */
  payload?: string | Buffer;
  /** Skip the run-time contract check (only for responses outside the API schema). */
  unchecked?: boolean;
}

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  config: Config;
  testDatabase: TestDatabase;
  /** Base URL of the listening server, for real clients. */
  url: string;
  /** Calls `/api/v3<path>` in-process and checks the answer against the schema's operation. */
  api<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startTestApp(overrides: (config: Config) => void = () => {}): Promise<TestApp> {
  const testDatabase = await createTestDatabase();
  const config = testConfig(testDatabase.dataDir ?? '.test-data');
  overrides(config);
  const log = pino({ level: config.log_level });
  const { app, services } = await createApp(config, { database: testDatabase.database, log });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';

  async function api<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? ADMIN_TOKEN : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let payload = options.payload;
    if (payload === undefined && options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const fullPath = `/api/v3${path}`;
    const response = await app.inject({ method: method as InjectOptions['method'], url: fullPath, headers, payload });
    const contentType = String(response.headers['content-type'] ?? '');
    const body = response.body === '' ? undefined : contentType.includes('json') ? response.json() : response.body;
    if (!options.unchecked) checkResponse(method, fullPath, response.statusCode, body, contentType || 'application/json');
    return { status: response.statusCode, body: body as T, headers: response.headers };
  }

  return {
    app, services, config, testDatabase, url, api,
    inject: (options) => app.inject(options),
    async close() {
      await app.close();
      await testDatabase.drop();
    },
  };
}
