import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { InstalmentOptions, LoyaltyOptions } from './providers/index.js';

/**
 * The proxy's configuration: a JSON file (`CHECKOUT_CONFIG`, default `checkout.config.json`)
 * whose string values may name environment variables as `${NAME}`, so secrets live in the
 * environment. Validated at start; every problem is reported with its path.
 * See `docs/proxy-config.md` for each setting.
 */
const CartLine = z.object({
  sku: z.string().check(z.minLength(1)),
  name: z.string().check(z.minLength(1)),
  quantity: z.int().check(z.positive()),
  unitPrice: z.int().check(z.minimum(0)),
  /** Details the provider needs for this line (e.g. `startDate` of a subscription). */
  data: z.optional(z.record(z.string(), z.string())),
});

export const ProxyConfig = z.object({
  host: z._default(z.string(), '127.0.0.1'),
  port: z._default(z.int().check(z.minimum(0), z.maximum(65535)), 8787),
  /** Where the proxy is mounted; the widget's `endpoint` attribute points here. */
  basePath: z._default(z.string().check(z.regex(/^\/[A-Za-z0-9/_-]*$/)), '/checkout-api'),
  /** Merchant page origins allowed to call the proxy from a browser. */
  allowedOrigins: z._default(z.array(z.url()), []),
  loyalty: LoyaltyOptions,
  /** Optional pay-in-instalments provider (FLOA), combined with the loyalty/CRM provider. */
  instalments: z.optional(InstalmentOptions),
  /**
   * The proxy's public address with its mount path (`https://shop.example/checkout-api`): the
   * base of the URLs a provider calls back (FLOA's notification and return). Set it behind a
   * reverse proxy; by default the address the widget's request came to.
   */
  publicUrl: z.optional(z.url({ protocol: /^https?$/ })),
  /** The demo's in-memory carts; a real merchant plugs in their own `CartSource`. */
  carts: z._default(z.record(z.string(), z.object({ currency: z.string().check(z.regex(/^[A-Z]{3}$/)), lines: z.array(CartLine) })), {}),
  privacy: z._default(z.object({ revealName: z._default(z.boolean(), false) }), { revealName: false }),
  /**
   * Shared state for several proxy instances behind a load balancer: idempotency keys and
   * checkouts (with their holds and locks) in Redis. Without it (and without `REDIS_URL` in the
   * environment) they live in this process's memory, which suits a single instance.
   */
  redis: z.optional(
    z.object({
      url: z.string().check(z.regex(/^rediss?:\/\/\S+$/, 'Expected a redis:// or rediss:// URL.')),
      /** Prefix of every key, so proxies of several shops can share one Redis. */
      prefix: z._default(z.string(), 'checkout:'),
    }),
  ),
  /** Public lookups are an enumeration risk: at most this many per client IP and per checkout. */
  /**
   * After a payment whose outcome is unknown, how long the provider gets to show it before an
   * unchanged balance is read as "not recorded" (a slow provider may commit late).
   */
  unknownOutcomeSettleMs: z._default(z.int().check(z.minimum(0)), 30_000),
  lookupRateLimit: z._default(
    z.object({ perClient: z.int().check(z.positive()), perCheckout: z.int().check(z.positive()), windowMs: z.int().check(z.positive()) }),
    { perClient: 30, perCheckout: 10, windowMs: 60_000 },
  ),
});
export type ProxyConfig = z.infer<typeof ProxyConfig>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Replaces `${NAME}` in every string with the environment's value; a missing one is an error. */
function substitute(value: unknown, env: NodeJS.ProcessEnv, missing: Set<string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
      const found = env[name];
      if (found === undefined || found === '') missing.add(name);
      return found ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, env, missing));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, env, missing)]));
  return value;
}

export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env, source = 'configuration'): ProxyConfig {
  const missing = new Set<string>();
  const resolved = substitute(raw, env, missing);
  if (missing.size) throw new ConfigError(`${source}: set the environment variable(s) ${[...missing].join(', ')}.`);
  const parsed = ProxyConfig.safeParse(resolved);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`${source} is invalid:\n${lines.join('\n')}`);
  }
  if (env.CHECKOUT_PORT) parsed.data.port = Number(env.CHECKOUT_PORT);
  if (env.REDIS_URL && !parsed.data.redis) {
    if (!/^rediss?:\/\/\S+$/.test(env.REDIS_URL)) throw new ConfigError(`${source}: REDIS_URL must be a redis:// or rediss:// URL.`);
    parsed.data.redis = { url: env.REDIS_URL, prefix: 'checkout:' };
  }
  return parsed.data;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ProxyConfig {
  const file = env.CHECKOUT_CONFIG ?? 'checkout.config.json';
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`Cannot read the configuration file ${file}: ${(error as Error).message}`);
  }
  return parseConfig(raw, env, file);
}
