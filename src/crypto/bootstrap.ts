import { randomInt } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Services } from '../api/context.js';
import { certificateKeyPairs } from './table.js';
import { buildSelfSigned } from './builder.js';

export const SELF_SIGNED_NAME = 'authentik Self-signed Certificate';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** authentik's `generate_id()`: 40 random letters and digits. */
function generateId(length = 40): string {
  return Array.from({ length }, () => ID_ALPHABET[randomInt(ID_ALPHABET.length)]).join('');
}

/**
 * authentik's `reconcile_self_signed`: a keypair named "authentik Self-signed Certificate" (RSA 4096, a year,
 * a random `<id>.self-signed.goauthentik.io` name), made when no keypair has that name. It is not managed: an
 * admin may change it, and it is only made again if it was deleted.
 */
export async function bootstrapCrypto(services: Services): Promise<void> {
  const { db } = services;
  const [existing] = await db.select({ id: certificateKeyPairs.kpUuid }).from(certificateKeyPairs)
    .where(eq(certificateKeyPairs.name, SELF_SIGNED_NAME)).limit(1);
  if (existing) return;
  const built = await buildSelfSigned({ commonName: SELF_SIGNED_NAME, subjectAltNames: [`${generateId()}.self-signed.goauthentik.io`] });
  await db.insert(certificateKeyPairs)
    .values({ name: SELF_SIGNED_NAME, certificateData: built.certificate, keyData: built.privateKey })
    .onConflictDoNothing();
}
