import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describeError, scrubLogRecord } from './errors.js';
import { createLogger } from '../app.js';
import { loadConfig } from '../config/index.js';

const FAILED = 'Failed query: insert into "authentik_crypto_certificatekeypair" ("key_data") values ($1)\nparams: -----BEGIN PRIVATE KEY-----MIIsecret';

describe('error descriptions', () => {
  it('reduces database errors to the server message', () => {
    const err = Object.assign(new Error(FAILED), { name: 'DrizzleQueryError', cause: new Error('duplicate key value violates unique constraint "x"') });
    assert.equal(describeError(err), 'duplicate key value violates unique constraint "x"');
  });

  it('scrubs query parameters from any string of a log record', () => {
    const scrubbed = scrubLogRecord({ err: { message: FAILED }, nested: [{ text: FAILED }], count: 3 });
    assert.doesNotMatch(JSON.stringify(scrubbed), /MIIsecret/);
    assert.match(scrubbed.err.message, /^Failed query: insert into/);
    assert.equal(scrubbed.count, 3);
  });

  it("keeps parameters out of the server's log whatever a caller passes", () => {
    const lines: string[] = [];
    const config = loadConfig({});
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const logger = createLogger(config, sink);
    logger.warn({ err: (new Error(FAILED)).message }, 'apply failed');
    logger.error(FAILED);
    logger.error({ err: new Error(FAILED) }, 'boom');
    assert.equal(lines.length, 3);
    for (const line of lines) assert.doesNotMatch(line, /MIIsecret/);
  });
});
