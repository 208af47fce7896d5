import { randomInt } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../../api/context.js';
import { recordEvent } from '../../../events/record.js';
import { TokenError } from '../errors.js';
import { clientAuth, noStore, params, queryParams } from '../http.js';
import { loadProvider, providerByClientId } from '../provider-cache.js';
import { deviceTokens } from '../table.js';
import { durationMs } from '../duration.js';
import { generateId } from '../model.js';
import { originOf, hashSessionKey, lastLogin } from '../id-token.js';
import { checkApplicationAccess } from '../access.js';
import { codeForm, sendPage } from '../pages.js';
import { loginUrl, sessionUser } from '../session-user.js';

export const DEVICE_INTERVAL_SECONDS = 5;

/** authentik's `generate_code_fixed_length`: digits only, so users can type it on any keyboard. */
function userCode(length = 9): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(randomInt(10));
  return out;
}

/** `POST /application/o/device/` (RFC 8628 §3.1, authentik's `DeviceView`). */
export const deviceAuthorizationView = (services: Services) => async (request: FastifyRequest, reply: FastifyReply) => {
  const body = params(request);
  const { clientId } = clientAuth(request, body);
  const provider = await providerByClientId(services, clientId);
  if (!provider) {
    const error = new TokenError('invalid_client');
    reply.header('WWW-Authenticate', 'Basic realm="authentik"');
    return noStore(reply).code(error.status).send(error.body());
  }
  if (!provider.application) return noStore(reply).code(400).send(new TokenError('invalid_client', 'The client has no application').body());
  const scope = [...new Set((body.scope ?? '').split(/\s+/).filter((s) => provider.scopeNames.has(s)))];
  const validity = durationMs(provider.row.accessCodeValidity);
  const [token] = await services.db.insert(deviceTokens).values({
    providerId: provider.row.id,
    deviceCode: generateId(64),
    userCode: userCode(),
    scope: scope.join(' '),
    expires: new Date(Date.now() + validity),
  }).returning();
  const base = `${originOf(request)}/device`;
  return noStore(reply).send({
    device_code: token.deviceCode,
    verification_uri: base,
    verification_uri_complete: `${base}?code=${token.userCode}`,
    user_code: token.userCode,
    expires_in: Math.floor(validity / 1000),
    interval: DEVICE_INTERVAL_SECONDS,
  });
};

/**
 * `/device` (authentik's device code entry): a logged-in user enters (or follows a link with) the user code;
 * once the application's policies let them in, the device's token is bound to them and the polling device gets
 * its tokens.
 */
export const deviceEntryView = (services: Services) => async (request: FastifyRequest, reply: FastifyReply) => {
  const code = (params(request).code ?? queryParams(request).code ?? '').replace(/\s+/g, '');
  const { session, user } = await sessionUser(services, request);
  if (!user || !session) return reply.redirect(loginUrl(`/device${code ? `?code=${encodeURIComponent(code)}` : ''}`));
  if (!code) return sendPage(reply, 200, 'Device login', 'Enter the code shown on your device.', codeForm('/device'));
  const [token] = await services.db.select().from(deviceTokens).where(eq(deviceTokens.userCode, code)).limit(1);
  if (!token || token.userId || (token.expiring && token.expires.getTime() <= Date.now())) {
    return sendPage(reply, 400, 'Device login', 'Invalid code', codeForm('/device', 'Invalid code'));
  }
  const provider = await loadProvider(services, token.providerId);
  if (!provider?.application) return sendPage(reply, 400, 'Device login', 'Invalid code', codeForm('/device', 'Invalid code'));
  const access = await checkApplicationAccess(services, provider.application, user, request, {
    oauth_scopes: token.scope.split(' ').filter(Boolean), oauth_grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
  });
  if (!access.passing) return sendPage(reply, 403, 'Permission denied', access.messages.join('\n') || 'You do not have access to this application.');
  const login = await lastLogin(services, user.id);
  await services.db.update(deviceTokens).set({ userId: user.id, authTime: login?.created ?? new Date(), sessionId: hashSessionKey(session.key) })
    .where(eq(deviceTokens.id, token.id));
  await recordEvent(services, {
    action: 'authorize_application', user, request,
    context: { authorized_application: { pk: provider.application.pbmUuid.replace(/-/g, ''), app: 'authentik_core', model_name: 'application', name: provider.application.name }, scopes: token.scope },
  }).catch(() => undefined);
  return sendPage(reply, 200, 'Device login', `You've successfully authenticated your device for ${provider.application.name}. You can close this window.`);
};
