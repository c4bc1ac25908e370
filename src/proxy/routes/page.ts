import type { Context, Hono } from 'hono';
import { IDEMPOTENCY_HEADER, InstalmentSessionRequest, TILL_HEADER } from '../../protocol/index.js';
import { LookupRequest, PaymentRequest, SpendRequest, VerificationRequest } from '../../protocol/requests.js';
import * as z from 'zod/mini';
import { bearerToken, matchesAny, verifyTillCredential } from '../auth/secrets.js';
import type { CheckoutStore } from '../checkout/record.js';
import type { Actor, CheckoutService } from '../checkout/service.js';
import type { IdempotencyGuard } from '../idempotency/guard.js';
import type { Callbacks, InstalmentFlow } from '../instalments/flow.js';
import { parseBody } from '../parse-body.js';
import { ProblemError } from '../problems.js';
import type { createRateLimiter } from '../rate-limits.js';
import { clientIp, type RequestTrust } from './request.js';

type Limiter = ReturnType<typeof createRateLimiter>;

export interface PageApiDeps {
  service: CheckoutService;
  checkouts: CheckoutStore;
  instalments?: InstalmentFlow;
  idempotent: IdempotencyGuard;
  /** The shop's secret keys: they sign till credentials. */
  secretKeys: readonly string[];
  limits: {
    lookupPerClient: Limiter;
    lookupPerCheckout: Limiter;
    codesPerClient: Limiter;
    wrongCodesPerCustomer: Limiter;
    actionsPerClient: Limiter;
    actionsPerCheckout: Limiter;
  };
  trust: RequestTrust;
  /** The URLs the instalment provider calls back for a checkout. */
  callbacks: (c: Context, id: string) => Callbacks;
  /** Where a shopper may be sent back to after the provider's page (no open redirect). */
  allowedPage: (c: Context, url: string) => string;
}

const RequestPaymentBody = z.object({ amount: z.int().check(z.minimum(0)) });
const unauthorized = () => new ProblemError('unauthorized', 'This checkout does not exist, or this client secret does not open it.');

/**
 * The shopper's page (SPEC §4a): public, so every call proves which checkout it may touch with
 * that checkout's client secret (`Authorization: Bearer`). An unknown checkout and a wrong
 * secret get the same 401, so ids cannot be probed. A till adds its staff credential
 * (`Checkout-Till-Credential`): it may then record cash, cheque and card, and its lookups count
 * as proof of ownership (the card is in the cashier's hand).
 */
export function mountPageApi(app: Hono, deps: PageApiDeps): void {
  const { service } = deps;

  /** The checkout id the caller may act on, and who the caller is. */
  const authorize = async (c: Context): Promise<{ id: string; actor: Actor }> => {
    const id = c.req.param('id') ?? '';
    const secret = bearerToken(c.req.header('authorization'));
    const record = await deps.checkouts.get(id);
    // Compared in constant time either way, so a missing checkout answers like a wrong secret.
    if (!matchesAny(secret, [record?.clientSecret ?? 'no checkout']) || !record) throw unauthorized();
    const credential = c.req.header(TILL_HEADER);
    if (credential === undefined) return { id, actor: { kind: 'page' } };
    const till = verifyTillCredential(credential, deps.secretKeys);
    if (!till) throw new ProblemError('unauthorized', 'This till credential is not valid (or has expired): ask the shop\'s server for a new one.');
    // Till-scoped: staff act only on the checkouts rung up at their own till.
    if (record.till !== till) throw new ProblemError('forbidden', 'This checkout is not rung up at this till.');
    return { id, actor: { kind: 'till', till } };
  };
  const ctx = (c: Context) => ({ signal: c.req.raw.signal });
  /** Authorizes a call that reaches a provider or a payment, and counts it (per checkout, per client IP). */
  const authorizeAction = async (c: Context): Promise<{ id: string; actor: Actor }> => {
    const caller = await authorize(c);
    await deps.limits.actionsPerCheckout.take(caller.id);
    await deps.limits.actionsPerClient.take(clientIp(c, deps.trust));
    return caller;
  };

  app.get('/v1/checkouts/:id', async (c) => {
    const { id } = await authorize(c);
    return c.json(await service.get(id));
  });

  app.post('/v1/checkouts/:id/customer', async (c) => {
    const { id, actor } = await authorize(c);
    const body = await parseBody(c, LookupRequest);
    // Lookup can enumerate a loyalty base: limited per client and per checkout.
    await deps.limits.lookupPerClient.take(clientIp(c, deps.trust));
    await deps.limits.lookupPerCheckout.take(id);
    return c.json(await service.identify(id, body.query, actor, ctx(c)));
  });

  app.delete('/v1/checkouts/:id/customer', async (c) => {
    const { id } = await authorizeAction(c);
    return c.json(await service.clearCustomer(id));
  });

  app.post('/v1/checkouts/:id/customer/verification', async (c) => {
    const { id } = await authorize(c);
    const body = await parseBody(c, VerificationRequest);
    // A code is guessed by trying: limited per client, per customer across every checkout
    // (a new checkout, or "not you?" and the same lookup again, buys no new tries), and per
    // customer and checkout in the service.
    await deps.limits.codesPerClient.take(clientIp(c, deps.trust));
    // The per-customer count is kept by the service, under the checkout's lock, for the customer
    // the code is checked against (never for whoever the page had identified a moment before).
    return c.json(await service.verify(id, body.code, ctx(c), deps.limits.wrongCodesPerCustomer));
  });

  app.get('/v1/checkouts/:id/catalog', async (c) => {
    const { id } = await authorizeAction(c);
    const offers = await service.catalog(id, ctx(c));
    // Only what the page shows: the provider's product ids stay on the server.
    return c.json({ offers: offers.map(({ id, name, productName, category, price, needsStartDate }) => ({ id, name, productName, category, price, needsStartDate })) });
  });

  app.put('/v1/checkouts/:id/spend', async (c) => {
    const { id, actor } = await authorizeAction(c);
    const body = await parseBody(c, SpendRequest);
    return c.json(await service.setSpend(id, body.amount, actor, ctx(c)));
  });

  app.post('/v1/checkouts/:id/payment-request', async (c) => {
    const { id } = await authorizeAction(c);
    const body = await parseBody(c, RequestPaymentBody);
    return c.json(await service.requestPayment(id, body.amount, ctx(c)));
  });

  app.delete('/v1/checkouts/:id/payment-request', async (c) => {
    const { id } = await authorizeAction(c);
    return c.json(await service.cancelPaymentRequest(id));
  });

  app.post('/v1/checkouts/:id/payments', async (c) => {
    const { id, actor } = await authorizeAction(c);
    const body = await parseBody(c, PaymentRequest);
    const key = c.req.header(IDEMPOTENCY_HEADER);
    await service.refuseEarly(id, body, actor);
    // Keys are scoped to the checkout: one page cannot spoil another checkout's (or the shop's) keys.
    return deps.idempotent({ key, scope: `page:${id}`, method: 'POST', path: c.req.path, body }, async () => {
      // Not tied to the browser's connection: once started, a payment runs to its end.
      const checkout = await service.pay(id, body, actor, { idempotencyKey: key });
      return Response.json(checkout, { status: 201 });
    });
  });

  const flow = deps.instalments;
  if (!flow) return;
  const base = '/v1/checkouts/:id/instalments';

  app.get(base, async (c) => {
    const { id } = await authorizeAction(c);
    return c.json(await flow.status(id, ctx(c)));
  });

  app.post(`${base}/eligibility`, async (c) => {
    const { id } = await authorizeAction(c);
    const { signal } = c.req.raw;
    try {
      return c.json(await flow.eligibility(id, deps.callbacks(c, id), { signal }));
    } catch (error) {
      // The widget dropped an outdated check (the amount changed again): nobody is waiting.
      if (signal.aborted && !(error instanceof ProblemError)) throw new ProblemError('conflict', 'The check was cancelled.', { status: 499 });
      throw error;
    }
  });

  app.post(`${base}/payment-session`, async (c) => {
    const { id } = await authorizeAction(c);
    const body = await parseBody(c, InstalmentSessionRequest);
    const key = c.req.header(IDEMPOTENCY_HEADER);
    return deps.idempotent({ key, scope: `page:${id}`, method: 'POST', path: c.req.path, body }, async () => {
      const pageUrl = deps.allowedPage(c, body.returnUrl);
      // Not tied to the browser's connection: once asked for, the session is opened and kept.
      const session = await flow.openSession(id, body.offerId, pageUrl, body.locale, deps.callbacks(c, id), { idempotencyKey: key });
      return Response.json(session, { status: 201 });
    });
  });

  app.post(`${base}/payment-session/abandon`, async (c) => {
    const { id } = await authorizeAction(c);
    return c.json(await flow.abandon(id, ctx(c)));
  });
}
