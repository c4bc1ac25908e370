import { Hono, type Context } from 'hono';
import type { Redis } from 'ioredis';
import * as z from 'zod/mini';
import { IDEMPOTENCY_HEADER, TILL_HEADER, type Capabilities } from '../protocol/index.js';
import { MemoryCartSource, type CartSource } from './carts.js';
import { MemoryCheckoutStore, type CheckoutStore } from './checkout/record.js';
import { CheckoutService } from './checkout/service.js';
import { limitBody } from './http/body-limit.js';
import { pageCors } from './http/page-cors.js';
import { createIdempotencyGuard, problemResponse } from './idempotency/guard.js';
import { MemoryIdempotencyStore, type IdempotencyStore } from './idempotency/store.js';
import { InstalmentFlow, type InstalmentCustomerSource } from './instalments/flow.js';
import { ProblemError } from './problems.js';
import type { PrivacyOptions } from './privacy.js';
import type { InstalmentProvider, LoyaltyProvider } from './providers/provider.js';
import { createRateLimiter } from './rate-limits.js';
import { CALLBACK_PREFIX, mountProviderCallbacks } from './routes/callbacks.js';
import { mountPageApi } from './routes/page.js';
import { requestOrigin, type RequestTrust } from './routes/request.js';
import { mountServerApi } from './routes/server.js';
import type { WebhookOutbox } from './webhooks/outbox.js';
import type { Logger } from 'pino';
import { matchesAny, bearerToken } from './auth/secrets.js';
import type { ProxyMetrics } from './observe/metrics.js';
import { observeRequests } from './observe/requests.js';

// Readable validation messages on the server ("expected string, received undefined"); the
// browser bundle does without them to stay small.
z.config(z.locales.en());

export interface CheckoutProxyOptions {
  /** Path the proxy is mounted at (`/checkout-api`); the widget's `endpoint` points here. */
  basePath?: string;
  /** The shop's secret keys for the server API (several during a rotation; at least one, 24+ characters). */
  secretKeys: string[];
  loyalty: LoyaltyProvider;
  instalments?: InstalmentProvider;
  /** The identity the instalment provider scores, when the shop's server did not pass one with the checkout. */
  instalmentCustomers?: InstalmentCustomerSource;
  /** The proxy's public address with its mount path, for provider callbacks; default: the request's origin. */
  publicUrl?: string;
  /** Where carts named by `cartId` are read (a proxy mounted in the shop's own server); pushed carts need none. */
  carts?: CartSource;
  checkouts?: CheckoutStore;
  idempotency?: IdempotencyStore;
  /** Where the shop's webhooks are queued (none: the shop reads checkouts instead). */
  webhooks?: WebhookOutbox;
  /** Merchant page origins allowed to call the proxy from a browser (exact matches). */
  allowedOrigins?: string[];
  privacy?: PrivacyOptions;
  /** Lookups allowed per client IP and per checkout in a window. */
  lookupRateLimit?: { perClient: number; perCheckout: number; windowMs: number };
  /** Page calls that reach a provider or a payment, per client IP and per checkout in a window. */
  pageRateLimit?: { perClient: number; perCheckout: number; windowMs: number };
  /** Proof codes allowed per client IP in a window; wrong codes per customer (across checkouts) in a longer window. */
  codeRateLimit?: { perClient: number; windowMs: number; wrongPerCustomer?: number; customerWindowMs?: number };
  /** Shares the rate-limit counters between instances. */
  redis?: Redis;
  redisPrefix?: string;
  /** Proxies in front of this one whose `X-Forwarded-For`/`-Proto`/`-Host` are believed (default 0). */
  trustProxy?: number;
  /** How long after an unknown payment outcome a provider's "not recorded" is believed. */
  unknownOutcomeSettleMs?: number;
  /** How long a page's payment request freezes the checkout (default 30 min). */
  paymentRequestTtlMs?: number;
  /** A level discount only for a shopper who proved the account (default true). */
  discountNeedsProof?: boolean;
  /** How long an opened instalment payment page blocks the checkout (default 1 h). */
  instalmentSessionTimeoutMs?: number;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /** The socket's address (the Node entry passes it). */
  clientIp?: (c: Context) => string | undefined;
  /** Structured request logs (one JSON line per request). */
  logger?: Logger;
  /** Prometheus metrics; served at `/metrics` here only with `metricsToken` (else serve them on a private port). */
  metrics?: ProxyMetrics;
  metricsToken?: string;
  /** Whether this instance should receive traffic (`/readyz`): its stores answer and it is not draining. */
  ready?: () => Promise<{ ready: boolean; checks: Record<string, boolean> }>;
  log?: (message: string, error?: unknown) => void;
}

/**
 * The checkout proxy as a Hono app: a web-standard `fetch(Request) → Response` handler that
 * any runtime can mount (see `server.ts` for Node). All routes live under `/v1`, in three
 * groups, one per audience (SPEC §4a):
 * - `routes/server.ts`: the shop's server, with a secret key (`/v1/server/…`);
 * - `routes/page.ts`: the shopper's page, with a checkout's client secret (`/v1/checkouts/…`);
 * - `routes/callbacks.ts`: the instalment provider's callbacks (`/v1/callbacks/…`).
 */
export function createCheckoutProxy(options: CheckoutProxyOptions): Hono {
  if (!options.secretKeys.length || options.secretKeys.some((key) => key.length < 24)) {
    throw new Error('createCheckoutProxy: secretKeys needs at least one key of 24 or more characters.');
  }
  const checkouts = options.checkouts ?? new MemoryCheckoutStore();
  const service = new CheckoutService({
    carts: options.carts ?? new MemoryCartSource(),
    checkouts,
    loyalty: options.loyalty,
    events: options.webhooks,
    privacy: options.privacy,
    log: options.log,
    unknownOutcomeSettleMs: options.unknownOutcomeSettleMs,
    paymentRequestTtlMs: options.paymentRequestTtlMs,
    discountNeedsProof: options.discountNeedsProof,
  });
  const idempotent = createIdempotencyGuard({ store: options.idempotency ?? new MemoryIdempotencyStore() });
  const allowed = new Set(options.allowedOrigins ?? []);
  const trust: RequestTrust = { trustProxy: options.trustProxy ?? 0, socketIp: options.clientIp };
  const lookups = options.lookupRateLimit ?? { perClient: 30, perCheckout: 10, windowMs: 60_000 };
  const actions = options.pageRateLimit ?? { perClient: 600, perCheckout: 120, windowMs: 60_000 };
  const codes = options.codeRateLimit ?? { perClient: 10, windowMs: 60_000 };
  const prefix = `${options.redisPrefix ?? 'checkout:'}rl:`;
  const limiter = (name: string, limit: number, windowMs: number, what: string) => createRateLimiter({ limit, windowMs, what, redis: options.redis, keyPrefix: `${prefix}${name}` });
  const capabilities: Capabilities = {
    version: 'v1',
    loyalty: { ...options.loyalty.capabilities, customerRequired: !!options.loyalty.capabilities.customerRequired },
    instalments: options.instalments ? { provider: options.instalments.id } : null,
  };
  const flow = options.instalments
    ? new InstalmentFlow({ provider: options.instalments, customers: options.instalmentCustomers, service, checkouts, sessionTimeoutMs: options.instalmentSessionTimeoutMs, log: options.log })
    : undefined;
  const publicBase = (c: Context) => (options.publicUrl ?? requestOrigin(c, trust) + (options.basePath ?? '/')).replace(/\/+$/, '');

  const app = new Hono().basePath(options.basePath ?? '/');
  app.onError((error, c) => {
    if (!(error instanceof ProblemError)) options.log?.(`unhandled error on ${c.req.method} ${c.req.routePath}`, error);
    return problemResponse(error);
  });
  if (options.logger || options.metrics) app.use('*', observeRequests({ logger: options.logger, metrics: options.metrics, basePath: options.basePath }));
  app.notFound(() => problemResponse(new ProblemError('not-found', 'No such route.')));

  // The page API only: the shop's server API sends no CORS headers, so no browser can call it.
  const corsOfPage = pageCors({
    // An exact allow-list: never `*`, never the caller's origin reflected back.
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
    allowHeaders: ['content-type', 'authorization', IDEMPOTENCY_HEADER, TILL_HEADER],
    exposeHeaders: ['Idempotency-Replayed', 'Retry-After'],
    maxAge: 600,
  });
  app.use('/v1/checkouts/*', corsOfPage);
  app.use('/v1/capabilities', corsOfPage);
  app.use('*', async (c, next) => {
    // A browser on a page we do not serve must not change a checkout (CSRF-style abuse).
    const origin = c.req.header('origin');
    // Without an Origin, the browser's own word that the call comes from another site counts.
    const foreign = origin ? !allowed.has(origin) && origin !== requestOrigin(c, trust) : c.req.header('sec-fetch-site') === 'cross-site';
    // Provider callbacks come from the provider's servers and its payment page: they prove themselves (seal, re-read result).
    if (c.req.method !== 'GET' && c.req.method !== 'OPTIONS' && foreign && !c.req.path.includes(CALLBACK_PREFIX)) {
      throw new ProblemError('forbidden', 'This origin may not call the checkout proxy.');
    }
    await next();
  });
  app.use(
    '*',
    limitBody(options.maxBodyBytes ?? 16 * 1024, () => problemResponse(new ProblemError('validation', 'The request body is too large.', { status: 413 }))),
  );

  // For the orchestrator: the process answers (`/healthz`); it should get traffic (`/readyz`).
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const { ready, checks } = (await options.ready?.()) ?? { ready: true, checks: {} };
    return c.json({ status: ready ? 'ready' : 'not-ready', checks }, ready ? 200 : 503);
  });
  app.get('/v1/capabilities', (c) => c.json(capabilities));
  const { metrics, metricsToken } = options;
  if (metrics && metricsToken) {
    app.get('/metrics', async (c) => {
      if (!matchesAny(bearerToken(c.req.header('authorization')), [metricsToken])) throw new ProblemError('unauthorized', 'Send the metrics token as Authorization: Bearer <token>.');
      return c.text(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
    });
  }

  mountServerApi(app, { service, idempotent, secretKeys: options.secretKeys, outbox: options.webhooks });
  mountPageApi(app, {
    service,
    checkouts,
    instalments: flow,
    idempotent,
    secretKeys: options.secretKeys,
    limits: {
      lookupPerClient: limiter('lookup-client', lookups.perClient, lookups.windowMs, 'lookups'),
      lookupPerCheckout: limiter('lookup-checkout', lookups.perCheckout, lookups.windowMs, 'lookups'),
      codesPerClient: limiter('code-client', codes.perClient, codes.windowMs, 'codes'),
      wrongCodesPerCustomer: limiter('code-customer', codes.wrongPerCustomer ?? 10, codes.customerWindowMs ?? 3600_000, 'wrong codes for this account'),
      actionsPerClient: limiter('action-client', actions.perClient, actions.windowMs, 'requests'),
      actionsPerCheckout: limiter('action-checkout', actions.perCheckout, actions.windowMs, 'requests for this checkout'),
    },
    trust,
    callbacks: (c, id) => {
      const base = `${publicBase(c)}/v1/callbacks/instalments/${encodeURIComponent(id)}`;
      return { notificationUrl: `${base}/notification`, returnUrl: `${base}/return`, backUrl: `${base}/back` };
    },
    allowedPage: (c, returnUrl) => {
      // The page to come back to: on the proxy's own origin or an allowed merchant origin, never elsewhere (no open redirect).
      const url = new URL(returnUrl);
      if (!allowed.has(url.origin) && url.origin !== new URL(publicBase(c)).origin) {
        throw new ProblemError('validation', 'The return page must be on this shop\'s site.', { errors: [{ field: 'returnUrl', message: 'This site is not allowed.' }] });
      }
      url.hash = '';
      return url.href;
    },
  });
  if (flow && options.instalments) mountProviderCallbacks(app, flow, options.instalments);

  return app;
}
