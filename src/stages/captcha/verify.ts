/** How long the provider's verify endpoint may take before the token counts as unverified. */
const VERIFY_TIMEOUT_MS = 10_000;

export type CaptchaVerdict = { ok: true } | { ok: false; message: string };

/** Python's `str()` of a list of strings, as authentik's message shows the provider's `error-codes`. */
function pythonList(value: unknown): string {
  if (!Array.isArray(value)) return String(value);
  return `[${value.map((v) => `'${String(v).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}]`;
}

/**
 * authentik's `CaptchaChallengeResponse.validate_token`: posts the token with the secret and the client's IP to
 * the verify endpoint (reCAPTCHA's `siteverify` protocol, which hCaptcha and Turnstile share) and reads `success`.
 * Errors never carry the secret or the provider's raw answer.
 */
export async function verifyCaptchaToken(apiUrl: string, secret: string, token: string, remoteIp: string): Promise<CaptchaVerdict> {
  let data: Record<string, unknown>;
  try {
    const response = await fetch(apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ secret, response: token, remoteip: remoteIp }),
      signal: AbortSignal.timeout(VERIFY_TIMEOUT_MS),
      redirect: 'error',
    });
    if (!response.ok) throw new Error(`verify endpoint answered ${response.status}`);
    const parsed: unknown = await response.json();
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('verify endpoint answered no object');
    data = parsed as Record<string, unknown>;
  } catch {
    return { ok: false, message: 'Failed to validate token' };
  }
  if (!data.success) {
    const codes = data['error-codes'];
    return { ok: false, message: `Failed to validate token: ${codes === undefined ? 'Unknown error' : pythonList(codes)}` };
  }
  return { ok: true };
}
