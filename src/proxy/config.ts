import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { InstalmentOptions, LoyaltyOptions } from './providers/index.js';

/*
 * The proxy's configuration has one definition, `ProxyConfig` below (with each provider's
 * options from ./providers/index.ts): `parseConfig` validates with it, and `npm run gen:config`
 * turns it into `checkout.config.schema.json` (for editors) and `docs/proxy-config.md` (the
 * reference of every setting). A setting's description and unit are the schema's metadata
 * (`z.describe`, `z.meta({ unit })`), not comments, so the reference cannot say otherwise;
 * a test fails when the generated files are out of date.
 */

/** A setting counted in milliseconds, with its description. */
const ms = (description: string) => z.meta({ unit: 'ms', description });

const CartLine = z.object({
  sku: z.string().check(z.minLength(1), z.describe("The product's code, sent to the provider as the item's code.")),
  name: z.string().check(z.minLength(1), z.describe('The product name the shopper and the provider see.')),
  quantity: z.int().check(z.positive(), z.describe('Number of units.')),
  unitPrice: z.int().check(z.minimum(0), z.meta({ unit: 'minor units', description: "Price of one unit, taxes included, in minor units of the cart's currency (1999 = 19.99 EUR)." })),
  data: z.optional(z.record(z.string(), z.string())).check(z.describe('Details the provider needs for this line (e.g. `startDate` of a Resamania subscription).')),
});

export const ProxyConfig = z.object({
  $schema: z.optional(z.string()).check(z.describe('The JSON Schema that editors check this file against (`./node_modules/checkout-elements/checkout.config.schema.json`); the proxy ignores it.')),
  host: z._default(z.string(), '127.0.0.1').check(z.describe('Address the Node entry listens on (`0.0.0.0`: every interface, e.g. in a container).')),
  port: z._default(z.int().check(z.minimum(0), z.maximum(65535)), 8787).check(z.describe('Port the Node entry listens on (0: any free port). `CHECKOUT_PORT` in the environment overrides it.')),
  basePath: z._default(z.string().check(z.regex(/^\/[A-Za-z0-9/_-]*$/)), '/checkout-api').check(z.describe("Where the proxy is mounted; the widget's `endpoint` attribute points here.")),
  secretKeys: z.array(z.string().check(z.minLength(24, 'A secret key has at least 24 characters.'))).check(
    z.minLength(1, 'Set at least one secret key.'),
    z.describe(
      "The shop's secret keys for the server API (`Authorization: Bearer <key>`): creating checkouts, confirming PSP payments, till credentials. " +
        'Several are accepted at once so a key can be rotated; keep them in the environment (`["${CHECKOUT_SECRET_KEY}"]`).',
    ),
  ),
  webhooks: z.optional(
    z.object({
      url: z.url({ protocol: /^https?$/ }).check(z.describe("The shop's endpoint that receives the webhook messages (POST).")),
      secrets: z.array(z.string().check(z.regex(/^whsec_[A-Za-z0-9+/=]{24,}$/, 'Expected a whsec_ secret (base64 after the prefix).'))).check(
        z.minLength(1),
        z.describe('The `whsec_` signing secrets (base64 after the prefix). Every one signs each message, so a new secret is listed beside the old one during a rotation.'),
      ),
      timeoutMs: z._default(z.int().check(z.positive()), 10_000).check(ms('Timeout of each delivery attempt.')),
      retryScheduleMs: z.optional(z.array(z.int().check(z.minimum(0))).check(z.minLength(1))).check(
        ms("Delays before each attempt. Default: Standard Webhooks' 0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (more than 27 h in all)."),
      ),
      flushIntervalMs: z._default(z.int().check(z.minimum(100)), 30_000).check(
        ms('How often each instance queues the webhooks a checkout still owes (saved with its state, not queued because the outbox failed or an instance died in between); also done at start.'),
      ),
    }),
  ).check(z.describe("Where the shop's server is told what happened (Standard Webhooks 1.0): its URL and the secrets that sign each message. Unset: no webhooks.")),
  trustProxy: z._default(z.int().check(z.minimum(0), z.maximum(10)), 0).check(
    z.describe(
      'Proxies (load balancers, TLS terminators) in front of this one, whose `X-Forwarded-For`/`-Proto`/`-Host` are believed for the client\'s address (rate limits) and the page\'s origin. 0: only the socket counts.',
    ),
  ),
  allowedOrigins: z._default(z.array(z.url()), []).check(
    z.describe('Merchant page origins allowed to call the proxy from a browser (CORS and state-changing calls): exact origins such as `https://shop.example`, never `*`.'),
  ),
  loyalty: LoyaltyOptions.check(z.describe('The loyalty/CRM provider, named by `provider`, and its options (see each provider below).')),
  instalments: z.optional(InstalmentOptions).check(z.describe('The pay-in-instalments provider (FLOA), combined with the loyalty/CRM provider. Unset: no instalments.')),
  publicUrl: z.optional(z.url({ protocol: /^https?$/ })).check(
    z.describe(
      "The proxy's public address with its mount path (`https://shop.example/checkout-api`): the base of the URLs a provider calls back (FLOA's notification and return). " +
        "Set it behind a reverse proxy; by default the address the widget's request came to.",
    ),
  ),
  carts: z._default(
    z.record(
      z.string(),
      z.object({
        currency: z.string().check(z.regex(/^[A-Z]{3}$/), z.describe("ISO 4217 code of the cart's amounts.")),
        lines: z.array(CartLine).check(z.describe("The cart's lines.")),
      }),
    ),
    {},
  ).check(
    z.describe(
      "Carts the proxy reads by `cartId` (the demo's, and tests'). A shop's server normally pushes its cart when it creates the checkout, and a proxy mounted in code reads a `CartSource`.",
    ),
  ),
  privacy: z._default(
    z.object({ revealName: z._default(z.boolean(), false).check(z.describe("Send customers' full names (a cashier's till) instead of masked ones (a public page).")) }),
    { revealName: false },
  ).check(z.describe('What a lookup tells the page about the customer.')),
  redis: z.optional(
    z.object({
      url: z.string().check(
        z.regex(/^rediss?:\/\/\S+$/, 'Expected a redis:// or rediss:// URL.'),
        z.describe('The Redis server: `redis://`, or `rediss://` for TLS, with any password in the URL (`redis://:${REDIS_PASSWORD}@redis:6379/0`).'),
      ),
      prefix: z._default(z.string(), 'checkout:').check(z.describe('Prefix of every key, so proxies of several shops can share one Redis.')),
    }),
  ).check(
    z.describe(
      'Shared state for several proxy instances behind a load balancer: idempotency keys, checkouts (with their holds and locks), rate-limit counters, Resamania\'s sale ledger and the webhook outbox, in Redis. ' +
        "`REDIS_URL` in the environment sets `url` when this is unset. Neither: they live in this process's memory, which suits a single instance.",
    ),
  ),
  unknownOutcomeSettleMs: z._default(z.int().check(z.minimum(0)), 30_000).check(
    ms('After a payment whose outcome is unknown, how long the provider gets to show it before an unchanged balance is read as "not recorded" (a slow provider may commit late).'),
  ),
  lookupRateLimit: z._default(
    z.object({
      perClient: z.int().check(z.positive(), z.describe('Lookups per client IP in a window.')),
      perCheckout: z.int().check(z.positive(), z.describe('Lookups per checkout in a window.')),
      windowMs: z.int().check(z.positive(), ms('Length of the window.')),
    }),
    { perClient: 30, perCheckout: 10, windowMs: 60_000 },
  ).check(z.describe('Public lookups are an enumeration risk: at most this many per client IP and per checkout; beyond, 429 with `Retry-After` (counted across instances with Redis).')),
  pageRateLimit: z._default(
    z.object({
      perClient: z.int().check(z.positive(), z.describe('Calls per client IP in a window.')),
      perCheckout: z.int().check(z.positive(), z.describe('Calls per checkout in a window.')),
      windowMs: z.int().check(z.positive(), ms('Length of the window.')),
    }),
    { perClient: 600, perCheckout: 120, windowMs: 60_000 },
  ).check(
    z.describe(
      "The page's calls that reach a provider or a payment (choosing points, asking for or recording a payment, the catalog, instalment checks, sessions and status): anyone holding a client secret could otherwise spend the merchant's provider quota. Beyond, 429 with `Retry-After` (counted across instances with Redis). Reading the checkout is not counted.",
    ),
  ),
  codeRateLimit: z._default(
    z.object({
      perClient: z.int().check(z.positive(), z.describe('Proof codes per client IP in a window.')),
      windowMs: z.int().check(z.positive(), ms('Length of the window.')),
      wrongPerCustomer: z._default(z.int().check(z.positive()), 10).check(z.describe("Wrong codes per account across every checkout in `customerWindowMs`; then that account's codes are refused until the window ends.")),
      customerWindowMs: z._default(z.int().check(z.positive()), 3_600_000).check(ms('Window of the wrong codes counted per account.')),
    }),
    { perClient: 10, windowMs: 60_000, wrongPerCustomer: 10, customerWindowMs: 3_600_000 },
  ).check(
    z.describe('Proof codes (pass codes, app codes): per client IP in a window, and wrong codes per account across checkouts in a longer one; each customer also gets 5 tries per checkout.'),
  ),
  paymentRequestTtlMs: z._default(z.int().check(z.positive()), 30 * 60_000).check(ms("How long a page's payment request freezes the checkout while the shop's PSP takes the money.")),
  discountNeedsProof: z._default(z.boolean(), true).check(
    z.describe(
      "A loyalty level's discount (the Russian API's `discount` levels) goes only to a shopper who proved the account is theirs (the shop vouched, a code, a till). Without proof the member pays as a guest: no discount, no sale in their name, since anyone may type a member's phone number. `false` grants it on a lookup, as a shop counter that asks for a phone number does.",
    ),
  ),
  metrics: z._default(
    z.object({
      token: z.optional(z.string().check(z.minLength(16, 'A metrics token has at least 16 characters.'))).check(
        z.describe('The bearer token `<basePath>/metrics` asks for (`Authorization: Bearer <token>`); keep it in the environment.'),
      ),
      port: z.optional(z.int().check(z.minimum(0), z.maximum(65535))).check(z.describe('Port of a private listener serving `/metrics`, which the public never reaches.')),
      host: z._default(z.string(), '127.0.0.1').check(z.describe('Address of the private metrics listener.')),
    }),
    { host: '127.0.0.1' },
  ).check(
    z.describe('Prometheus metrics: at `<basePath>/metrics` behind `token`, or on a private listener (`port`, on `host`). Neither set: no metrics endpoint.'),
  ),
  logLevel: z._default(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info').check(z.describe('Level of the JSON logs on standard output.')),
  shutdown: z._default(
    z.object({
      readinessDelayMs: z._default(z.int().check(z.minimum(0)), 2000).check(ms('Time between `/readyz` failing and the server refusing new connections, for the load balancer to stop sending.')),
      graceMs: z._default(z.int().check(z.minimum(0)), 10_000).check(ms('Time requests in flight get to finish before provider clients and Redis are closed.')),
    }),
    { readinessDelayMs: 2000, graceMs: 10_000 },
  ).check(
    z.describe(
      'Stopping (SIGTERM, SIGINT): `/readyz` fails at once, then after `readinessDelayMs` the server stops accepting, requests in flight get `graceMs` to finish, and only then are provider clients and Redis closed.',
    ),
  ),
  instalmentSessionTimeoutMs: z._default(z.int().check(z.positive()), 60 * 60_000).check(
    ms('How long an opened instalment payment page blocks the checkout before it counts as abandoned (a late "paid" then goes to review).'),
  ),
}).check(
  z.meta({
    title: 'checkout-elements proxy configuration',
    description:
      'The checkout proxy\'s configuration (`checkout.config.json`, or the file `CHECKOUT_CONFIG` names). String values may name environment variables as `${NAME}`, so secrets live in the environment. ' +
      'Validated at start; every problem is reported with its path. Every setting: docs/proxy-config.md.',
  }),
);
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
