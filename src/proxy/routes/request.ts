import type { Context } from 'hono';

/**
 * What the proxy believes about a request's origin and client. Behind a reverse proxy or a TLS
 * terminator, `trustProxy` (the number of proxies in front of this one) says how many
 * `X-Forwarded-*` hops to believe; with 0 (the default) only the socket counts, since anyone
 * can send those headers.
 */
export interface RequestTrust {
  trustProxy: number;
  /** The socket's address (the Node entry passes it). */
  socketIp?: (c: Context) => string | undefined;
}

/** The client's address: the socket's, or the one `trustProxy` hops back in `X-Forwarded-For`. */
export function clientIp(c: Context, trust: RequestTrust): string {
  const socket = trust.socketIp?.(c) ?? 'unknown';
  if (trust.trustProxy <= 0) return socket;
  const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((part) => part.trim()).filter(Boolean);
  // Each trusted proxy appended the address it received from: the client is `trustProxy`
  // entries from the right; anything further left was written by the client and is not believed.
  return hops[hops.length - trust.trustProxy] ?? hops[0] ?? socket;
}

/** The origin the request was made to, as the browser saw it (scheme and host forwarded by a trusted proxy). */
export function requestOrigin(c: Context, trust: RequestTrust): string {
  const url = new URL(c.req.url);
  if (trust.trustProxy <= 0) return url.origin;
  const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim();
  const host = c.req.header('x-forwarded-host')?.split(',')[0]?.trim();
  const scheme = proto === 'http' || proto === 'https' ? proto : url.protocol.slice(0, -1);
  return new URL(`${scheme}://${host && /^[A-Za-z0-9.-]+(:\d+)?$/.test(host) ? host : url.host}`).origin;
}
