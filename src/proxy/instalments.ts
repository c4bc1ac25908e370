import type { Context, Hono } from 'hono';
import {
  IDEMPOTENCY_HEADER,
  InstalmentSessionRequest,
  type InstalmentEligibility,
  type InstalmentOffer as PublicOffer,
  type InstalmentPayment,
  type InstalmentPaymentStatus,
  type InstalmentReason,
  type InstalmentSession,
  type InstalmentStatus,
  type Money,
  type PaymentMethod,
} from '../protocol/index.js';
import type { CheckoutService } from './checkout-service.js';
import type { CheckoutRecord, CheckoutStore } from './checkouts.js';
import type { createIdempotencyGuard } from './idempotency/guard.js';
import { parseBody } from './parse-body.js';
import { ProblemError } from './problems.js';
import type { CallContext, InstalmentCustomer, InstalmentOffer, InstalmentProvider } from './providers/provider.js';

/**
 * Pay in instalments (SPEC §2.5, issue 4), combinable with any loyalty/CRM provider:
 *
 * 1. Eligibility is built here, on the server, from the server cart, the amount due (points
 *    applied) and the merchant's customer source. The browser names its checkout, nothing else.
 * 2. Offers go to the browser without the provider's token; the token stays in the checkout
 *    record, tied to the amount due and the customer it was issued for.
 * 3. The payment session is opened for a kept offer that still matches the amount due; a
 *    second request for the same offer (double click, reload, back button) gets the same
 *    session, never a second one, and another offer is refused while one is open.
 * 4. The provider's notification is trusted only once its seal checks out and the payment
 *    result, re-read from the provider, says paid for the amount asked. Only then is the sale
 *    recorded in the loyalty/CRM provider, through `CheckoutService.recordConfirmedSale` with
 *    one idempotency key per payment: a replayed or duplicated notification records nothing
 *    twice. A refused or cancelled payment records nothing and releases the points.
 * 5. The shopper's return (and the back link) re-reads the result the same way, then lands on
 *    the page they left, which restores its state from `GET …/instalments`.
 */

/**
 * The merchant's hook: the full identity the instalment provider scores, for this checkout
 * (e.g. from the shop's account of the customer identified in the loyalty provider).
 * `undefined` when the shop has none yet: the widget then says why no offer is shown.
 */
export type InstalmentCustomerSource = (checkout: CheckoutRecord, ctx: CallContext) => Promise<InstalmentCustomer | undefined>;

/** What the checkout record keeps about instalments (server-side only: offers carry tokens). */
export interface InstalmentRecord {
  /** The last eligible offers, valid while the amount due and the customer are unchanged. */
  check?: { amountDue: Money; customerId?: string; offers: InstalmentOffer[] };
  payment?: InstalmentPaymentRecord;
  /** Payment sessions opened so far: each gets its own order reference. */
  attempts: number;
}

export interface InstalmentPaymentRecord {
  offer: InstalmentOffer;
  /** The order reference the provider knows the payment by. */
  orderRef: string;
  sessionId?: string;
  /** The provider's payment page. */
  url: string;
  /** What the offer finances: the amount due when the session was opened. */
  amountDue: Money;
  /** The merchant page the shopper comes back to. */
  pageUrl: string;
  status: InstalmentPaymentStatus;
  startedAt: number;
}

type IdempotencyGuard = ReturnType<typeof createIdempotencyGuard>;

export interface InstalmentRouteDeps {
  provider?: InstalmentProvider;
  customers?: InstalmentCustomerSource;
  service: CheckoutService;
  checkouts: CheckoutStore;
  idempotent: IdempotencyGuard;
  /** Where the proxy is mounted (for the callback URLs when `publicUrl` is not set). */
  basePath?: string;
  /**
   * The proxy's public address with its mount path (`https://shop.example/checkout-api`), for
   * the URLs the provider calls back. Default: the origin the widget's request came to.
   */
  publicUrl?: string;
  /** Merchant page origins: the only pages (with the proxy's own origin) a shopper is sent back to. */
  allowedOrigins?: string[];
  /** The method the confirmed sale is recorded with in the loyalty/CRM provider (Resamania: `external` = CBWeb). */
  recordAs?: PaymentMethod;
  log?: (message: string, error?: unknown) => void;
}

const ROUTE = '/v1/checkouts/:id/instalments';
/** Still waiting for the provider's decision. */
const ACTIVE: ReadonlySet<InstalmentPaymentStatus> = new Set(['redirected', 'pending']);

/** Paths the provider's servers and the shopper's browser (from the provider's page) call: no origin check. */
export function isInstalmentCallback(path: string): boolean {
  return /\/v1\/checkouts\/[^/]+\/instalments\/callback\/[a-z]+$/.test(path);
}

/** Adds the instalment routes when an instalment provider is configured. */
export function mountInstalmentRoutes(app: Hono, deps: InstalmentRouteDeps): void {
  const { provider } = deps;
  if (!provider) return;
  if (!deps.customers) deps.log?.(`instalments (${provider.id}) are configured without a customer source: no shopper can be checked`);
  const flow = new InstalmentFlow(provider, deps);

  app.get(ROUTE, async (c) => c.json(await flow.status(c.req.param('id'), { signal: c.req.raw.signal })));

  app.post(`${ROUTE}/eligibility`, async (c) => {
    const { signal } = c.req.raw;
    try {
      return c.json(await flow.eligibility(c.req.param('id'), callbacks(c, deps, c.req.param('id')), { signal }));
    } catch (error) {
      // The widget dropped an outdated check (the amount changed again): nobody is waiting.
      if (signal.aborted && !(error instanceof ProblemError)) throw new ProblemError('conflict', 'The check was cancelled.', { status: 499 });
      throw error;
    }
  });

  app.post(`${ROUTE}/payment-session`, async (c) => {
    const id = c.req.param('id');
    const body = await parseBody(c, InstalmentSessionRequest);
    const key = c.req.header(IDEMPOTENCY_HEADER);
    return deps.idempotent({ key, method: 'POST', path: c.req.path, body }, async () => {
      const pageUrl = allowedPage(c, deps, body.returnUrl);
      // Not tied to the browser's connection: once asked for, the session is opened and kept.
      const session = await flow.openSession(id, body.offerId, pageUrl, body.locale, callbacks(c, deps, id), { idempotencyKey: key });
      return Response.json(session, { status: 201 });
    });
  });

  app.post(`${ROUTE}/callback/notification`, async (c) => {
    const fields = new URLSearchParams(await c.req.text());
    // A wrong or missing seal is a 400 and changes nothing.
    const notification = provider.verifyNotification(fields);
    await flow.notified(c.req.param('id'), notification.orderRef);
    // 200 tells the provider to stop sending it; an error (the CRM failing) makes it retry.
    return c.text('OK');
  });

  const land = async (c: Context) => c.redirect(await flow.landed(c.req.param('id') ?? ''), 303);
  app.on(['GET', 'POST'], `${ROUTE}/callback/return`, land);
  app.on(['GET', 'POST'], `${ROUTE}/callback/back`, land);
}

interface Callbacks {
  notificationUrl: string;
  returnUrl: string;
  backUrl: string;
}

class InstalmentFlow {
  readonly #provider: InstalmentProvider;
  readonly #d: InstalmentRouteDeps;

  constructor(provider: InstalmentProvider, deps: InstalmentRouteDeps) {
    this.#provider = provider;
    this.#d = deps;
  }

  async eligibility(id: string, urls: Callbacks, ctx: CallContext): Promise<InstalmentEligibility> {
    const view = await this.#d.service.get(id);
    if (view.status !== 'open') throw new ProblemError('conflict', view.status === 'paid' ? 'This checkout is already paid.' : 'A payment for this checkout is being settled.');
    const record = await this.#record(id);
    const { amountDue } = view;
    const none = (reason: InstalmentReason, detail?: string): InstalmentEligibility => ({ eligible: false, amountDue, offers: [], reason, ...(detail ? { detail } : {}) });
    if (amountDue.amount === 0) return none('nothing-due');
    // No sale is possible before the debt is settled (Resamania): no need to ask the provider.
    if (record.customer?.debt && record.customer.debt.amount > 0) return none('debt');
    const customer = await this.#d.customers?.(record, ctx);
    if (!customer) return none('no-customer');

    let offers: InstalmentOffer[];
    try {
      offers = await this.#provider.eligibility(
        {
          checkoutId: id,
          cart: view.cart,
          customer,
          amountDue,
          // Long-term credit (FLOA 10X) needs the journey's URLs in the eligibility request itself.
          merchantUrls: { returnUrl: urls.returnUrl, backUrl: urls.backUrl, notificationUrl: urls.notificationUrl },
        },
        ctx,
      );
    } catch (error) {
      if (!(error instanceof ProblemError && error.kind === 'rejected')) throw error;
      await this.#keepCheck(record, undefined);
      // A plain decline is one message, about eligibility itself; a KO lists the provider's
      // error texts (mapped to customer fields where they name one) under its own detail.
      const declined = (error.errors ?? []).every((e) => e.field === 'eligibility' && e.message === error.message);
      return none(declined ? 'not-eligible' : 'refused', declined ? error.message : koDetail(error));
    }
    await this.#keepCheck(record, { amountDue, customerId: record.customer?.providerId, offers });
    return { eligible: true, amountDue, offers: offers.map(publicOffer) };
  }

  /** Opens (or finds again) the payment session of a kept offer. */
  async openSession(id: string, offerId: string, pageUrl: string, locale: string | undefined, urls: Callbacks, ctx: CallContext): Promise<InstalmentSession> {
    const before = await this.#record(id);
    const open = before.instalment?.payment;
    // An open session for another offer may be over at the provider (a cancel whose
    // notification has not arrived yet): ask before refusing the new one.
    if (open && ACTIVE.has(open.status) && open.offer.id !== offerId) await this.#confirm(id, {});

    return this.#d.checkouts.withLock(id, async () => {
      const record = await this.#record(id);
      if (record.status === 'paid') throw new ProblemError('conflict', 'This checkout is already paid.');
      if (record.status !== 'open') throw new ProblemError('conflict', 'A payment for this checkout is being settled.');
      if (record.customer?.debt && record.customer.debt.amount > 0) throw new ProblemError('conflict', 'The customer has an outstanding debt to settle first.');
      const view = await this.#d.service.get(id);
      const state = record.instalment ?? { attempts: 0 };
      const current = state.payment;
      if (current && ACTIVE.has(current.status)) {
        // The same offer again (double click, reload, back button): the same session.
        if (current.offer.id === offerId && current.amountDue.amount === view.amountDue.amount) return { url: current.url, payment: publicPayment(current) };
        throw new ProblemError('conflict', 'A payment in instalments is already open for this order: finish or cancel it on the payment page first.', {
          errors: [{ field: 'offerId', message: 'Another payment is open.' }],
        });
      }
      const offer = state.check?.offers.find((o) => o.id === offerId);
      if (!offer || !sameCheck(state.check!, record, view.amountDue)) {
        throw new ProblemError('conflict', 'This offer is out of date: check eligibility again.', { errors: [{ field: 'offerId', message: 'Out of date.' }] });
      }
      const customer = await this.#d.customers?.(record, ctx);
      if (!customer) throw new ProblemError('conflict', 'The shop has no customer details for this order any more.');
      const attempts = state.attempts + 1;
      // FLOA's long-term credit (10X) continues the eligibility's own order, whose reference is the checkout's.
      const orderRef = offer.longTermCreditUrl ? id : `${id}-${attempts}`;
      const session = await this.#provider.createPaymentSession(
        {
          offer,
          orderRef,
          amountDue: view.amountDue,
          returnUrl: urls.returnUrl,
          backUrl: urls.backUrl,
          homeUrl: `${new URL(pageUrl).origin}/`,
          notificationUrl: urls.notificationUrl,
          customer,
          ...(locale ? { locale } : {}),
        },
        ctx,
      );
      const payment: InstalmentPaymentRecord = {
        offer,
        orderRef: session.orderRef,
        ...(session.sessionId ? { sessionId: session.sessionId } : {}),
        url: session.url,
        amountDue: view.amountDue,
        pageUrl,
        status: 'redirected',
        startedAt: Date.now(),
      };
      // The offer's token is spent: a later payment needs a new check.
      await this.#d.checkouts.save({ ...record, instalment: { attempts, payment } });
      return { url: session.url, payment: publicPayment(payment) };
    });
  }

  /** A sealed notification for this checkout's payment `orderRef`. */
  async notified(id: string, orderRef: string): Promise<void> {
    const record = await this.#d.checkouts.get(id);
    const payment = record?.instalment?.payment;
    if (!payment || payment.orderRef !== orderRef) throw new ProblemError('not-found', 'This checkout has no payment with this order reference.');
    await this.#confirm(id, {});
  }

  /** The shopper is back from the provider's page: settle what can be, then send them to their page. */
  async landed(id: string): Promise<string> {
    const record = await this.#d.checkouts.get(id);
    const payment = record?.instalment?.payment;
    if (!payment) throw new ProblemError('not-found', 'This checkout has no payment in instalments.');
    try {
      await this.#confirm(id, {});
    } catch (error) {
      // The page shows the payment as waiting and checks again; the notification may still come.
      this.#d.log?.(`instalment payment of checkout ${id}: confirmation on return failed`, error);
    }
    return payment.pageUrl;
  }

  /** What a reload or a return restores. An open payment is checked with the provider first. */
  async status(id: string, ctx: CallContext): Promise<InstalmentStatus> {
    let record = await this.#record(id);
    if (record.instalment?.payment && ACTIVE.has(record.instalment.payment.status)) {
      try {
        await this.#confirm(id, ctx);
      } catch (error) {
        // The provider or the CRM is unreachable: show the payment as still waiting.
        if (!(error instanceof ProblemError && error.retryable)) throw error;
      }
      record = await this.#record(id);
    }
    const view = await this.#d.service.get(id);
    const { check, payment } = record.instalment ?? { attempts: 0 };
    const fresh = view.status === 'open' && check && sameCheck(check, record, view.amountDue);
    return {
      eligibility: fresh ? { eligible: true, amountDue: check.amountDue, offers: check.offers.map(publicOffer) } : null,
      payment: payment ? publicPayment(payment) : null,
    };
  }

  /**
   * Reads the open payment's result from the provider and acts on it: paid → the sale is
   * recorded once; refused/cancelled → nothing recorded, points released; else still waiting.
   */
  async #confirm(id: string, ctx: CallContext): Promise<void> {
    const record = await this.#record(id);
    const payment = record.instalment?.payment;
    if (!payment || !ACTIVE.has(payment.status)) return;
    const result = await this.#provider.paymentResult(payment.sessionId ?? { orderRef: payment.orderRef, merchantSiteId: payment.offer.merchantSiteId }, ctx);
    if (result.status === 'paid') {
      if (result.amount.amount !== payment.offer.total.amount || result.amount.currency !== payment.offer.total.currency) {
        this.#d.log?.(`instalment payment ${payment.orderRef}: paid ${result.amount.amount} instead of ${payment.offer.total.amount}; not recorded, to review`);
        await this.#mark(id, payment.orderRef, 'review');
        return;
      }
      try {
        // One key per confirmed payment: a replay gets the recorded sale back, nothing twice.
        await this.#d.service.recordConfirmedSale(id, this.#d.recordAs ?? 'external', { idempotencyKey: `instalment-${payment.orderRef}` }, payment.amountDue.amount);
      } catch (error) {
        // A definite refusal (the order changed meanwhile, the CRM refused the sale): the money
        // was taken, so the shop must look at it. A transient failure is retried by the
        // provider's next notification, the shopper's return or a status check.
        if (error instanceof ProblemError && !error.retryable && error.kind !== 'payment-outcome-unknown') {
          this.#d.log?.(`instalment payment ${payment.orderRef} is paid but the sale could not be recorded; to review`, error);
          await this.#mark(id, payment.orderRef, 'review');
          return;
        }
        throw error;
      }
      await this.#mark(id, payment.orderRef, 'paid');
    } else if (result.status === 'refused' || result.status === 'cancelled') {
      if (await this.#mark(id, payment.orderRef, result.status)) await this.#releasePoints(id);
    } else {
      await this.#mark(id, payment.orderRef, 'pending');
    }
  }

  /** Moves the payment `orderRef` to `status` unless it is already decided; true when this call decided it. */
  #mark(id: string, orderRef: string, status: InstalmentPaymentStatus): Promise<boolean> {
    return this.#d.checkouts.withLock(id, async () => {
      const record = await this.#record(id);
      const state = record.instalment;
      if (!state?.payment || state.payment.orderRef !== orderRef || !ACTIVE.has(state.payment.status) || state.payment.status === status) return false;
      await this.#d.checkouts.save({ ...record, instalment: { ...state, payment: { ...state.payment, status } } });
      return !ACTIVE.has(status);
    });
  }

  /** After a refused or cancelled payment: the points chosen for it are free again (hold released). */
  async #releasePoints(id: string): Promise<void> {
    const record = await this.#record(id);
    if (record.status !== 'open' || record.spend === 0 || !record.customer) return;
    try {
      await this.#d.service.setSpend(id, 0, {});
    } catch (error) {
      // Holds lapse on their own at the provider (≤ 10 min for the Russian API): log, go on.
      this.#d.log?.(`points of checkout ${id} not released after a refused instalment payment`, error);
    }
  }

  /** Keeps the offers of a check, unless the checkout changed while the provider answered. */
  #keepCheck(snapshot: CheckoutRecord, check: InstalmentRecord['check']): Promise<void> {
    return this.#d.checkouts.withLock(snapshot.id, async () => {
      const record = await this.#record(snapshot.id);
      const unchanged =
        record.status === 'open' &&
        record.spend === snapshot.spend &&
        record.quote?.discount.amount === snapshot.quote?.discount.amount &&
        record.customer?.providerId === snapshot.customer?.providerId;
      if (!unchanged) return;
      const state = record.instalment ?? { attempts: 0 };
      await this.#d.checkouts.save({ ...record, instalment: { ...state, check } });
    });
  }

  async #record(id: string): Promise<CheckoutRecord> {
    const record = await this.#d.checkouts.get(id);
    if (!record) throw new ProblemError('not-found', 'This checkout does not exist or has expired.');
    return record;
  }
}

/** The provider's KO texts once each: one site per option repeats them, with its own request id. */
function koDetail(error: ProblemError): string {
  const seen = new Map<string, string>();
  for (const { message } of error.errors ?? []) if (!seen.has(message.replace(/\d+/g, '#'))) seen.set(message.replace(/\d+/g, '#'), message);
  return [...seen.values()].join(' ') || error.message;
}

/** Offers are valid for the amount due and the customer they were made for. */
function sameCheck(check: NonNullable<InstalmentRecord['check']>, record: CheckoutRecord, amountDue: Money): boolean {
  return check.amountDue.amount === amountDue.amount && check.amountDue.currency === amountDue.currency && check.customerId === record.customer?.providerId;
}

/** What the shopper sees of an offer: never the token or the provider's ids. */
function publicOffer(offer: InstalmentOffer): PublicOffer {
  const { id, label, kind, instalments, fees, total, schedule } = offer;
  return { id, label, kind, instalments, fees, total, schedule };
}

function publicPayment(payment: InstalmentPaymentRecord): InstalmentPayment {
  return { status: payment.status, offer: publicOffer(payment.offer), ...(ACTIVE.has(payment.status) ? { url: payment.url } : {}) };
}

/** The URLs the provider calls back for this checkout. */
function callbacks(c: Context, deps: InstalmentRouteDeps, id: string): Callbacks {
  const base = `${publicBase(c, deps)}/v1/checkouts/${encodeURIComponent(id)}/instalments/callback`;
  return { notificationUrl: `${base}/notification`, returnUrl: `${base}/return`, backUrl: `${base}/back` };
}

function publicBase(c: Context, deps: InstalmentRouteDeps): string {
  if (deps.publicUrl) return deps.publicUrl.replace(/\/+$/, '');
  return new URL(c.req.url).origin + (deps.basePath ?? '/').replace(/\/+$/, '');
}

/** The page to come back to: on the proxy's own origin or an allowed merchant origin, never elsewhere (no open redirect). */
function allowedPage(c: Context, deps: InstalmentRouteDeps, returnUrl: string): string {
  const url = new URL(returnUrl);
  const allowed = new Set([...(deps.allowedOrigins ?? []), new URL(publicBase(c, deps)).origin]);
  if (!allowed.has(url.origin)) {
    throw new ProblemError('validation', 'The return page must be on this shop\'s site.', { errors: [{ field: 'returnUrl', message: 'This site is not allowed.' }] });
  }
  url.hash = '';
  return url.href;
}
