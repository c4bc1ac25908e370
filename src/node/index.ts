/**
 * The Node entry of the proxy: serve it from a configuration file in your own Node process
 * (`checkout-proxy` does the same from the command line), or mount it in a plain `node:http`
 * server with `requestListener`.
 */
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import type { IncomingMessage, ServerResponse } from 'node:http';

export { listen, type RunningServer } from './listen.js';
export { createProxyFromConfig } from '../proxy/create.js';
export { loadConfig, parseConfig, ConfigError, type ProxyConfig } from '../proxy/config.js';

/**
 * A `node:http` request handler for the proxy's app, to mount it in a shop's own Node server
 * (no framework needed): route the proxy's base path to it.
 *
 *   const handle = requestListener(proxy.app);
 *   createServer((req, res) => (req.url?.startsWith('/checkout-api/') ? handle(req, res) : shop(req, res)));
 *
 * The client's address (for the lookup rate limits) is the socket's, as with `listen`.
 */
export function requestListener(app: Pick<Hono, 'fetch'>): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return getRequestListener(app.fetch);
}
