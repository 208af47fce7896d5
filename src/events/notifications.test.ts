import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { groups, tokens, userGroups, users } from '../core/table.js';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { startSmtpServer, type TestSmtpServer } from '../stages/email/testing.js';
import { recordEvent } from './record.js';
import { notificationsSettled } from './delivery.js';

interface Hook {
  url: string;
  bodies: unknown[];
  /** The status the next requests get. */
  status: number;
  next(): Promise<unknown>;
  close(): Promise<void>;
}

/** A webhook receiver on a free local port that keeps every JSON body posted to it. */
async function startWebhook(): Promise<Hook> {
  const bodies: unknown[] = [];
  const waiting: ((body: unknown) => void)[] = [];
  let taken = 0;
  const hook = { status: 200 } as Hook;
  const server: Server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      bodies.push(body);
      const resolve = waiting.shift();
      if (resolve) {
        taken += 1;
        resolve(body);
      }
      response.writeHead(hook.status, { 'content-type': 'text/plain' }).end(hook.status < 400 ? 'ok' : 'hook says no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return Object.assign(hook, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    next: () => (taken < bodies.length ? Promise.resolve(bodies[taken++]) : new Promise((resolve) => waiting.push(resolve))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

const ALICE_TOKEN = 'alice-notification-token-0123456789';

describe('events/notifications', () => {
  let t: TestApp;
  let smtp: TestSmtpServer;
  let hook: Hook;
  let alice: typeof users.$inferSelect;
  let bob: typeof users.$inferSelect;
  let group: typeof groups.$inferSelect;
  const transports: Record<string, string> = {};
  let rule: string;

  before(async () => {
    smtp = await startSmtpServer();
    hook = await startWebhook();
    t = await startTestApp((config) => {
      config.email.host = '127.0.0.1';
      config.email.port = smtp.port;
      config.email.from = 'authentik@example.test';
    });
    [alice] = await t.services.db.insert(users).values({ username: 'alice-nt', name: 'Alice', email: 'alice@example.test' }).returning();
    [bob] = await t.services.db.insert(users).values({ username: 'bob-nt', name: 'Bob', email: 'bob@example.test' }).returning();
    [group] = await t.services.db.insert(groups).values({ name: 'notified-nt' }).returning();
    await t.services.db.insert(userGroups).values([{ userId: alice.id, groupId: group.groupUuid }, { userId: bob.id, groupId: group.groupUuid }]);
    await t.services.db.insert(tokens).values({ identifier: 'alice-nt-api', key: ALICE_TOKEN, intent: 'api', userId: alice.id, expiring: false });
  });
  after(async () => {
    await notificationsSettled(t.services);
    await t.close();
    await smtp.close();
    await hook.close();
  });

  it('creates transports, refusing a webhook without a URL', async () => {
    const bad = await t.api('POST', '/events/transports/', { body: { name: 'no-url', mode: 'webhook' } });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { webhook_url: ['Webhook URL may not be empty.'] });
    for (const [name, body] of Object.entries({
      local: { mode: 'local' },
      mail: { mode: 'email' },
      webhook: { mode: 'webhook', webhook_url: hook.url, send_once: true },
    })) {
      const created = await t.api('POST', '/events/transports/', { body: { name: `nt-${name}`, ...body } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      transports[name] = created.body.pk;
    }
    const webhook = await t.api('GET', `/events/transports/${transports.webhook}/`);
    assert.equal(webhook.body.mode_verbose, 'Generic Webhook');
    assert.equal(webhook.body.send_once, true);
    const filtered = await t.api('GET', '/events/transports/?mode=email');
    assert.deepEqual(filtered.body.results.map((r: { name: string }) => r.name), ['nt-mail']);
  });

  it('tests a transport by sending the caller a notification', async () => {
    const tested = await t.api('POST', `/events/transports/${transports.webhook}/test/`);
    assert.equal(tested.status, 200);
    assert.deepEqual(tested.body.messages, ['200', 'ok']);
    const body = await hook.next() as Record<string, unknown>;
    assert.equal(body.body, 'Test Notification from transport nt-webhook');
    assert.equal(body.user_username, 'akadmin');
    hook.status = 500;
    const failed = await t.api('POST', `/events/transports/${transports.webhook}/test/`, { unchecked: true });
    hook.status = 200;
    await hook.next();
    assert.equal(failed.status, 500);
  });

  it('creates a rule with transports and a group, bound to an event matcher policy', async () => {
    const created = await t.api('POST', '/events/rules/', {
      body: { name: 'nt-rule', severity: 'warning', group: group.groupUuid, transports: [transports.local, transports.mail, transports.webhook] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    rule = created.body.pk;
    assert.equal(created.body.group_obj.name, 'notified-nt');
    assert.deepEqual([...created.body.transports].sort(), [transports.local, transports.mail, transports.webhook].sort());
    const missing = await t.api('POST', '/events/rules/', { body: { name: 'nt-bad', transports: ['00000000-0000-4000-8000-000000000000'] } });
    assert.equal(missing.status, 400);
    assert.ok(missing.body.transports);
    const policy = await t.api('POST', '/policies/event_matcher/', { body: { name: 'nt-match', action: 'configuration_error' } });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    const binding = await t.api('POST', '/policies/bindings/', { body: { policy: policy.body.pk, target: rule, order: 0 } });
    assert.equal(binding.status, 201, JSON.stringify(binding.body));
    assert.equal((await t.api('GET', '/events/rules/?group__name=notified-nt')).body.results.length, 1);
    assert.equal((await t.api('GET', '/events/rules/?severity=alert')).body.results.length, 0);
  });

  it('delivers a matching event to the group through every transport, once for send_once, after it is recorded', async () => {
    await recordEvent(t.services, { action: 'login', user: alice });
    await recordEvent(t.services, { action: 'configuration_error', context: { message: 'the certificate expired', where: 'brand' } });
    await notificationsSettled(t.services);
    const mine = await t.api('GET', '/events/notifications/', { token: ALICE_TOKEN });
    assert.equal(mine.status, 200);
    assert.deepEqual(mine.body.results.map((n: { body: string; severity: string }) => [n.body, n.severity]), [['the certificate expired', 'warning']]);
    assert.equal(mine.body.results[0].event.action, 'configuration_error');
    assert.equal(hook.bodies.length, 3, 'two test posts and one for the event: send_once');
    assert.deepEqual(await hook.next(), { body: 'the certificate expired', severity: 'warning', user_email: 'alice@example.test', user_username: 'alice-nt' });
    const mails = [await smtp.next(), await smtp.next()];
    assert.deepEqual(mails.map((m) => m.to[0]).sort(), ['alice@example.test', 'bob@example.test']);
    assert.equal(mails[0].headers.subject, 'authentik Notification: configuration_error');
    assert.match(mails[0].text, /the certificate expired/);
    assert.match(mails[0].html, /brand/);
  });

  it('delivers an event recorded in a transaction only once it commits, and never when it rolls back', async () => {
    const before = (await t.api('GET', '/events/notifications/', { token: ALICE_TOKEN })).body.pagination.count;
    await t.services.db.transaction(async (tx) => {
      await recordEvent({ ...t.services, db: tx }, { action: 'configuration_error', context: { message: 'committed' } });
    });
    await t.services.db.transaction(async (tx) => {
      await recordEvent({ ...t.services, db: tx }, { action: 'configuration_error', context: { message: 'rolled back' } });
      tx.rollback();
    }).catch(() => undefined);
    await notificationsSettled(t.services);
    const after = await t.api('GET', '/events/notifications/?ordering=-created', { token: ALICE_TOKEN });
    assert.equal(after.body.pagination.count, before + 1);
    assert.equal(after.body.results[0].body, 'committed');
    await smtp.next();
    await smtp.next();
    assert.equal(((await hook.next()) as { body: string }).body, 'committed');
  });

  it('records a failing transport as a system task exception', async () => {
    hook.status = 500;
    await recordEvent(t.services, { action: 'configuration_error', context: { message: 'webhook down' } });
    await notificationsSettled(t.services);
    hook.status = 200;
    assert.equal(((await hook.next()) as { body: string }).body, 'webhook down');
    await smtp.next();
    await smtp.next();
    const failures = await t.api('GET', '/events/events/?action=system_task_exception');
    assert.equal(failures.body.results.length, 1);
    assert.match(failures.body.results[0].context.message, /hook says no/);
  });

  it('shows each user only their own notifications, and marks them seen', async () => {
    const admin = await t.api('GET', '/events/notifications/');
    assert.equal(admin.body.pagination.count, 0, 'superusers see only their own too');
    const mine = await t.api('GET', '/events/notifications/?seen=false', { token: ALICE_TOKEN });
    assert.ok(mine.body.pagination.count >= 2);
    const first = mine.body.results[0].pk;
    assert.equal((await t.api('GET', `/events/notifications/${first}/`)).status, 404);
    const patched = await t.api('PATCH', `/events/notifications/${first}/`, { token: ALICE_TOKEN, body: { seen: true } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.seen, true);
    assert.equal((await t.api('POST', '/events/notifications/mark_all_seen/', { token: ALICE_TOKEN })).status, 204);
    assert.equal((await t.api('GET', '/events/notifications/?seen=false', { token: ALICE_TOKEN })).body.pagination.count, 0);
    assert.equal((await t.api('DELETE', `/events/notifications/${first}/`, { token: ALICE_TOKEN })).status, 204);
    assert.equal((await t.api('GET', '/events/notifications/', { token: ALICE_TOKEN })).body.pagination.count, mine.body.pagination.count - 1);
  });

  it('builds a webhook body with the transport\'s webhook mapping', async () => {
    const mapping = await t.api('POST', '/propertymappings/notification/', {
      body: { name: 'nt-mapping', expression: 'return {"text": notification.body, "level": notification.severity, "to": notification.user.username}' },
    });
    assert.equal(mapping.status, 201, JSON.stringify(mapping.body));
    const mapped = await t.api('POST', '/events/transports/', { body: { name: 'nt-mapped', mode: 'webhook', webhook_url: hook.url, webhook_mapping: mapping.body.pk } });
    assert.equal(mapped.status, 201, JSON.stringify(mapped.body));
    const tested = await t.api('POST', `/events/transports/${mapped.body.pk}/test/`);
    assert.equal(tested.status, 200, JSON.stringify(tested.body));
    assert.deepEqual(await hook.next(), { text: 'Test Notification from transport nt-mapped', level: 'notice', to: 'akadmin' });
    const unknown = await t.api('PATCH', `/events/transports/${mapped.body.pk}/`, { body: { webhook_mapping: '00000000-0000-4000-8000-000000000000' } });
    assert.equal(unknown.status, 400);
    assert.ok(unknown.body.webhook_mapping);
  });

  it('deletes a rule with its policy bindings', async () => {
    assert.equal((await t.api('GET', `/policies/bindings/?target=${rule}`)).body.results.length, 1);
    const usedBy = await t.api('GET', `/events/rules/${rule}/used_by/`);
    assert.equal(usedBy.status, 200);
    assert.ok(usedBy.body.some((u: { model_name: string; action: string }) => u.model_name === 'policybinding' && u.action === 'CASCADE'));
    assert.equal((await t.api('GET', `/events/transports/${transports.local}/used_by/`)).status, 200);
    assert.equal((await t.api('DELETE', `/events/rules/${rule}/`)).status, 204);
    assert.equal((await t.api('GET', `/policies/bindings/?target=${rule}`)).body.results.length, 0);
  });
});
