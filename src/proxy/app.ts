import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import * as z from 'zod/mini';
import { IDEMPOTENCY_HEADER, type Capabilities } from '../protocol/index.js';
import { CreateCheckoutRequest, LookupRequest, PaymentRequest, SpendRequest } from '../protocol/requests.js';
import type { CartSource } from './carts.js';
import { CheckoutService } from './checkout-service.js';
import { MemoryCheckoutStore, type CheckoutStore } from './checkouts.js';
import { createIdempotencyGuard, problemResponse } from './idempotency/guard.js';
import { MemoryIdempotencyStore, type IdempotencyStore } from './idempotency/store.js';
import { parseBody } from './parse-body.js';
import { ProblemError } from './problems.js';
import type { PrivacyOptions } from './privacy.js';
import type { InstalmentProvider, LoyaltyProvider } from './providers/provider.js';
import { createRateLimiter } from './rate-limit.js';
import { isInstalmentCallback, mountInstalmentRoutes, type InstalmentCustomerSource } from './instalments.js';

// Readable validation messages on the server ("expected string, received undefined"); the
// browser bundle does without them to stay small.
z.config(z.locales.en());

export interface CheckoutProxyOptions {
  /** Path the proxy is mounted at (`/checkout-api`); the widget's `endpoint` points here. */
  basePath?: string;
  loyalty: LoyaltyProvider;
  instalments?: InstalmentProvider;
  /** The full identity the instalment provider scores, for a checkout (the merchant's hook; see `instalments.ts`). */
  instalmentCustomers?: InstalmentCustomerSource;
  /** The proxy's public address with its mount path, for provider callbacks; default: the request's origin. */
  publicUrl?: string;
  carts: CartSource;
  checkouts?: CheckoutStore;
  idempotency?: IdempotencyStore;
  /** Merchant page origins allowed to call the proxy from a browser (exact matches). */
  allowedOrigins?: string[];
  privacy?: PrivacyOptions;
  /** Lookups allowed per client IP and per checkout in a window. */
  lookupRateLimit?: { perClient: number; perCheckout: number; windowMs: number };
  /** How long after an unknown payment outcome an unchanged balance may be read as "not recorded". */
  unknownOutcomeSettleMs?: number;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /** Resolves the client's IP (the Node entry passes the socket address). */
  clientIp?: (c: Context) => string | undefined;
  log?: (message: string, error?: unknown) => void;
}

/**
 * The checkout proxy as a Hono app: a web-standard `fetch(Request) → Response` handler that
 * any runtime can mount (see `server.ts` for Node). All routes live under `/v1`.
 */
export function createCheckoutProxy(options: CheckoutProxyOptions): Hono {
  const checkouts = options.checkouts ?? new MemoryCheckoutStore();
  const service = new CheckoutService({
    carts: options.carts,
    checkouts,
    loyalty: options.loyalty,
    privacy: options.privacy,
    log: options.log,
    unknownOutcomeSettleMs: options.unknownOutcomeSettleMs,
  });
  const idempotent = createIdempotencyGuard({ store: options.idempotency ?? new MemoryIdempotencyStore() });
  const allowed = new Set(options.allowedOrigins ?? []);
  const limits = options.lookupRateLimit ?? { perClient: 30, perCheckout: 10, windowMs: 60_000 };
  const clientLimiter = createRateLimiter({ limit: limits.perClient, windowMs: limits.windowMs });
  const checkoutLimiter = createRateLimiter({ limit: limits.perCheckout, windowMs: limits.windowMs });
  const capabilities: Capabilities = {
    version: 'v1',
    loyalty: options.loyalty.capabilities,
    instalments: options.instalments ? { provider: options.instalments.id } : null,
  };

  const app = new Hono().basePath(options.basePath ?? '/');
  app.onError((error, c) => {
    if (!(error instanceof ProblemError)) options.log?.(`unhandled error on ${c.req.method} ${c.req.path}`, error);
    return problemResponse(error);
  });
  app.notFound(() => problemResponse(new ProblemError('not-found', 'No such route.')));

  app.use(
    '*',
    cors({
      // An exact allow-list: never `*`, never the caller's origin reflected back.
      origin: (origin) => (allowed.has(origin) ? origin : null),
      allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowHeaders: ['content-type', IDEMPOTENCY_HEADER],
      exposeHeaders: ['Idempotency-Replayed', 'Retry-After'],
      maxAge: 600,
    }),
  );
  app.use('*', async (c, next) => {
    // A browser on a page we do not serve must not change a checkout (CSRF-style abuse).
    const origin = c.req.header('origin');
    // Without an Origin, the browser's own word that the call comes from another site counts.
    const foreign = origin ? !allowed.has(origin) && origin !== new URL(c.req.url).origin : c.req.header('sec-fetch-site') === 'cross-site';
    // Provider callbacks come from the provider's servers and its payment page: they prove themselves (seal, re-read result).
    if (c.req.method !== 'GET' && c.req.method !== 'OPTIONS' && foreign && !isInstalmentCallback(c.req.path)) {
      throw new ProblemError('validation', 'This origin may not call the checkout proxy.', { status: 403 });
    }
    await next();
  });
  app.use(
    '*',
    bodyLimit({
      maxSize: options.maxBodyBytes ?? 16 * 1024,
      onError: () => problemResponse(new ProblemError('validation', 'The request body is too large.', { status: 413 })),
    }),
  );

  app.get('/v1/capabilities', (c) => c.json(capabilities));

  app.post('/v1/checkouts', async (c) => {
    const body = await parseBody(c, CreateCheckoutRequest);
    return c.json(await service.create(body.cartId), 201);
  });

  app.get('/v1/checkouts/:id', async (c) => c.json(await service.get(c.req.param('id'))));

  app.post('/v1/checkouts/:id/customer', async (c) => {
    const id = c.req.param('id');
    const body = await parseBody(c, LookupRequest);
    // Lookup is public and can enumerate a loyalty base: limit per client and per checkout.
    clientLimiter.take(options.clientIp?.(c) ?? 'unknown');
    checkoutLimiter.take(id);
    return c.json(await service.identify(id, body.query, { signal: c.req.raw.signal }));
  });

  app.get('/v1/checkouts/:id/catalog', async (c) => {
    const offers = await service.catalog(c.req.param('id'), { signal: c.req.raw.signal });
    // Only what the page shows: the provider's product ids stay on the server.
    return c.json({ offers: offers.map(({ id, name, productName, category, price, needsStartDate }) => ({ id, name, productName, category, price, needsStartDate })) });
  });

  app.delete('/v1/checkouts/:id/customer', async (c) => c.json(await service.clearCustomer(c.req.param('id'))));

  app.put('/v1/checkouts/:id/spend', async (c) => {
    const body = await parseBody(c, SpendRequest);
    return c.json(await service.setSpend(c.req.param('id'), body.amount, { signal: c.req.raw.signal }));
  });

  app.post('/v1/checkouts/:id/payments', async (c) => {
    const body = await parseBody(c, PaymentRequest);
    const key = c.req.header(IDEMPOTENCY_HEADER);
    return idempotent({ key, method: 'POST', path: c.req.path, body }, async () => {
      // Not tied to the browser's connection: once started, a payment runs to its end.
      const checkout = await service.pay(c.req.param('id'), body.method, { idempotencyKey: key }, undefined, { cheque: body.cheque, cardNetwork: body.cardNetwork });
      return Response.json(checkout, { status: 201 });
    });
  });

  mountInstalmentRoutes(app, { provider: options.instalments, customers: options.instalmentCustomers, service, checkouts, idempotent, basePath: options.basePath, publicUrl: options.publicUrl, allowedOrigins: options.allowedOrigins, log: options.log });

  return app;
}
