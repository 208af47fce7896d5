import type { Config } from '../../config/index.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { users } from '../../core/table.js';
import { createPolicy, testPolicy } from '../test-helpers.js';

function setHibpUrl(config: Config, url: string): void {
  config.policies.hibp_url = url;
}

describe('policies/password', () => {
  let t: TestApp;
  let hibp: Server;
  const seen: string[] = [];
  let user: number;
  const leaked = 'hunter2-but-longer';
  const leakedHash = createHash('sha1').update(leaked).digest('hex').toUpperCase();

  before(async () => {
    // A stand-in for the range API: it answers for any prefix with padding lines and, for the leaked password's
    // prefix, its suffix with a count.
    hibp = createServer((req, res) => {
      const prefix = String(req.url).split('/').pop()!.toUpperCase();
      seen.push(prefix);
      const lines = ['0018A45C4D1DEF81644B54AB7F969B88D65:1', '00D4F6E8FA6EECAD2A3AA415EEC418D38EC:2'];
      if (prefix === leakedHash.slice(0, 5)) lines.push(`${leakedHash.slice(5)}:42`);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(lines.join('\r\n'));
    });
    await new Promise<void>((resolve) => hibp.listen(0, '127.0.0.1', resolve));
    const port = (hibp.address() as AddressInfo).port;
    t = await startTestApp((config) => setHibpUrl(config, `http://127.0.0.1:${port}/range/`));
    [{ id: user }] = await t.services.db.insert(users).values({ username: 'pw-user', name: 'Pat Wordsworth', email: 'pat@example.test' }).returning();
  });
  after(async () => {
    await t.close();
    hibp.close();
  });

  it('checks static rules against the prompt data, with the error message', async () => {
    const policy = await createPolicy(t, 'password', {
      name: 'static', length_min: 8, amount_digits: 1, amount_lowercase: 1, amount_uppercase: 2, amount_symbols: 1, error_message: 'Too weak.',
    });
    assert.equal(policy.check_static_rules, true);
    assert.equal(policy.password_field, 'password');
    assert.equal(policy.symbol_charset, '!\\"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~ ');
    const verdict = (password: string) => testPolicy(t, policy.pk, user, { prompt_data: { password } });
    const short = await verdict('Ab1!');
    assert.equal(short.passing, false);
    assert.deepEqual(short.messages, ['Too weak.']);
    assert.equal(short.log_messages.find((l) => l.event === 'password failed')?.attributes.reason, 'length');
    assert.equal((await verdict('abcdefg1!')).passing, false, 'no uppercase');
    assert.equal((await verdict('ABcdefgh!')).passing, false, 'no digit');
    assert.equal((await verdict('ABcdefg12')).passing, false, 'no symbol');
    assert.equal((await verdict('ABcdefg1!')).passing, true);
    const fromContext = await testPolicy(t, policy.pk, user, { password: 'ABcdefg1!' });
    assert.equal(fromContext.passing, true, 'falls back to the context itself');
    const missing = await testPolicy(t, policy.pk, user, {});
    assert.deepEqual(missing.messages, ['Password not set in context']);
  });

  it('asks the configured range API with the hash prefix only', async () => {
    const policy = await createPolicy(t, 'password', { name: 'hibp', check_static_rules: false, check_have_i_been_pwned: true, hibp_allowed_count: 5 });
    const bad = await testPolicy(t, policy.pk, user, { password: leaked });
    assert.deepEqual(bad.messages, ['Password exists on 42 online lists.']);
    assert.equal(bad.passing, false);
    assert.equal(seen.at(-1), leakedHash.slice(0, 5));
    assert.ok(!seen.some((s) => s.length > 5));
    const good = await testPolicy(t, policy.pk, user, { password: 'a very unusual sentence nobody leaked' });
    assert.equal(good.passing, true);
    await t.api('PATCH', `/policies/password/${policy.pk}/`, { body: { hibp_allowed_count: 50 } });
    assert.equal((await testPolicy(t, policy.pk, user, { password: leaked })).passing, true, 'allowed count honoured');
  });

  it('fails closed when the range API cannot be reached', async () => {
    const policy = await createPolicy(t, 'password', { name: 'hibp-down', check_static_rules: false, check_have_i_been_pwned: true });
    setHibpUrl(t.services.config, 'http://127.0.0.1:9/range/');
    try {
      const res = await testPolicy(t, policy.pk, user, { password: 'whatever-123' });
      assert.equal(res.passing, false);
      assert.match(res.messages[0], /haveibeenpwned/);
    } finally {
      setHibpUrl(t.services.config, `http://127.0.0.1:${(hibp.address() as AddressInfo).port}/range/`);
    }
  });

  it('scores with zxcvbn against the threshold, using the user as input', async () => {
    const policy = await createPolicy(t, 'password', { name: 'zxcvbn', check_static_rules: false, check_zxcvbn: true, zxcvbn_score_threshold: 2 });
    assert.equal(policy.zxcvbn_score_threshold, 2);
    const weak = await testPolicy(t, policy.pk, user, { password: 'password' });
    assert.equal(weak.passing, false);
    assert.ok(weak.messages.length > 0, 'feedback is returned');
    assert.equal((await testPolicy(t, policy.pk, user, { password: 'Wordsworth' })).passing, false, 'the user\'s name is guessable');
    assert.equal((await testPolicy(t, policy.pk, user, { password: 'correct horse battery staple' })).passing, true);
  });

  it('filters password policies by their fields', async () => {
    const listed = await t.api('GET', '/policies/password/?check_zxcvbn=true');
    assert.deepEqual(listed.body.results.map((p: { name: string }) => p.name), ['zxcvbn']);
    const bad = await t.api('GET', '/policies/password/?length_min=abc');
    assert.equal(bad.status, 400);
  });
});
