import { randomBytes } from 'node:crypto';

/**
 * The relying party a request speaks for (authentik's `get_rp_id` and `get_origin`): the host name the browser
 * sees, which credentials are scoped to, and the origin it reports in its client data.
 */
export interface RelyingParty {
  id: string;
  origin: string;
}

export function relyingPartyOf(ctx: { absoluteUrl(path: string): string }): RelyingParty {
  const url = new URL(ctx.absoluteUrl('/'));
  return { id: url.hostname, origin: url.origin };
}

/** A challenge for the browser to sign: 32 random bytes (the options' JSON carries them base64url encoded). */
export function newChallenge(): Uint8Array<ArrayBuffer> {
  return new Uint8Array(randomBytes(32));
}
