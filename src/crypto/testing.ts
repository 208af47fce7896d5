import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs the openssl CLI, with `input` written to a file named `in.pem` in a scratch folder (`{in}` in args). */
export async function openssl(args: string[], input?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ak-crypto-'));
  try {
    const path = join(dir, 'in.pem');
    if (input !== undefined) await writeFile(path, input);
    const { stdout } = await run('openssl', args.map((arg) => arg.replace('{in}', path).replace('{dir}', dir)));
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export type TestKeyType = 'rsa' | 'ec' | 'ed25519';

const NEW_KEY: Record<TestKeyType, string[]> = {
  rsa: ['-newkey', 'rsa:2048'],
  ec: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  ed25519: ['-newkey', 'ed25519'],
};

/** A self-signed certificate and its unencrypted PKCS#8 key, made by the openssl CLI. */
export async function opensslKeyPair(type: TestKeyType, subject: string, days = 30): Promise<{ certificate: string; key: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ak-crypto-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    await run('openssl', ['req', '-x509', ...NEW_KEY[type], '-nodes', '-keyout', keyPath, '-out', certPath, '-subj', subject, '-days', String(days)]);
    return { certificate: await readFile(certPath, 'utf8'), key: await readFile(keyPath, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `openssl x509 -fingerprint` of a PEM certificate, as lower-case colon hex. */
export async function opensslFingerprint(certificate: string, digest: 'sha256' | 'sha1'): Promise<string> {
  const out = await openssl(['x509', '-in', '{in}', '-noout', '-fingerprint', `-${digest}`], certificate);
  return out.trim().split('=')[1].toLowerCase();
}

/** `openssl x509 -enddate` as a Date. */
export async function opensslNotAfter(certificate: string): Promise<Date> {
  const out = await openssl(['x509', '-in', '{in}', '-noout', '-enddate'], certificate);
  return new Date(out.trim().replace(/^notAfter=/, ''));
}
