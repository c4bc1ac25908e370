import { listen } from '../../src/node/listen.js';
import { parseConfig } from '../../src/proxy/config.js';
import { createProxyFromConfig } from '../../src/proxy/create.js';

export interface RunningProxy {
  /** The server's origin (`http://127.0.0.1:<port>`). */
  url: string;
  /** The v1 contract's base URL (`<url><basePath>/v1`). */
  base: string;
  /** Stops the server, then the proxy's provider clients. */
  close(): Promise<void>;
}

/** A proxy built from a raw configuration (validated as at start), served on 127.0.0.1. */
export async function startProxy(raw: unknown, overrides: Parameters<typeof createProxyFromConfig>[1] = {}): Promise<RunningProxy> {
  const config = parseConfig(raw, {});
  const proxy = createProxyFromConfig(config, { log: () => {}, ...overrides });
  const server = await listen(proxy.app);
  return {
    url: server.url,
    base: `${server.url}${config.basePath}/v1`,
    async close() {
      await server.close();
      await proxy.close();
    },
  };
}
