import { Redis } from 'ioredis';
import { createCheckoutProxy } from './app.js';
import { MemoryCartSource, type CartSource } from './carts.js';
import type { ProxyConfig } from './config.js';
import { RedisIdempotencyStore } from './idempotency/redis.js';
import { createInstalmentProvider, createLoyaltyProvider } from './providers/index.js';
import { ResamaniaAdapter } from './providers/resamania/adapter.js';
import { RedisSaleLedger } from './providers/resamania/redis-sale-ledger.js';
import type { InstalmentCustomerSource } from './instalments.js';
import { RedisCheckoutStore } from './stores/redis.js';

type Log = (message: string, error?: unknown) => void;

/**
 * Builds the proxy from a validated configuration, mounted at `config.basePath`. With
 * `config.redis` (or `REDIS_URL`), idempotency keys and checkouts (and Resamania's sale
 * ledger) live in Redis, shared by every instance; otherwise in this process's memory.
 */
export function createProxyFromConfig(config: ProxyConfig, overrides: { carts?: CartSource; log?: Log; instalmentCustomers?: InstalmentCustomerSource } = {}) {
  const log: Log = overrides.log ?? ((message, error) => console.error(`[checkout-proxy] ${message}`, error instanceof Error ? error.message : (error ?? '')));
  const redis = config.redis ? connectRedis(config.redis.url, log) : undefined;
  // Resamania remembers each checkout's sale: shared by every instance when Redis is there.
  const loyalty =
    config.loyalty.provider === 'resamania' && redis
      ? new ResamaniaAdapter(config.loyalty, { ledger: new RedisSaleLedger(redis, { prefix: config.redis?.prefix }) })
      : createLoyaltyProvider(config.loyalty);
  const instalments = config.instalments ? createInstalmentProvider(config.instalments) : undefined;
  const app = createCheckoutProxy({
    basePath: config.basePath,
    loyalty,
    ...(instalments ? { instalments, instalmentCustomers: overrides.instalmentCustomers, publicUrl: config.publicUrl } : {}),
    carts: overrides.carts ?? new MemoryCartSource(config.carts),
    ...(redis && config.redis
      ? { checkouts: new RedisCheckoutStore(redis, { prefix: config.redis.prefix }), idempotency: new RedisIdempotencyStore(redis, { prefix: config.redis.prefix }) }
      : {}),
    allowedOrigins: config.allowedOrigins,
    privacy: config.privacy,
    lookupRateLimit: config.lookupRateLimit,
    unknownOutcomeSettleMs: config.unknownOutcomeSettleMs,
    clientIp: (c) => (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress,
    log,
  });
  return {
    app,
    async close() {
      await loyalty.close?.();
      await instalments?.close?.();
      await redis?.quit().catch(() => redis.disconnect());
    },
  };
}

function connectRedis(url: string, log: Log): Redis {
  // Fail calls fast while Redis is down (a payment then gets a 500 and no upstream call),
  // rather than queueing them for ever; reconnection goes on in the background.
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 5000 });
  let lastError = '';
  redis.on('error', (error: Error) => {
    // The URL may carry a password: only the error's message is logged, once per change.
    if (error.message !== lastError) log('Redis error', error);
    lastError = error.message;
  });
  redis.on('ready', () => (lastError = ''));
  return redis;
}
