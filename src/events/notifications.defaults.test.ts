import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { startSmtpServer, type TestSmtpServer } from '../stages/email/testing.js';
import { applyBlueprint } from '../blueprints/importer.js';
import { loadBlueprint } from '../blueprints/loader.js';
import { recordEvent } from './record.js';
import { notificationsSettled } from './delivery.js';

/** The default rules we ship (`blueprints/default/events-default.yaml`) notify `authentik Admins` locally and by email. */
describe('events/notifications: the shipped default rules', () => {
  let t: TestApp;
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startSmtpServer();
    t = await startTestApp((config) => {
      config.blueprints_dir = resolve('blueprints');
      config.email.host = '127.0.0.1';
      config.email.port = smtp.port;
    });
    const result = await applyBlueprint(t.services, loadBlueprint(readFileSync('blueprints/default/events-default.yaml', 'utf8')));
    assert.ok(result.ok, JSON.stringify(result));
  });
  after(async () => {
    await notificationsSettled(t.services);
    await t.close();
    await smtp.close();
  });

  it('creates the transports and rules, bound to their event matchers', async () => {
    const rules = await t.api('GET', '/events/rules/');
    assert.deepEqual(rules.body.results.map((r: { name: string; severity: string; group_obj: { name: string } }) => [r.name, r.severity, r.group_obj.name]), [
      ['default-notify-configuration-error', 'alert', 'authentik Admins'],
      ['default-notify-exception', 'alert', 'authentik Admins'],
      ['default-notify-update', 'alert', 'authentik Admins'],
    ]);
    const transports = await t.api('GET', '/events/transports/');
    assert.deepEqual(transports.body.results.map((r: { name: string; mode: string }) => [r.name, r.mode]),
      [['default-email-transport', 'email'], ['default-local-transport', 'local']]);
    const exception = rules.body.results.find((r: { name: string }) => r.name === 'default-notify-exception');
    assert.equal((await t.api('GET', `/policies/bindings/?target=${exception.pk}`)).body.results.length, 2);
  });

  it('notifies the admins of a property mapping exception, in the UI and by email, and nobody of a login', async () => {
    await recordEvent(t.services, { action: 'login', user: null });
    await recordEvent(t.services, { action: 'property_mapping_exception', context: { message: 'name \'x\' is not defined', mapping: 'broken' } });
    await notificationsSettled(t.services);
    const mine = await t.api('GET', '/events/notifications/');
    assert.deepEqual(mine.body.results.map((n: { body: string; severity: string }) => [n.body, n.severity]), [["name 'x' is not defined", 'alert']]);
    const mail = await smtp.next();
    assert.deepEqual(mail.to, ['admin@example.test']);
    assert.equal(mail.headers.subject, 'authentik Notification: property_mapping_exception');
    assert.equal(smtp.mails.length, 1);
  });
});
