import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningServer {
  url: string;
  port: number;
  /**
   * Stops the server: no new connection is accepted; requests in flight get up to `graceMs`
   * to finish (keep-alive connections are closed as soon as they are idle), then every
   * connection left is cut. Safe to call more than once: every call gets the same promise.
   */
  close(graceMs?: number): Promise<void>;
}

/** Serves a Hono app on 127.0.0.1 (port 0 = any free port) and resolves once it listens. */
export function listen(app: Pick<Hono, 'fetch'>, port = 0, hostname = '127.0.0.1'): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    let closing: Promise<void> | undefined;
    const server = serve({ fetch: app.fetch, port, hostname }, (info: AddressInfo) => {
      resolve({
        url: `http://${hostname}:${info.port}`,
        port: info.port,
        close: (graceMs = 0) => (closing ??= drain(server as Server, graceMs)),
      });
    });
    server.once('error', reject);
  });
}

function drain(server: Server, graceMs: number): Promise<void> {
  return new Promise<void>((done) => {
    // A keep-alive connection goes idle when its request is answered: close those as they go.
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(cut);
      done();
    });
    server.closeIdleConnections();
    if (graceMs <= 0) server.closeAllConnections();
  });
}
