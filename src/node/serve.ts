/**
 * Node entry for operators: `npm run proxy` (or the package's `checkout-proxy` command).
 * Reads the configuration (see `proxy/config.ts`), validates it, serves the proxy (and its metrics
 * on a private port when configured), and stops cleanly: on SIGTERM or SIGINT `/readyz`
 * fails first, then the server drains (requests in flight finish: a sale is never cut in
 * half), and only then are provider clients and Redis closed.
 */
import { Hono } from 'hono';
import { setTimeout as sleep } from 'node:timers/promises';
import { listen, type RunningServer } from './listen.js';
import { ConfigError, loadConfig } from '../proxy/config.js';
import { createProxyFromConfig } from '../proxy/create.js';

try {
  const config = loadConfig();
  const proxy = createProxyFromConfig(config);
  const logger = proxy.logger!;
  const server = await listen(proxy.app, config.port, config.host);
  logger.info({ provider: config.loyalty.provider, instalments: config.instalments?.provider ?? null, url: `${server.url}${config.basePath}` }, 'listening');
  let metricsServer: RunningServer | undefined;
  if (proxy.metrics && config.metrics.port !== undefined) {
    const registry = proxy.metrics.registry;
    const metricsApp = new Hono().get('/metrics', async (c) => c.text(await registry.metrics(), 200, { 'content-type': registry.contentType }));
    metricsServer = await listen(metricsApp, config.metrics.port, config.metrics.host);
    logger.info({ url: `${metricsServer.url}/metrics` }, 'metrics listening');
  }
  let stopping: Promise<void> | undefined;
  const stop = (signal: string) =>
    (stopping ??= (async () => {
      logger.info({ signal }, `${signal}: not ready any more; draining requests in flight`);
      proxy.startDraining();
      await sleep(config.shutdown.readinessDelayMs);
      await server.close(config.shutdown.graceMs);
      await metricsServer?.close();
      await proxy.close();
      logger.info('stopped');
      process.exit(0);
    })());
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}
