import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Credential checks, all in constant time: the secret keys of the shop's server (several at
 * once, so a key can be rotated without downtime), a checkout's client secret, and the
 * short-lived staff credential of a till.
 */

/** `Authorization: Bearer <token>` → the token. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** True when `candidate` equals one of `secrets`; every secret is compared, each in constant time. */
export function matchesAny(candidate: string | undefined, secrets: readonly string[]): boolean {
  if (candidate === undefined) return false;
  // Digests first: equal lengths for timingSafeEqual, and no length leak.
  const given = digest(candidate);
  let found = false;
  for (const secret of secrets) found = timingSafeEqual(given, digest(secret)) || found;
  return found;
}

export interface TillCredential {
  credential: string;
  till: string;
  expiresAt: string;
}

const TILL_PREFIX = 'till_';
const tillSignature = (key: string, payload: string) => createHmac('sha256', key).update(`checkout-till-credential\n${payload}`).digest('base64url');

/**
 * A till's staff credential: `till_<payload>.<signature>`, the payload naming the till and the
 * expiry, signed with the first secret key (HMAC-SHA256). Any accepted secret key verifies it,
 * so credentials survive a key rotation until the old key is removed. Stateless: every
 * instance checks it without a shared store.
 */
export function issueTillCredential(till: string, ttlSeconds: number, secretKeys: readonly string[], now = Date.now()): TillCredential {
  const expiresAt = now + ttlSeconds * 1000;
  const payload = Buffer.from(JSON.stringify({ till, exp: expiresAt })).toString('base64url');
  return { credential: `${TILL_PREFIX}${payload}.${tillSignature(secretKeys[0]!, payload)}`, till, expiresAt: new Date(expiresAt).toISOString() };
}

/** The till a credential was issued for, or undefined when it is forged, altered or expired. */
export function verifyTillCredential(credential: string | undefined, secretKeys: readonly string[], now = Date.now()): string | undefined {
  if (!credential?.startsWith(TILL_PREFIX)) return undefined;
  const [payload = '', signature = ''] = credential.slice(TILL_PREFIX.length).split('.');
  const expected = secretKeys.map((key) => tillSignature(key, payload));
  if (!matchesAny(signature, expected)) return undefined;
  try {
    const { till, exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { till?: unknown; exp?: unknown };
    return typeof till === 'string' && typeof exp === 'number' && exp > now ? till : undefined;
  } catch {
    return undefined;
  }
}
