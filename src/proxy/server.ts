/**
 * Node entry for operators: `node --import tsx src/proxy/server.ts` (or `npm run proxy`).
 * Reads the configuration (see `config.ts`), validates it, and serves the proxy.
 */
import { listen } from '../node/listen.js';
import { ConfigError, loadConfig } from './config.js';
import { createProxyFromConfig } from './create.js';

try {
  const config = loadConfig();
  const proxy = createProxyFromConfig(config);
  const server = await listen(proxy.app, config.port, config.host);
  console.log(`Checkout proxy (${config.loyalty.provider}) listening on ${server.url}${config.basePath}`);
  const stop = async () => {
    await server.close();
    await proxy.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}
