import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { groups, tenants, userGroups, users } from '../core/table.js';
import { events } from '../events/table.js';
import { closeExpressionSandbox, evaluateExpression, registerExpressionHandler, warmExpressionSandbox } from './index.js';
import type { ExpressionVariables } from './index.js';

type UserRow = typeof users.$inferSelect;

describe('expressions: authentik\'s API', () => {
  let t: TestApp;
  let alice: UserRow;
  let bob: UserRow;
  let http: Server;
  let httpUrl: string;
  const evaluate = (source: string, variables: ExpressionVariables = {}, timeout?: number) =>
    evaluateExpression(t.services, source, variables, { filename: 'test-expression', timeout });
  const asAlice = (extra: Partial<NonNullable<ExpressionVariables['request']>> = {}): ExpressionVariables => ({
    request: { user: alice, httpRequest: { ip: '192.0.2.10', userAgent: 'test-agent', host: 'auth.example.test', path: '/if/flow/x/', method: 'GET' }, context: {}, ...extra },
  });

  before(async () => {
    const warming = warmExpressionSandbox();
    t = await startTestApp();
    [alice] = await t.services.db.insert(users).values({
      username: 'alice', name: 'Alice Liddell', email: 'alice@example.test', password: 'pbkdf2_sha256$1$salt$hash',
      attributes: { team: 'blue', settings: { locale: 'de' }, list: ['user'] },
    }).returning();
    [bob] = await t.services.db.insert(users).values({ username: 'bob', email: 'bob@example.test', isActive: false, attributes: { team: 'red' } }).returning();
    const [parent] = await t.services.db.insert(groups).values({ name: 'staff', attributes: { level: 1, list: ['parent'], nested: { a: 1 } } }).returning();
    const [child] = await t.services.db.insert(groups).values({ name: 'engineers', parentId: parent.groupUuid, attributes: { level: 2, nested: { b: 2 } } }).returning();
    await t.services.db.insert(userGroups).values({ userId: alice.id, groupId: child.groupUuid });
    await t.services.db.update(tenants).set({ attributes: { tenant_only: true, level: 0 } }).where(eq(tenants.default, true));
    http = createServer((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 3000);
      if (req.url === '/big') return void res.end(Buffer.alloc(5 * 1024 * 1024, 97));
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ method: req.method, url: req.url, body, auth: req.headers.authorization ?? null }));
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    await warming;
  });
  after(async () => {
    http?.close();
    await closeExpressionSandbox();
    await t?.close();
  });

  it('reads the user as authentik\'s User object', async () => {
    const outcome = await evaluate(`
u = request.user
return {
    "username": u.username, "email": u.email, "name": u.name, "pk": u.pk, "id": u.id, "active": u.is_active,
    "team": u.attributes.get("team"), "uid": u.uid, "usable": u.has_usable_password(), "str": str(u),
    "authenticated": u.is_authenticated, "locale": u.locale(), "type": u.type, "path": u.path,
    "joined": u.date_joined.year > 2000,
}`, asAlice());
    assert.equal(outcome.error, undefined);
    const result = outcome.result as Record<string, unknown>;
    assert.deepEqual({ ...result, uid: undefined }, {
      username: 'alice', email: 'alice@example.test', name: 'Alice Liddell', pk: alice.id, id: alice.id, active: true, team: 'blue',
      uid: undefined, usable: true, str: 'alice', authenticated: true, locale: 'de', type: 'internal', path: 'users', joined: true,
    });
    assert.match(String(result.uid), /^[0-9a-f]{64}$/);
    assert.equal((await evaluate('return request.user.has_usable_password()', { request: { user: bob } })).result, false);
    const anonymous = await evaluate('return [request.user.username, request.user.is_authenticated, request.user.pk, list(request.user.ak_groups.all())]', { request: { user: null } });
    assert.deepEqual(anonymous.result, ['AnonymousUser', false, null, []]);
  });

  it('reads groups: ak_groups, all_groups, is_superuser, parents and group_attributes', async () => {
    const outcome = await evaluate(`
u = request.user
return {
    "direct": [g.name for g in u.ak_groups.all()],
    "filtered": u.ak_groups.filter(name="engineers").exists(),
    "other": u.ak_groups.filter(name="staff").exists(),
    "count": u.ak_groups.count(),
    "all": sorted(g.name for g in u.all_groups()),
    "parent": u.ak_groups.first().parent.name,
    "superuser": u.is_superuser,
    "member": ak_is_group_member(u, name="staff"),
    "not_member": ak_is_group_member(u, name="nobody"),
    "attrs": u.group_attributes(),
    "with_tenant": u.group_attributes(request.http_request).get("tenant_only"),
    "values": list(u.ak_groups.values_list("name", flat=True)),
    "same": list(u.groups.all()) == list(u.ak_groups.all()),
}`, asAlice());
    assert.equal(outcome.error, undefined, outcome.traceback);
    assert.deepEqual(outcome.result, {
      direct: ['engineers'], filtered: true, other: false, count: 1, all: ['engineers', 'staff'], parent: 'staff', superuser: false,
      member: true, not_member: false,
      // staff then engineers (by name: engineers < staff, so staff's win), then the user's own; lists append, dicts merge
      attrs: { level: 1, list: ['parent', 'user'], nested: { b: 2, a: 1 }, team: 'blue', settings: { locale: 'de' } },
      with_tenant: true, values: ['engineers'], same: true,
    });
    const akadmin = await evaluate('return ak_user_by(username="akadmin").is_superuser');
    assert.equal(akadmin.result, true);
  });

  it('finds users with ak_user_by and User.objects, as the same rows', async () => {
    const found = await evaluate('return ak_user_by(username="bob")');
    assert.equal((found.result as UserRow).id, bob.id);
    assert.equal((found.result as UserRow).username, 'bob');
    const lookups = await evaluate(`
from authentik.core.models import User, Group
return [
    ak_user_by(email__iexact="ALICE@example.test").username,
    ak_user_by(attributes__team="red").username,
    ak_user_by(attributes__settings__locale="de").username,
    ak_user_by(username="nobody"),
    ak_user_by(no_such_field="x"),
    User.objects.filter(is_active=False).first().username,
    User.objects.filter(ak_groups__name="engineers").count(),
    sorted(User.objects.filter(username__in=["alice", "bob"]).values_list("username", flat=True)),
    User.objects.exclude(username="alice").filter(username__startswith="b").get().pk == ${bob.id},
    Group.objects.get(name="engineers").parent.name,
    [u.username for u in Group.objects.get(name="engineers").users.all()],
]`);
    assert.equal(lookups.error, undefined, lookups.traceback);
    assert.deepEqual(lookups.result, ['alice', 'bob', 'alice', null, null, 'bob', 1, ['alice', 'bob'], true, 'staff', ['alice']]);
    const missing = await evaluate('from authentik.core.models import User\nreturn User.objects.get(username="nobody")');
    assert.equal(missing.errorType, 'DoesNotExist');
    const badField = await evaluate('from authentik.core.models import User\nreturn User.objects.filter(nope=1).count()');
    assert.equal(badField.errorType, 'FieldError');
  });

  it('runs the default flows\' policies unchanged', async () => {
    // flow-oobe: inject pending_user into the running plan, then check akadmin's password.
    const plan = { flow_pk: 'f', context: { keep: 1 } as Record<string, unknown> };
    const inject = await evaluate(`# This policy sets the user for the currently running flow
# by injecting "pending_user"
akadmin = ak_user_by(username="akadmin")
context["flow_plan"].context["pending_user"] = akadmin
return True`, { request: { user: null, context: { flow_plan: plan } } });
    assert.equal(inject.result, true);
    assert.equal((plan.context.pending_user as UserRow).username, 'akadmin');
    assert.equal(plan.context.keep, 1);

    const setup = `akadmin = ak_user_by(username="akadmin")
started_by = context.get("goauthentik.io/core/setup/started-by")
if started_by != "setup":
    setup_url = request.http_request.build_absolute_uri("/")
    ak_message(f"Access the authentik setup by navigating to {setup_url}")
    return False
return akadmin is None or not akadmin.has_usable_password()`;
    const refused = await evaluate(setup, asAlice());
    assert.deepEqual([refused.result, refused.messages], [false, ['Access the authentik setup by navigating to http://auth.example.test/']]);
    const allowed = await evaluate(setup, asAlice({ context: { 'goauthentik.io/core/setup/started-by': 'setup' } }));
    assert.equal(allowed.result, false, 'the test admin has a password');

    const url = `from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
base_url = ((request.context.get("prompt_data") or {}).get("base_url") or "").strip()
if not base_url:
    return True
try:
    URLValidator()(base_url)
except ValidationError:
    ak_message("Enter a valid URL, for example https://authentik.company")
    return False
return True`;
    assert.equal((await evaluate(url, asAlice({ context: { prompt_data: { base_url: 'https://authentik.company' } } }))).result, true);
    assert.equal((await evaluate(url, asAlice({ context: { prompt_data: { base_url: 'not a url' } } }))).result, false);

    // default-authentication-flow: the password stage runs unless a backend already authenticated the user.
    const passwordStage = `flow_plan = request.context.get("flow_plan")
if not flow_plan:
    return True
return not hasattr(flow_plan.context.get("pending_user"), "backend")`;
    const planOf = (pending: unknown) => ({ request: { user: null, context: { flow_plan: { flow_pk: 'f', context: { pending_user: pending } } } } });
    assert.equal((await evaluate(passwordStage, planOf(alice))).result, true);
    assert.equal((await evaluate(passwordStage, planOf({ ...alice, backend: 'authentik.core.auth.InbuiltBackend' }))).result, false);
    assert.equal((await evaluate(passwordStage, { request: { user: null, context: {} } })).result, true);

    assert.equal((await evaluate("return 'username' not in context.get('prompt_data', {})", asAlice({ context: { prompt_data: { username: 'x' } } }))).result, false);
    assert.equal((await evaluate('return ak_is_sso_flow', asAlice({ context: { is_sso: true } }))).result, true);
    // 192.0.2.0/24 is documentation space: not globally reachable, so Python calls it private.
    assert.deepEqual((await evaluate('return ak_client_ip.is_private, str(ak_client_ip)', asAlice())).result, [true, '192.0.2.10']);

    const settings = `from authentik.admin.utils import get_system_settings
from authentik.core.models import (
    USER_ATTRIBUTE_CHANGE_EMAIL,
    USER_ATTRIBUTE_CHANGE_NAME,
    USER_ATTRIBUTE_CHANGE_USERNAME
)
prompt_data = request.context.get("prompt_data")
settings = get_system_settings()

if not request.user.group_attributes(request.http_request).get(
    USER_ATTRIBUTE_CHANGE_EMAIL, settings.default_user_change_email
):
    if prompt_data.get("email") != request.user.email:
        ak_message("Not allowed to change email address.")
        return False

if not request.user.group_attributes(request.http_request).get(
    USER_ATTRIBUTE_CHANGE_NAME, settings.default_user_change_name
):
    if prompt_data.get("name") != request.user.name:
        ak_message("Not allowed to change name.")
        return False
return True`;
    const same = await evaluate(settings, asAlice({ context: { prompt_data: { email: alice.email, name: 'New Name' } } }));
    assert.deepEqual([same.result, same.messages], [true, []]);
    const changed = await evaluate(settings, asAlice({ context: { prompt_data: { email: 'new@example.test', name: alice.name } } }));
    assert.deepEqual([changed.result, changed.messages], [false, ['Not allowed to change email address.']]);
  });

  it('renders prompt values and property mappings from the shipped blueprints', async () => {
    const settingsField = await evaluate('try:\n    return user.attributes.get("settings", {}).get("locale", "")\nexcept:\n    return \'\'', { user: alice });
    assert.equal(settingsField.result, 'de');
    assert.equal((await evaluate('try:\n    return user.username\nexcept:\n    return \'\'', { user: null })).result, '');
    const lockdown = await evaluate(`is_self_service = prompt_context.get("lockdown_self_service", False)
from django.utils.html import escape as esc
from django.utils.translation import gettext as _
pending_user = user if getattr(user, "pk", None) else None
return f"<p><code>{esc(pending_user.username)}</code> ({esc(pending_user.email or pending_user.name or 'No email')}) {esc('<b>')}</p>" + _("ok")`,
    { user: alice, prompt_context: {} });
    assert.equal(lockdown.result, '<p><code>alice</code> (alice@example.test) &lt;b&gt;</p>ok');

    const profile = await evaluate(`return {
    "name": request.user.name,
    "given_name": request.user.name,
    "preferred_username": request.user.username,
    "nickname": request.user.username,
    "groups": [group.name for group in request.user.ak_groups.all()],
}`, { user: alice, request: { user: alice } });
    assert.deepEqual(profile.result, { name: 'Alice Liddell', given_name: 'Alice Liddell', preferred_username: 'alice', nickname: 'alice', groups: ['engineers'] });

    const samlGroups = await evaluate('for group in request.user.ak_groups.all():\n    yield group.name', { request: { user: alice } });
    assert.deepEqual(samlGroups.result, ['engineers']);
    assert.equal((await evaluate("return request.user.attributes.get('upn', request.user.email)", { request: { user: alice } })).result, 'alice@example.test');

    const scim = await evaluate(`givenName, familyName = request.user.name, ""
if " " in request.user.name:
    givenName, _, familyName = request.user.name.partition(" ")
avatar = request.user.avatar
photos = []
if "://" in avatar:
    photos = [{"value": avatar, "type": "photo"}]
locale = request.user.locale()
if locale == "":
    locale = None
return {"userName": request.user.username, "name": {"givenName": givenName, "familyName": familyName}, "photos": len(photos), "locale": locale}`,
    { request: { user: alice } });
    assert.deepEqual(scim.result, { userName: 'alice', name: { givenName: 'Alice', familyName: 'Liddell' }, photos: 1, locale: 'de' });

    const ldap = await evaluate('return {"name": ldap.get("cn"), "attributes": {"sn": list_flatten(ldap.get("sn")), "none": list_flatten([])}}',
      { ldap: { cn: 'Alice', sn: ['Liddell', 'x'] } });
    assert.deepEqual(ldap.result, { name: 'Alice', attributes: { sn: 'Liddell', none: null } });

    const kerberos = await evaluate(`from authentik.core.models import USER_PATH_SERVICE_ACCOUNT, UserTypes
localpart, realm = principal.rsplit("@", 1)
attrs = {}
if realm.upper() != source.realm.upper():
    attrs["username"] = None
if "/" in localpart:
    attrs.update({"type": UserTypes.SERVICE_ACCOUNT, "path": USER_PATH_SERVICE_ACCOUNT})
return attrs`, { principal: 'host/web@OTHER.TEST', source: { realm: 'example.test', userPathTemplate: 'x' } });
    assert.deepEqual(kerberos.result, { username: null, type: 'service_account', path: 'goauthentik.io/service-accounts' });

    const google = await evaluate('return {"name": group.name, "email": f"{slugify(group.name)}@example.test", "sso": source.user_path_template}',
      { group: { name: 'Ünïcode Team!' }, source: { userPathTemplate: 'goauthentik.io/sources/%(slug)s' } });
    assert.deepEqual(google.result, { name: 'Ünïcode Team!', email: 'unicode-team@example.test', sso: 'goauthentik.io/sources/%(slug)s' });
    const hashed = await evaluate('return request.user.password', { request: { user: alice } });
    assert.equal(hashed.result, alice.password);
  });

  it('has authentik\'s helper functions', async () => {
    const outcome = await evaluate(`ak_logger.info("Passing structured data", request=request, n=1)
ak_logger.warning("careful")
return [
    regex_match(request.user.username, '.*lic.*'),
    regex_replace(request.user.email, '(.+)@.+', r'\\1'),
    ip_address('192.0.2.1') in ip_network('192.0.2.0/24'),
    list_flatten(["foo"]),
    ak_user_has_authenticator(request.user),
    ak_user_has_authenticator(request.user, "totp"),
    slugify("Hello World"),
]`, asAlice());
    assert.equal(outcome.error, undefined, outcome.traceback);
    assert.deepEqual(outcome.result, [true, 'alice', true, 'foo', false, false, 'hello-world']);
    assert.deepEqual(outcome.logs.map((l) => [l.event, l.log_level, l.logger]), [
      ['Passing structured data', 'info', 'test-expression'], ['careful', 'warning', 'test-expression']]);
    assert.equal(outcome.logs[0].attributes.n, 1);
    assert.equal((outcome.logs[0].attributes.request as { user: { pk: number } }).user.pk, alice.id);
    const dates = await evaluate('from django.utils.timezone import now\nimport datetime\nreturn [now(), datetime.datetime(2020, 1, 2, 3, 4, 5)]');
    const [now, fixed] = dates.result as Date[];
    assert.ok(now instanceof Date && Math.abs(now.getTime() - Date.now()) < 60_000);
    assert.equal(fixed.toISOString(), '2020-01-02T03:04:05.000Z');
  });

  it('records events with ak_create_event', async () => {
    const outcome = await evaluate('ak_create_event("custom_expression_test", foo=request.user, note="hello")\nreturn True', asAlice());
    assert.equal(outcome.error, undefined, outcome.traceback);
    const [row] = await t.services.db.select().from(events).where(eq(events.action, 'custom_expression_test'));
    assert.ok(row, 'the event was recorded');
    assert.equal(row.app, 'test-expression');
    const context = row.context as Record<string, any>;
    assert.equal(context.note, 'hello');
    assert.deepEqual(context.foo, { pk: alice.id, app: 'authentik_core', name: 'alice', model_name: 'user' });
    assert.equal(row.clientIp, '192.0.2.10');
  });

  it('calls other policies with ak_call_policy, expression policies nested in the same sandbox', async () => {
    const dummy = await t.api('POST', '/policies/dummy/', { body: { name: 'always-true', result: true, wait_min: 0, wait_max: 1 } });
    assert.equal(dummy.status, 201, JSON.stringify(dummy.body));
    const inner = await t.api('POST', '/policies/expression/', { body: { name: 'inner-expression', expression: 'ak_message("inner says " + str(request.context.get("extra")))\nreturn request.user.username == "alice"' } });
    assert.equal(inner.status, 201, JSON.stringify(inner.body));
    const outcome = await evaluate(`a = ak_call_policy("always-true")
b = ak_call_policy("inner-expression", extra=42)
return [a.passing, b.passing, list(b.messages)]`, asAlice());
    assert.equal(outcome.error, undefined, outcome.traceback);
    assert.deepEqual(outcome.result, [true, true, ['inner says 42']]);
    const missing = await evaluate('return ak_call_policy("no-such-policy")', asAlice());
    assert.equal(missing.error, "Policy 'no-such-policy' not found.");
  });

  it('refuses a syntax error on save through the expression policy API', async () => {
    const res = await t.api('POST', '/policies/expression/', { body: { name: 'broken', expression: 'return (((' } });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { expression: ["Expression Syntax Error: '(' was never closed (temp-policy, line 2)"] });
  });

  it('makes HTTP requests through the server: http(s) only, bounded in time and size', async () => {
    const outcome = await evaluate(`r = requests.get("${httpUrl}/get", params={"a": "b"})
p = requests.post("${httpUrl}/post", json={"x": 1}, auth=("u", "p"))
return [r.status_code, r.json()["url"], r.ok, p.json()["body"], p.json()["auth"], r.headers["Content-Type"]]`);
    assert.equal(outcome.error, undefined, outcome.traceback);
    assert.deepEqual(outcome.result, [200, '/get?a=b', true, '{"x": 1}', 'Basic dTpw', 'application/json']);
    const imported = await evaluate(`import requests as r\ntry:\n    r.get("${httpUrl}/slow", timeout=0.3)\nexcept r.exceptions.Timeout as exc:\n    return "timeout"`);
    assert.equal(imported.result, 'timeout');
    const big = await evaluate(`try:\n    requests.get("${httpUrl}/big")\nexcept requests.exceptions.RequestException as exc:\n    return str(exc)`);
    assert.match(String(big.result), /larger than/);
    const file = await evaluate('return requests.get("file:///etc/passwd").text');
    assert.match(file.error!, /only http and https/);
  });

  it('lets other domains add helpers, and says which are missing', async () => {
    const remove = registerExpressionHandler('create_jwt', (call, args) => `jwt-for-${(call.codec.decode(args.user) as UserRow).username}`);
    try {
      assert.equal((await evaluate('return ak_create_jwt(request.user, "provider", ["openid"])', asAlice())).result, 'jwt-for-alice');
    } finally {
      remove();
    }
    const missing = await evaluate('return ak_create_jwt(request.user, "provider", ["openid"])', asAlice());
    assert.equal(missing.error, 'ak_create_jwt is not available in this installation');
  });
});
