import { Redis } from 'ioredis';
import { createCheckoutProxy } from './app.js';
import { MemoryCartSource, type CartSource } from './carts.js';
import { ConfigError, type ProxyConfig } from './config.js';
import { RedisIdempotencyStore } from './idempotency/redis.js';
import type { InstalmentCustomerSource } from './instalments/flow.js';
import { createInstalmentProvider, createLoyaltyProvider } from './providers/index.js';
import { ResamaniaAdapter } from './providers/resamania/adapter.js';
import { RedisSaleLedger } from './providers/resamania/redis-sale-ledger.js';
import { RedisCheckoutStore } from './stores/redis.js';
import { MemoryCheckoutStore } from './checkout/record.js';
import { OwedEvents } from './checkout/owed-events.js';
import { BullMqOutbox } from './webhooks/bullmq-outbox.js';
import { MemoryOutbox, type WebhookOutbox } from './webhooks/outbox.js';
import type { Logger } from 'pino';
import { createLogger, logTo, type Log } from './observe/logger.js';
import { ProxyMetrics } from './observe/metrics.js';

/**
 * Builds the proxy from a validated configuration, mounted at `config.basePath`. With
 * `config.redis` (or `REDIS_URL`), idempotency keys, checkouts, Resamania's sale ledger,
 * rate-limit counters and the webhook outbox live in Redis, shared by every instance;
 * otherwise in this process's memory. A configuration that could take money without
 * recording the order is refused here.
 */
export function createProxyFromConfig(config: ProxyConfig, overrides: { carts?: CartSource; log?: Log; logger?: Logger; instalmentCustomers?: InstalmentCustomerSource } = {}) {
  // Tests pass `log` alone: no request logs then, unless they pass a logger too.
  const logger = overrides.logger ?? (overrides.log ? undefined : createLogger({ level: config.logLevel }));
  const log: Log = overrides.log ?? logTo(logger!);
  const redis = config.redis ? connectRedis(config.redis.url, log) : undefined;
  const prefix = config.redis?.prefix ?? 'checkout:';
  // Resamania remembers each checkout's sale: shared by every instance when Redis is there.
  const loyalty =
    config.loyalty.provider === 'resamania' && redis ? new ResamaniaAdapter(config.loyalty, { ledger: new RedisSaleLedger(redis, { prefix }) }) : createLoyaltyProvider(config.loyalty);
  if (config.instalments && !loyalty.capabilities.paymentMethods.includes('external')) {
    throw new ConfigError(
      `instalments: ${config.loyalty.provider} is not configured to record a payment collected elsewhere (method "external"), so an order paid in instalments could not be recorded. Configure its external payment mean.`,
    );
  }
  const instalments = config.instalments ? createInstalmentProvider(config.instalments) : undefined;
  let draining = false;
  let metrics: ProxyMetrics | undefined;
  const webhooks: WebhookOutbox | undefined = config.webhooks && (config.redis ? new BullMqOutbox(config.redis.url, config.webhooks, { prefix, log }) : new MemoryOutbox(config.webhooks, log));
  const checkouts = redis ? new RedisCheckoutStore(redis, { prefix }) : new MemoryCheckoutStore();
  const carts = overrides.carts ?? new MemoryCartSource(config.carts);
  const flusher = webhooks && config.webhooks && flushOwedEvents(new OwedEvents({ checkouts, carts, events: webhooks, log }), config.webhooks.flushIntervalMs, log);
  if (config.metrics.token || config.metrics.port !== undefined) {
    metrics = new ProxyMetrics({ unknownOutcomes: () => checkouts.countUnknownOutcomes(), webhookBacklog: webhooks && (() => webhooks.backlog()) });
  }
  const app = createCheckoutProxy({
    basePath: config.basePath,
    secretKeys: config.secretKeys,
    loyalty,
    ...(instalments ? { instalments, instalmentCustomers: overrides.instalmentCustomers, publicUrl: config.publicUrl } : {}),
    carts,
    checkouts,
    ...(redis ? { idempotency: new RedisIdempotencyStore(redis, { prefix }), redis, redisPrefix: prefix } : {}),
    ...(webhooks ? { webhooks } : {}),
    allowedOrigins: config.allowedOrigins,
    privacy: config.privacy,
    lookupRateLimit: config.lookupRateLimit,
    pageRateLimit: config.pageRateLimit,
    codeRateLimit: config.codeRateLimit,
    trustProxy: config.trustProxy,
    unknownOutcomeSettleMs: config.unknownOutcomeSettleMs,
    paymentRequestTtlMs: config.paymentRequestTtlMs,
    discountNeedsProof: config.discountNeedsProof,
    instalmentSessionTimeoutMs: config.instalmentSessionTimeoutMs,
    clientIp: (c) => (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress,
    ready: async () => {
      const checks: Record<string, boolean> = { config: true, draining: !draining };
      if (redis) checks.redis = await redis.ping().then((pong) => pong === 'PONG', () => false);
      return { ready: Object.values(checks).every(Boolean), checks };
    },
    ...(logger ? { logger } : {}),
    ...(metrics ? { metrics, ...(config.metrics.token ? { metricsToken: config.metrics.token } : {}) } : {}),
    log,
  });
  let closed: Promise<void> | undefined;
  return {
    app,
    webhooks,
    metrics,
    logger,
    /** From now on `/readyz` answers 503 (the instance is stopping); requests are still served. */
    startDraining(): void {
      draining = true;
    },
    /** Stops timers and closes provider and Redis clients; safe to call more than once. */
    close(): Promise<void> {
      closed ??= (async () => {
        await flusher?.stop();
        metrics?.close();
        await webhooks?.close();
        await loyalty.close?.();
        await instalments?.close?.();
        await redis?.quit().catch(() => redis.disconnect());
      })();
      return closed;
    },
  };
}

/**
 * Queues the webhooks checkouts still owe (see `owed-events.ts`): now, then every
 * `intervalMs`, one run at a time. The timer keeps no process alive; `stop` waits for a run.
 */
function flushOwedEvents(owed: OwedEvents, intervalMs: number, log: Log): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const run = () => {
    running ??= owed
      .flush()
      .catch((error) => log('webhooks owed could not be listed', error))
      .finally(() => (running = undefined));
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

function connectRedis(url: string, log: Log): Redis {
  // Fail calls fast while Redis is down (a payment then gets a 500 and no upstream call),
  // rather than queueing them for ever; reconnection goes on in the background. A command
  // that hangs is cut after 2 s for the same reason.
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 5000, commandTimeout: 2000 });
  let lastError = '';
  redis.on('error', (error: Error) => {
    // The URL may carry a password: only the error's message is logged, once per change.
    if (error.message !== lastError) log('Redis error', error);
    lastError = error.message;
  });
  redis.on('ready', () => (lastError = ''));
  return redis;
}
