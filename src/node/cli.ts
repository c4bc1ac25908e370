#!/usr/bin/env node
/**
 * `checkout-proxy`: the operator's command.
 *   checkout-proxy [serve]          serve the proxy (configuration: CHECKOUT_CONFIG, default checkout.config.json)
 *   checkout-proxy check [file]     validate a configuration and try each provider's credentials,
 *                                   without moving money or reading anyone's data; exit 0 when all pass
 */
import { Redis } from 'ioredis';
import { ConfigError, loadConfig } from '../proxy/config.js';
import { createInstalmentProvider, createLoyaltyProvider } from '../proxy/providers/index.js';

const [command = 'serve', file] = process.argv.slice(2);

if (command === 'serve') {
  await import('./serve.js');
} else if (command === 'check') {
  process.exitCode = await check(file);
} else {
  console.error('Usage: checkout-proxy [serve] | checkout-proxy check [config-file]');
  process.exitCode = 64; // EX_USAGE
}

async function check(path: string | undefined): Promise<number> {
  let config;
  try {
    config = loadConfig(path ? { ...process.env, CHECKOUT_CONFIG: path } : process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 78; // EX_CONFIG
  }
  console.log(`✓ configuration: valid (${path ?? process.env.CHECKOUT_CONFIG ?? 'checkout.config.json'})`);
  const checks: Array<[string, () => Promise<string>]> = [];
  const loyalty = createLoyaltyProvider(config.loyalty);
  checks.push([`loyalty (${config.loyalty.provider})`, () => loyalty.checkCredentials?.({ signal: AbortSignal.timeout(15_000) }) ?? Promise.resolve('nothing to check')]);
  const instalments = config.instalments && createInstalmentProvider(config.instalments);
  if (instalments) checks.push([`instalments (${instalments.id})`, () => instalments.checkCredentials?.({ signal: AbortSignal.timeout(15_000) }) ?? Promise.resolve('nothing to check')]);
  const redis = config.redis && new Redis(config.redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 5000, enableOfflineQueue: false });
  if (redis) checks.push(['redis', async () => `answers ${await redis.connect().then(() => redis.ping())}`]);
  let failed = 0;
  for (const [name, run] of checks) {
    try {
      console.log(`✓ ${name}: ${await run()}`);
    } catch (error) {
      failed += 1;
      console.log(`✗ ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  await loyalty.close?.();
  await instalments?.close?.();
  redis?.disconnect();
  return failed ? 1 : 0;
}
