import { listen } from '../../src/node/listen.js';
import { parseConfig } from '../../src/proxy/config.js';
import { createProxyFromConfig } from '../../src/proxy/create.js';

/** The shop's secret key in tests (never a real one). */
export const TEST_SECRET_KEY = 'sk_test_checkout_elements_0123456789';

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

export type Call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Reply>;

export interface TestCheckout {
  id: string;
  clientSecret: string;
  /** Calls the page API of this checkout (its client secret in `Authorization`); paths relative to `/v1/checkouts/<id>`. */
  page: Call;
}

export interface RunningProxy {
  /** The server's origin (`http://127.0.0.1:<port>`). */
  url: string;
  /** The v1 contract's base URL (`<url><basePath>/v1`). */
  base: string;
  /** Calls the shop's server API with the test secret key; paths relative to `/v1/server`. */
  server: Call;
  /** Calls any v1 path as is (no credential). */
  call: Call;
  /** Creates a checkout as the shop's server (`{ cartId }` or `{ cart }`, …) and returns its page client. */
  checkout(body: Record<string, unknown>): Promise<TestCheckout>;
  /** Stops the server, then the proxy's provider clients. */
  close(): Promise<void>;
}

/** One HTTP call, JSON in and out (a string body is sent as is). */
export async function request(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(url, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (a provider callback's "OK"): the text as is.
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** Page and server clients for a proxy whose v1 base URL is `base`. */
export function clients(base: string, secretKey = TEST_SECRET_KEY) {
  const call: Call = (method, path, body, headers) => request(base + path, method, body, headers);
  const server: Call = (method, path, body, headers) => call(method, `/server${path}`, body, { authorization: `Bearer ${secretKey}`, ...headers });
  const pageOf = (id: string, clientSecret: string): Call => (method, path, body, headers) => call(method, `/checkouts/${id}${path}`, body, { authorization: `Bearer ${clientSecret}`, ...headers });
  const checkout = async (body: Record<string, unknown>): Promise<TestCheckout> => {
    const created = await server('POST', '/checkouts', body);
    if (created.status !== 201 && created.status !== 200) throw new Error(`checkout not created: ${created.status} ${JSON.stringify(created.body)}`);
    const { checkout: made, clientSecret } = created.body as { checkout: { id: string }; clientSecret: string };
    return { id: made.id, clientSecret, page: pageOf(made.id, clientSecret) };
  };
  return { call, server, checkout, pageOf };
}

/** A proxy built from a raw configuration (validated as at start), served on 127.0.0.1. */
export async function startProxy(raw: Record<string, unknown>, overrides: Parameters<typeof createProxyFromConfig>[1] = {}): Promise<RunningProxy> {
  const config = parseConfig({ secretKeys: [TEST_SECRET_KEY], ...raw }, {});
  const proxy = createProxyFromConfig(config, { log: () => {}, ...overrides });
  const server = await listen(proxy.app);
  const base = `${server.url}${config.basePath}/v1`;
  return {
    url: server.url,
    base,
    ...clients(base),
    async close() {
      await server.close();
      await proxy.close();
    },
  };
}
