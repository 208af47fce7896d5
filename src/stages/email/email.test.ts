import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { checkResponse } from '../../../test/support/contract.js';
import { tokens, users } from '../../core/table.js';
import { events } from '../../events/table.js';
import { flowTokens } from '../../flows/table.js';
import { FlowClient } from '../../flows/testing.js';
import { startSmtpServer, type CapturedMail, type TestSmtpServer } from './testing.js';
import { htmlToText } from './templates.js';
import { naturaltime, renderTemplate, TemplateSyntaxError } from './template.js';

const SMTP_PASSWORD = 'smtp-secret-password-4711';

describe('stages/email', () => {
  let t: TestApp;
  let open: TestSmtpServer;
  let guarded: TestSmtpServer;
  let templateDir: string;
  const client = () => new FlowClient(t.app, checkResponse);

  /** A flow of identification, the email stage and user_login (the recovery flow's core), built through the API. */
  async function emailFlow(slug: string, email: Record<string, unknown>, flow: Record<string, unknown> = {}) {
    const created = await t.api('POST', '/flows/instances/', {
      body: { name: slug, slug, title: 'Recover', designation: 'recovery', authentication: 'require_unauthenticated', ...flow },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const stages = [
      await t.api('POST', '/stages/identification/', { body: { name: `${slug}-ident`, user_fields: ['username', 'email'] } }),
      await t.api('POST', '/stages/email/', { body: { name: `${slug}-email`, host: '127.0.0.1', port: open.port, ...email } }),
      await t.api('POST', '/stages/user_login/', { body: { name: `${slug}-login` } }),
    ];
    const bindings = [];
    for (const [index, stage] of stages.entries()) {
      assert.equal(stage.status, 201, JSON.stringify(stage.body));
      const binding = await t.api('POST', '/flows/bindings/', { body: { target: created.body.pk, stage: stage.body.pk, order: index * 10, re_evaluate_policies: true } });
      assert.equal(binding.status, 201);
      bindings.push(binding.body);
    }
    return { flow: created.body, email: stages[1].body, loginBinding: bindings[2] };
  }

  async function createUser(username: string, values: Partial<typeof users.$inferInsert> = {}) {
    const [user] = await t.services.db.insert(users).values({ username, name: `${username} Example`, email: `${username}@example.test`, ...values }).returning();
    return user;
  }

  /** The flow link in a mail, as the browser opening it calls the executor: flow slug and query string. */
  function linkIn(mail: CapturedMail): { url: URL; slug: string; query: string } {
    const match = /https?:\/\/[^\s"<>]+flow_token=[^\s"<>&)]+/.exec(mail.text);
    assert.ok(match, `a link in: ${mail.text}`);
    const url = new URL(match[0]);
    const slug = /^\/if\/flow\/([^/]+)\/$/.exec(url.pathname)?.[1];
    assert.ok(slug, url.pathname);
    return { url, slug: decodeURIComponent(slug), query: url.search.slice(1) };
  }

  before(async () => {
    open = await startSmtpServer();
    guarded = await startSmtpServer({ username: 'mailer', password: SMTP_PASSWORD });
    templateDir = mkdtempSync(join(tmpdir(), 'ak-email-templates-'));
    mkdirSync(join(templateDir, 'custom'));
    writeFileSync(join(templateDir, 'custom', 'hello.html'), '{% extends "email/base.html" %}{% block content %}<tr><td>Hello {{ user.name }}: <a href="{{ url }}">go</a>{% if user.is_active %} (active){% endif %}</td></tr>{% endblock %}');
    writeFileSync(join(templateDir, 'broken.html'), '{% include "/etc/passwd" %}');
    t = await startTestApp((config) => {
      config.email = {
        host: '127.0.0.1', port: open.port, username: '', password: '', use_tls: false, use_ssl: false, timeout: 5,
        from: 'authentik <global@example.test>', template_dir: templateDir,
      };
    });
  });
  after(async () => {
    await t.close();
    await open.close();
    await guarded.close();
    rmSync(templateDir, { recursive: true, force: true });
  });

  it('manages email stages through the API, the password write-only', async () => {
    const created = await t.api('POST', '/stages/email/', { body: { name: 'api-email', password: SMTP_PASSWORD, username: 'mailer' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(
      [created.body.use_global_settings, created.body.host, created.body.port, created.body.use_tls, created.body.use_ssl, created.body.timeout,
        created.body.from_address, created.body.token_expiry, created.body.subject, created.body.template, created.body.activate_user_on_success],
      [false, 'localhost', 25, false, false, 10, 'system@authentik.local', 30, 'authentik', 'email/password_reset.html', false],
    );
    assert.equal(created.body.component, 'ak-stage-email-form');
    const bodies = [created.body, (await t.api('GET', `/stages/email/${created.body.pk}/`)).body, (await t.api('GET', '/stages/email/?username=mailer')).body];
    for (const body of bodies) assert.ok(!JSON.stringify(body).includes(SMTP_PASSWORD), 'no answer carries the SMTP password');
    assert.equal(bodies[2].pagination.count, 1);
    const bad = await t.api('PATCH', `/stages/email/${created.body.pk}/`, { body: { template: '../../etc/passwd' } });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { template: ["Invalid template '../../etc/passwd' specified."] });
    assert.equal((await t.api('PATCH', `/stages/email/${created.body.pk}/`, { body: { from_address: 'not an address' } })).status, 400);
    const custom = await t.api('PATCH', `/stages/email/${created.body.pk}/`, { body: { template: 'custom/hello.html', use_global_settings: true } });
    assert.equal(custom.status, 200);
    assert.equal((await t.api('GET', '/stages/email/?use_global_settings=true')).body.pagination.count, 1);

    const templates = await t.api('GET', '/stages/email/templates/');
    assert.equal(templates.status, 200);
    assert.deepEqual(templates.body, [
      { name: 'email/password_reset.html', description: 'Password Reset', component: '', model_name: '' },
      { name: 'email/account_confirmation.html', description: 'Account Confirmation', component: '', model_name: '' },
      { name: 'broken.html', description: 'Custom Template: broken.html', component: '', model_name: '' },
      { name: 'custom/hello.html', description: 'Custom Template: custom/hello.html', component: '', model_name: '' },
    ]);
    assert.equal((await t.api('DELETE', `/stages/email/${created.body.pk}/`)).status, 204);
  });

  it('recovers an account by the emailed link, which works once and in another browser', async () => {
    const { flow } = await emailFlow('recover', { subject: 'Reset your password', from_address: 'stage@example.test' });
    const alice = await createUser('alice');
    const c = client();
    assert.equal((await c.get('recover', 'next=/if/user/')).body.component, 'ak-stage-identification');
    const waiting = await c.post('recover', { uid_field: 'alice@example.test' }, 'next=/if/user/');
    assert.equal(waiting.body.component, 'ak-stage-email');
    assert.equal(waiting.body.response_errors, undefined);

    const mail = await open.next();
    assert.deepEqual(mail.to, ['alice@example.test']);
    assert.equal(mail.from, 'stage@example.test');
    assert.equal(mail.headers.subject, 'Reset your password');
    assert.match(mail.headers.to, /alice Example.*<alice@example\.test>/);
    assert.match(mail.headers['content-type'], /^multipart\/alternative/);
    assert.match(mail.html, /<a id="confirm" href="http:\/\/[^"]+flow_token=/);
    assert.match(mail.html, /Hi alice,/);
    assert.match(mail.text, /^Hi alice,/);
    assert.match(mail.text, /valid for (30|31) minutes from now\./);
    assert.ok(!/<[a-z]/i.test(mail.text), 'the text part has no markup');
    const link = linkIn(mail);
    assert.equal(link.slug, 'recover');
    assert.equal(link.url.searchParams.get('next'), '/if/user/');
    const key = link.url.searchParams.get('flow_token')!;
    const [stored] = await t.services.db.select().from(tokens).where(eq(tokens.key, key));
    assert.equal(stored.intent, 'verification');
    assert.equal(stored.userId, alice.id);
    const minutes = (stored.expires.getTime() - Date.now()) / 60_000;
    assert.ok(minutes > 30 && minutes <= 31, `token expires in ${minutes} minutes`);
    assert.equal((await t.services.db.select().from(flowTokens).where(eq(flowTokens.tokenPtrId, stored.tokenUuid)))[0].flowId, flow.pk);

    const sent = await t.services.db.select().from(events).where(eq(events.action, 'email_sent'));
    assert.equal(sent.length, 1);
    assert.deepEqual((sent[0].context as Record<string, unknown>).to_email, ['alice@example.test']);
    assert.ok(!JSON.stringify(sent[0].context).includes(key), 'the event does not keep the live link');

    // Waiting is all the first browser can do: answering asks for another email.
    const again = await c.post('recover', {}, 'next=/if/user/');
    assert.equal(again.body.component, 'ak-stage-email');
    assert.deepEqual(again.body.response_errors, { non_field_errors: [{ string: 'email-sent', code: 'email-sent' }] });
    const resent = await open.next();
    assert.notEqual(linkIn(resent).url.searchParams.get('flow_token'), key, 'each email has its own link');

    const phone = client();
    const done = await phone.get(link.slug, link.query);
    assert.equal(done.body.component, 'xak-flow-redirect');
    assert.equal(done.body.to, '/if/user/');
    const me = await phone.api('GET', '/core/users/me/');
    assert.equal(me.body.user.username, 'alice');
    assert.equal((await t.services.db.select().from(tokens).where(eq(tokens.key, key))).length, 0, 'the token is spent');

    const replay = client();
    assert.equal((await replay.get(link.slug, link.query)).body.component, 'ak-stage-identification', 'a spent link starts over');
  });

  it('activates the user on success when asked, through the global settings and a custom template', async () => {
    const { loginBinding } = await emailFlow('confirm', { use_global_settings: true, host: '192.0.2.1', port: 1, activate_user_on_success: true, template: 'custom/hello.html', subject: 'Confirm' });
    // The stage after the email stage, in the same request, sees the user the email stage activated.
    const activeOnly = await t.api('POST', '/policies/expression/', { body: { name: 'pending user is active', expression: 'return request.context["pending_user"].is_active' } });
    assert.equal(activeOnly.status, 201, JSON.stringify(activeOnly.body));
    const bound = await t.api('POST', '/policies/bindings/', { body: { target: loginBinding.policybindingmodel_ptr_id, policy: activeOnly.body.pk, order: 0 } });
    assert.equal(bound.status, 201, JSON.stringify(bound.body));
    const bob = await createUser('bob', { isActive: false });
    const c = client();
    await c.get('confirm');
    assert.equal((await c.post('confirm', { uid_field: 'bob' })).body.component, 'ak-stage-email');
    const mail = await open.next();
    assert.equal(mail.from, 'global@example.test');
    assert.match(mail.headers.from, /^authentik <global@example\.test>$/);
    assert.match(mail.html, /Hello bob Example: <a href="http/);
    assert.ok(!mail.html.includes('(active)'));
    assert.match(mail.text, /Hello bob Example: go \(http:\/\/\S+flow_token=/);
    const link = linkIn(mail);
    assert.equal((await t.services.db.select().from(users).where(eq(users.id, bob.id)))[0].isActive, false);
    const opened = await client().get(link.slug, link.query);
    assert.equal(opened.body.component, 'xak-flow-redirect');
    assert.equal((await t.services.db.select().from(users).where(eq(users.id, bob.id)))[0].isActive, true);
    // The login stage ran (its policy saw bob active): a stage left out by its policies would also end the flow.
    const logins = await t.services.db.select().from(events).where(eq(events.action, 'login'));
    assert.equal(logins.filter((event) => (event.user as { username?: string }).username === 'bob').length, 1);
  });

  it('sends nothing for an unknown identifier in a recovery flow, and answers the same', async () => {
    await emailFlow('recover-unknown', {});
    const before = open.mails.length;
    const c = client();
    await c.get('recover-unknown');
    const waiting = await c.post('recover-unknown', { uid_field: 'nobody@example.test' });
    assert.equal(waiting.body.component, 'ak-stage-email');
    assert.equal(waiting.body.response_errors, undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(open.mails.length, before);
  });

  it('refuses expired links and links for another user', async () => {
    await emailFlow('recover-expiry', { token_expiry: 5 });
    const carol = await createUser('carol');
    const dave = await createUser('dave');
    const send = async (username: string) => {
      const c = client();
      await c.get('recover-expiry');
      await c.post('recover-expiry', { uid_field: username });
      return linkIn(await open.next());
    };
    const expired = await send('carol');
    await t.services.db.update(tokens).set({ expires: new Date(Date.now() - 1000) }).where(eq(tokens.key, expired.url.searchParams.get('flow_token')!));
    assert.equal((await client().get(expired.slug, expired.query)).body.component, 'ak-stage-identification');

    const forged = await send('carol');
    await t.services.db.update(tokens).set({ userId: dave.id }).where(eq(tokens.key, forged.url.searchParams.get('flow_token')!));
    const denied = await client().get(forged.slug, forged.query);
    assert.equal(denied.body.component, 'ak-stage-access-denied');
    assert.ok(carol.id !== dave.id);
  });

  it('authenticates to the SMTP server with per-stage settings, and reports failures without the password', async () => {
    await emailFlow('smtp-auth', { host: '127.0.0.1', port: guarded.port, username: 'mailer', password: SMTP_PASSWORD });
    await emailFlow('smtp-auth-wrong', { host: '127.0.0.1', port: guarded.port, username: 'mailer', password: `${SMTP_PASSWORD}-wrong` });
    await createUser('erin');
    const ok = client();
    await ok.get('smtp-auth');
    assert.equal((await ok.post('smtp-auth', { uid_field: 'erin' })).body.response_errors, undefined);
    assert.deepEqual((await guarded.next()).to, ['erin@example.test']);

    const wrong = client();
    await wrong.get('smtp-auth-wrong');
    const failed = await wrong.post('smtp-auth-wrong', { uid_field: 'erin' });
    assert.equal(failed.body.component, 'ak-stage-email');
    assert.deepEqual(failed.body.response_errors, {
      non_field_errors: [{ string: 'Failed to send email: Authentication with the mail server failed', code: 'email-error' }],
    });
    const retried = await wrong.post('smtp-auth-wrong', {});
    assert.equal(retried.body.response_errors.non_field_errors[0].string, 'Failed to send email: Authentication with the mail server failed');
    const recorded = await t.services.db.select().from(events).where(inArray(events.action, ['system_task_exception', 'email_sent']));
    assert.ok(recorded.some((e) => e.action === 'system_task_exception'));
    assert.ok(!JSON.stringify(recorded).includes(SMTP_PASSWORD), 'events never carry the SMTP password');
  });

  it('reports an unreachable server as a stage error, and sends once it is back', async () => {
    const down = await startSmtpServer();
    const port = down.port;
    await down.close();
    const { email } = await emailFlow('smtp-down', { host: '127.0.0.1', port, timeout: 2 });
    await createUser('frank');
    const c = client();
    await c.get('smtp-down');
    const failed = await c.post('smtp-down', { uid_field: 'frank' });
    assert.equal(failed.body.component, 'ak-stage-email');
    assert.deepEqual(failed.body.response_errors, { non_field_errors: [{ string: 'Failed to send email: Could not connect to the mail server', code: 'email-error' }] });
    assert.equal((await t.api('PATCH', `/stages/email/${email.pk}/`, { body: { port: open.port } })).status, 200);
    const sent = await c.post('smtp-down', {});
    assert.deepEqual(sent.body.response_errors, { non_field_errors: [{ string: 'email-sent', code: 'email-sent' }] });
    assert.deepEqual((await open.next()).to, ['frank@example.test']);
  });

  it('ends the flow and records a configuration error when the template does not render', async () => {
    await emailFlow('broken-template', { template: 'broken.html' });
    await createUser('grace');
    const c = client();
    await c.get('broken-template');
    const denied = await c.post('broken-template', { uid_field: 'grace' });
    assert.equal(denied.body.component, 'ak-stage-access-denied');
    const [error] = await t.services.db.select().from(events).where(eq(events.action, 'configuration_error'));
    assert.equal((error.context as Record<string, unknown>).message, 'Exception occurred while rendering E-mail template');
    assert.equal((error.context as Record<string, unknown>).template, 'broken.html');
  });

  it('renders only data, escaped, through a small template language', () => {
    const load = (name: string) => ({
      'base.html': '<p>{% block body %}base{% endblock %}</p>{% block foot %}foot{% endblock %}',
      'child.html': '{% extends "base.html" %}{% load i18n %}{% block body %}{% blocktrans with who=user.name %}Hi {{ who }}{% endblocktrans %} {{ link|default:"none" }}{% endblock %}',
      'loop.html': '{% for item in items %}{{ item }},{% empty %}none{% endfor %}{% if a and not b %} yes{% elif b %} b{% else %} no{% endif %}',
      'proto.html': '{{ user.constructor }}{{ user.toString }}{{ items.length }}',
      'private.html': '{{ user._secret }}',
      'unknown.html': '{% include "x" %}',
    } as Record<string, string>)[name];
    assert.equal(renderTemplate(load, 'child.html', { user: { name: '<b>Eve</b>' } }, { html: true }), '<p>Hi &lt;b&gt;Eve&lt;/b&gt; none</p>foot');
    assert.equal(renderTemplate(load, 'child.html', { user: { name: '<b>Eve</b>' } }, { html: false }), '<p>Hi <b>Eve</b> none</p>foot');
    assert.equal(renderTemplate(load, 'loop.html', { items: [1, 'two'], a: true, b: false }, { html: true }), '1,two, yes');
    assert.equal(renderTemplate(load, 'loop.html', { items: [], a: false, b: true }, { html: true }), 'none b');
    assert.equal(renderTemplate(load, 'proto.html', { user: { name: 'x' }, items: [1] }, { html: true }), '');
    assert.throws(() => renderTemplate(load, 'private.html', { user: {} }, { html: true }), TemplateSyntaxError);
    assert.throws(() => renderTemplate(load, 'unknown.html', {}, { html: true }), /Invalid block tag: 'include'/);
    assert.throws(() => renderTemplate(load, 'missing.html', {}, { html: true }), /Template does not exist/);
    const now = new Date('2024-01-01T00:00:00Z');
    assert.equal(naturaltime(new Date(now.getTime() + 31 * 60_000), now), '31 minutes from now');
    assert.equal(naturaltime(new Date(now.getTime() + 3600_000), now), 'an hour from now');
    assert.equal(naturaltime(new Date(now.getTime() - 2 * 86400_000), now), '2 days ago');
    assert.equal(htmlToText('<head><style>x{}</style></head><p>Hi &amp; bye</p><a href="https://a.example/?x=1&amp;y=2">Open</a>'), 'Hi & bye\nOpen (https://a.example/?x=1&y=2)');
  });
});
