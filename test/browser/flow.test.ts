// The flow interface against a scripted executor: the page must drive `/api/v3/flows/executor/<slug>/` as
// authentik's UI does (GET the challenge, POST `{component, ...fields}` with the CSRF header, follow redirects)
// and render every challenge component. The real executor's login is in login.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page, Request, Route } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app.js';
import { ensureWebBuild, launchBrowser, newPage, screenshot } from './browser.js';

type Challenge = Record<string, unknown>;
interface Exchange { method: string; url: URL; body: Record<string, unknown> | undefined; csrfHeader?: string; cookies: string }

const flowInfo = (title: string, layout = 'stacked') => ({ title, layout, cancel_url: '/flows/-/cancel/' });

/** Answers the executor endpoint of one page with `respond`, recording what the page sent. */
async function scriptExecutor(page: Page, respond: (exchange: Exchange) => Challenge): Promise<Exchange[]> {
  const exchanges: Exchange[] = [];
  await page.route('**/api/v3/flows/executor/**', async (route: Route, request: Request) => {
    const headers = await request.allHeaders();
    const exchange: Exchange = {
      method: request.method(), url: new URL(request.url()), body: request.postData() ? JSON.parse(request.postData()!) : undefined,
      csrfHeader: headers['x-authentik-csrf'], cookies: headers.cookie ?? '',
    };
    exchanges.push(exchange);
    await route.fulfill({ contentType: 'application/json', body: JSON.stringify(respond(exchange)) });
  });
  return exchanges;
}

const identification: Challenge = {
  type: 'native', component: 'ak-stage-identification', flow_info: flowInfo('Welcome to authentik!'),
  user_fields: ['username', 'email'], password_fields: false, primary_action: 'Log in', show_source_labels: false,
  enroll_url: '/if/flow/default-enrollment-flow/', recovery_url: '/if/flow/default-recovery-flow/',
  sources: [{ name: 'Example OAuth', icon_url: null, challenge: { type: 'redirect', component: 'xak-flow-redirect', to: '/source/oauth/login/example/' } }],
};
const password = (errors?: string): Challenge => ({
  type: 'native', component: 'ak-stage-password', flow_info: flowInfo('Welcome to authentik!'), pending_user: 'akadmin', pending_user_avatar: '',
  recovery_url: '/if/flow/default-recovery-flow/', ...(errors ? { response_errors: { password: [{ string: errors, code: 'invalid' }] } } : {}),
});

describe('flow interface', () => {
  let t: TestApp;
  let browser: Browser;
  before(async () => {
    ensureWebBuild();
    t = await startTestApp();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('logs in with the keyboard: identification, a wrong password with its message, then the right one and the redirect', async () => {
    const { context, page } = await newPage(browser);
    const exchanges = await scriptExecutor(page, ({ method, body, url }) => {
      if (url.pathname.includes('/after-login/')) return { type: 'native', component: 'ak-stage-access-denied', flow_info: flowInfo('Done'), pending_user: 'akadmin', pending_user_avatar: '', error_message: 'Arrived after login' };
      if (method === 'GET') return identification;
      if (body?.component === 'ak-stage-identification') return password();
      if (body?.password === 'right-password') return { type: 'redirect', component: 'xak-flow-redirect', to: '/if/flow/after-login/' };
      return password('Invalid password');
    });
    await page.goto(`${t.url}/if/flow/default-authentication-flow/?next=%2Fif%2Fuser%2F`);
    const uid = page.getByLabel('Username or Email');
    await uid.waitFor();
    assert.equal(await page.title(), 'Welcome to authentik! - authentik');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'ak-uid', 'the first field has the focus');
    assert.equal(await uid.getAttribute('autocomplete'), 'username');
    assert.equal(await page.getByRole('link', { name: 'Sign up.' }).getAttribute('href'), '/if/flow/default-enrollment-flow/');
    assert.equal(await page.getByRole('link', { name: 'Forgot username or password?' }).getAttribute('href'), '/if/flow/default-recovery-flow/');
    assert.equal(await page.getByRole('link', { name: 'Example OAuth' }).getAttribute('href'), '/source/oauth/login/example/');
    await screenshot(page, 'flow-identification');

    await page.keyboard.type('akadmin');
    await page.keyboard.press('Enter');
    const passwordField = page.getByLabel(/^Password/);
    await passwordField.waitFor();
    assert.equal(await passwordField.getAttribute('autocomplete'), 'current-password');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'ak-password');
    await page.keyboard.type('wrong-password');
    await page.keyboard.press('Enter');
    await page.getByText('Invalid password').waitFor();
    assert.equal(await passwordField.getAttribute('aria-invalid'), 'true', 'the error belongs to the password field');
    assert.equal(await passwordField.getAttribute('aria-describedby'), 'ak-password-errors');
    await screenshot(page, 'flow-password-wrong');

    await page.getByRole('button', { name: 'Show password' }).click();
    assert.equal(await passwordField.getAttribute('type'), 'text');
    await passwordField.fill('right-password');
    await passwordField.press('Enter');
    await page.getByText('Arrived after login').waitFor();
    assert.equal(new URL(page.url()).pathname, '/if/flow/after-login/');

    const [get, ident, wrong, right] = exchanges;
    assert.equal(get.method, 'GET');
    assert.equal(get.url.searchParams.get('query'), 'next=%2Fif%2Fuser%2F', 'the page passes its query string on');
    assert.deepEqual(ident.body, { component: 'ak-stage-identification', uid_field: 'akadmin' });
    assert.deepEqual(wrong.body, { component: 'ak-stage-password', password: 'wrong-password' });
    assert.deepEqual(right.body, { component: 'ak-stage-password', password: 'right-password' });
    const csrf = (await context.cookies()).find((c) => c.name === 'authentik_csrf')?.value;
    assert.ok(csrf, 'the page got a CSRF cookie');
    for (const post of [ident, wrong, right]) assert.equal(post.csrfHeader, csrf, 'unsafe calls echo the CSRF cookie');
    await context.close();
  });

  it('renders every prompt field type with a label and sends their values', async () => {
    const { context, page } = await newPage(browser);
    const field = (field_key: string, type: string, extra: Record<string, unknown> = {}) => ({
      field_key, label: extra.label ?? field_key.replace(/_/g, ' '), type, required: false, placeholder: '', initial_value: '', order: 0, sub_text: '', choices: null, ...extra,
    });
    const fields = [
      field('username', 'username', { label: 'Username', required: true }), field('email', 'email', { label: 'Email' }),
      field('password', 'password', { label: 'Password' }), field('bio', 'text_area', { label: 'Bio' }), field('nick', 'text', { label: 'Nickname', sub_text: 'What friends call you' }),
      field('fixed', 'text_read_only', { label: 'Fixed', initial_value: 'read only' }), field('fixed_area', 'text_area_read_only', { label: 'Fixed area', initial_value: 'also read only' }),
      field('age', 'number', { label: 'Age' }), field('terms', 'checkbox', { label: 'I agree' }),
      field('colour', 'radio-button-group', { label: 'Colour', choices: ['red', 'blue'] }), field('size', 'dropdown', { label: 'Size', choices: ['S', 'M'] }),
      field('birthday', 'date', { label: 'Birthday' }), field('meeting', 'date-time', { label: 'Meeting' }), field('avatar', 'file', { label: 'Avatar' }),
      field('sep', 'separator', { label: 'More' }), field('secret', 'hidden', { initial_value: 'hidden-value' }),
      field('note', 'static', { initial_value: '<p class="note">Static text</p>' }), field('locale', 'ak-locale', { label: 'Locale' }),
    ].map((f, order) => ({ ...f, order }));
    const exchanges = await scriptExecutor(page, ({ method, body }) => {
      if (method === 'GET') return { type: 'native', component: 'ak-stage-prompt', flow_info: flowInfo('Enrollment'), fields };
      if (!body?.username) return { type: 'native', component: 'ak-stage-prompt', flow_info: flowInfo('Enrollment'), fields, response_errors: { username: [{ string: 'This field is required.', code: 'required' }] } };
      return { type: 'native', component: 'ak-stage-dummy', flow_info: flowInfo('Enrollment') };
    });
    await page.goto(`${t.url}/if/flow/enrollment/`);
    await page.getByLabel('Username').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'ak-prompt-username');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('This field is required.').waitFor();
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Email').fill('alice@example.test');
    assert.equal(await page.getByLabel('Email').getAttribute('type'), 'email');
    assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('autocomplete'), 'new-password');
    await page.getByLabel('Password', { exact: true }).fill('s3cret!');
    await page.getByLabel('Bio').fill('Hello');
    await page.getByLabel('Nickname').fill('Al');
    await page.getByText('What friends call you').waitFor();
    assert.equal(await page.getByLabel('Fixed', { exact: true }).getAttribute('readonly'), '');
    assert.equal(await page.getByLabel('Age').getAttribute('type'), 'number');
    await page.getByLabel('Age').fill('42');
    await page.getByLabel('I agree').check();
    await page.getByLabel('blue').check();
    await page.getByLabel('Size').selectOption('M');
    await page.getByLabel('Birthday').fill('2000-01-02');
    await page.getByLabel('Meeting').fill('2030-05-06T07:08');
    await page.getByLabel('Avatar').setInputFiles({ name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('hi') });
    await page.getByLabel('Locale').selectOption('de');
    await page.locator('.note', { hasText: 'Static text' }).waitFor();
    await screenshot(page, 'flow-prompt');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Continue' }).waitFor();
    await page.waitForFunction(() => !document.querySelector('#ak-prompt-username'));
    assert.deepEqual(exchanges.at(-1)!.body, {
      component: 'ak-stage-prompt', username: 'alice', email: 'alice@example.test', password: 's3cret!', bio: 'Hello', nick: 'Al',
      fixed: 'read only', fixed_area: 'also read only', age: '42', terms: true, colour: 'blue', size: 'M', birthday: '2000-01-02',
      meeting: '2030-05-06T07:08', avatar: 'data:text/plain;base64,aGk=', secret: 'hidden-value', locale: 'de',
    });
    await context.close();
  });

  it('renders consent, remember-me, email, dummy, errors and unknown stages, in each layout', async () => {
    const { context, page } = await newPage(browser);
    const queue: Challenge[] = [
      { type: 'native', component: 'ak-stage-consent', flow_info: flowInfo('Consent', 'content_left'), pending_user: 'akadmin', pending_user_avatar: '', header_text: 'Grafana wants access', token: 'consent-token', permissions: [{ name: 'Read your email', id: 'email' }], additional_permissions: [] },
      { type: 'native', component: 'ak-stage-user-login', flow_info: flowInfo('Stay?', 'sidebar_left'), pending_user: 'akadmin', pending_user_avatar: '' },
      { type: 'native', component: 'ak-stage-email', flow_info: flowInfo('Email', 'content_right') },
      { type: 'native', component: 'ak-stage-dummy', flow_info: flowInfo('Dummy', 'sidebar_right') },
      { type: 'native', component: 'ak-stage-flow-error', flow_info: flowInfo('Oops'), request_id: 'req-1', error: 'Flow does not apply to current user.' },
    ];
    const exchanges = await scriptExecutor(page, () => queue.shift() ?? { type: 'native', component: 'ak-stage-from-the-future' });
    await page.goto(`${t.url}/if/flow/provider-authorization/`);
    await page.getByText('Grafana wants access').waitFor();
    await page.getByText('Read your email').waitFor();
    await screenshot(page, 'flow-consent-content-left');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Stay signed in?').waitFor();
    await screenshot(page, 'flow-user-login-sidebar-left');
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByText('Check your inbox for a verification email.').waitFor();
    await page.getByRole('button', { name: 'Send email again.' }).click();
    await page.locator('.ak-flow-layout-sidebar_right').waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Flow does not apply to current user.').waitFor();
    await page.getByText('req-1').waitFor();
    assert.deepEqual(exchanges.slice(1).map((e) => e.body), [
      { component: 'ak-stage-consent', token: 'consent-token' },
      { component: 'ak-stage-user-login', remember_me: true },
      { component: 'ak-stage-email' },
      { component: 'ak-stage-dummy' },
    ]);
    await page.reload();
    await page.getByText('ak-stage-from-the-future').waitFor();
    await page.getByText('which this interface does not support').waitFor();
    await context.close();
  });

  it('posts autosubmit forms and shows an executor failure instead of a blank page', async () => {
    const { context, page } = await newPage(browser);
    let status = 200;
    await page.route('**/api/v3/flows/executor/**', (route) => (status === 200
      ? route.fulfill({ contentType: 'application/json', body: JSON.stringify({ type: 'native', component: 'ak-stage-autosubmit', url: `${t.url}/sp/acs/`, attrs: { SAMLResponse: 'PHNhbWw+' }, title: 'Redirecting to SP' }) })
      : route.fulfill({ status, contentType: 'application/json', body: JSON.stringify({ detail: 'Flow not applicable' }) })));
    let posted = '';
    await page.route('**/sp/acs/', async (route, request) => { posted = request.postData() ?? ''; await route.fulfill({ contentType: 'text/html', body: '<h1>At the SP</h1>' }); });
    await page.goto(`${t.url}/if/flow/saml/`);
    await page.getByText('At the SP').waitFor();
    assert.equal(posted, 'SAMLResponse=PHNhbWw%2B');
    status = 404;
    await page.goto(`${t.url}/if/flow/missing/`);
    await page.getByText('Flow not applicable').waitFor();
    await context.close();
  });

  it('follows the system colour scheme and fits a 360 px screen', async () => {
    const { context, page } = await newPage(browser, { width: 360, height: 740, dark: true });
    await scriptExecutor(page, () => ({ ...identification, password_fields: true }));
    await page.goto(`${t.url}/if/flow/default-authentication-flow/`);
    await page.getByLabel(/^Password/).waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.classList.contains('pf-v6-theme-dark')));
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal scrolling');
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle + getComputedStyle(document.activeElement!).boxShadow);
    assert.notEqual(outline, 'nonenone', 'the focused element is visibly marked');
    await screenshot(page, 'flow-identification-360-dark');
    await context.close();
  });
});
