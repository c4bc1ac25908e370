import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/**
 * Standard Webhooks 1.0 signing and verification, with the maintained `standardwebhooks`
 * package (no hand-rolled crypto): `webhook-id`, `webhook-timestamp` and `webhook-signature`
 * headers; HMAC-SHA256 over `id.timestamp.body` with a `whsec_` secret. Several secrets may be
 * active at once (rotation): a message carries one signature per secret, and a receiver
 * accepts it when any of its secrets verifies one of them.
 */
export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The headers for `body` (the exact bytes sent), signed with every secret. */
export function signWebhook(id: string, body: string, secrets: readonly string[], at = new Date()): SignedHeaders {
  const signatures = secrets.map((secret) => new Webhook(secret).sign(id, at, body));
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signatures.join(' ') };
}

export class WebhookSignatureError extends Error {
  override name = 'WebhookSignatureError';
}

/**
 * For the shop's server: checks a webhook the proxy sent and returns its parsed body. Throws
 * `WebhookSignatureError` for a forged or altered message, or one whose timestamp is more
 * than 5 minutes away (a replay). Pass the raw body, exactly as received, and the headers.
 * Dedup on `webhook-id` (delivery is at least once).
 */
export function verifyWebhook<T = unknown>(body: string | Buffer, headers: Record<string, string | string[] | undefined> | Headers, secrets: string | readonly string[]): T {
  const get = (name: keyof SignedHeaders) => {
    const value = headers instanceof Headers ? headers.get(name) : headers[name];
    return (Array.isArray(value) ? value[0] : value) ?? '';
  };
  const plain = { 'webhook-id': get('webhook-id'), 'webhook-timestamp': get('webhook-timestamp'), 'webhook-signature': get('webhook-signature') };
  let last: unknown;
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    try {
      return new Webhook(secret).verify(body, plain) as T;
    } catch (error) {
      last = error;
    }
  }
  throw new WebhookSignatureError(last instanceof WebhookVerificationError ? last.message : 'No matching signature');
}
