import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadSchemaDocument } from '../src/api/contract/document.js';
import { startTestApp, type TestApp } from './support/app.js';

/** Tags whose every operation must be served; the others are listed with their coverage as they fill in. */
const COMPLETE_TAGS = ['core', 'crypto', 'root', 'admin', 'schema', 'flows', 'policies', 'managed', 'oauth2', 'events', 'propertymappings'];
/** Paths of incomplete tags whose every operation must be served: the parts of them that are done. */
const COMPLETE_PATHS = [/^\/(stages\/authenticator|authenticators(\/admin)?)\/(totp|static)\//, /^\/stages\/authenticator\/validate\//, /^\/authenticators(\/admin)?\/all\//];

describe('operations of the schema', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  it('has a route for every operation of the complete tags', (context) => {
    const missing: string[] = [];
    const coverage = new Map<string, { served: number; total: number }>();
    for (const [path, methods] of Object.entries(loadSchemaDocument().paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const tag = operation.tags?.[0] ?? '';
        const url = `/api/v3${path.replace(/\{([^}]+)\}/g, ':$1')}`;
        const served = t.app.hasRoute({ method: method.toUpperCase() as 'GET', url });
        const entry = coverage.get(tag) ?? { served: 0, total: 0 };
        entry.total++;
        if (served) entry.served++;
        else if (COMPLETE_TAGS.includes(tag) || COMPLETE_PATHS.some((re) => re.test(path))) missing.push(`${method.toUpperCase()} ${path}`);
        coverage.set(tag, entry);
      }
    }
    for (const [tag, { served, total }] of [...coverage].sort()) context.diagnostic(`${tag}: ${served}/${total}`);
    assert.deepEqual(missing, []);
  });
});
