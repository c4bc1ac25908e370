import type {
  InstalmentEligibility,
  InstalmentOffer as PublicOffer,
  InstalmentPayment,
  InstalmentPaymentStatus,
  InstalmentReason,
  InstalmentSession,
  InstalmentStatus,
  Money,
} from '../../protocol/index.js';
import type { CheckoutService } from '../checkout/service.js';
import { setAside, type CheckoutRecord, type CheckoutStore, type InstalmentPaymentRecord, type InstalmentRecord } from '../checkout/record.js';
import { owe } from '../checkout/owed-events.js';
import { ProblemError } from '../problems.js';
import type { CallContext, InstalmentCustomer, InstalmentOffer, InstalmentProvider } from '../providers/provider.js';

/**
 * Pay in instalments (SPEC §2.5), combinable with any loyalty/CRM provider, guests included:
 *
 * 1. Eligibility is built here, on the server, from the server cart, the amount due (points
 *    applied) and the identity the shop's server passed with the checkout (or the merchant's
 *    customer source hook). The browser names its checkout, nothing else.
 * 2. Offers go to the browser without the provider's token; the token stays in the checkout
 *    record, tied to the amount due and the customer it was issued for.
 * 3. The payment session is opened for a kept offer that still matches the amount due; a
 *    second request for the same offer (double click, reload, back button) gets the same
 *    session, never a second one, and another offer is refused while one is open. The shopper
 *    can give up on an open session (or it times out): the checkout is free again, and a late
 *    "paid" for it goes to review rather than being recorded beside another payment. The last
 *    sessions set aside are kept, so a late "paid" for one of them (a tab left open) is still
 *    re-read and told to the shop (`checkout.review`), even once the checkout is paid.
 * 4. The provider's notification is trusted only once its seal checks out and the payment
 *    result, re-read from the provider, says paid for the amount asked. Only then is the sale
 *    recorded in the loyalty/CRM provider (`CheckoutService.recordConfirmedSale`, one key per
 *    payment): a replayed notification records nothing twice. Money collected whose sale
 *    cannot be recorded goes to review, and the shop is told by webhook.
 * 5. The shopper's return (and the back link) re-reads the result the same way, then lands on
 *    the page they left, which restores its state from `GET …/instalments`.
 */

/**
 * The merchant's hook, for a proxy mounted in code: the full identity the instalment provider
 * scores, for this checkout. Used when the shop's server passed no `instalmentIdentity` with
 * the checkout. `undefined` when the shop has none: the widget then says why no offer is shown.
 */
export type InstalmentCustomerSource = (checkout: CheckoutRecord, ctx: CallContext) => Promise<InstalmentCustomer | undefined>;

export interface InstalmentFlowOptions {
  provider: InstalmentProvider;
  customers?: InstalmentCustomerSource;
  service: CheckoutService;
  checkouts: CheckoutStore;
  /** How long an opened payment session blocks the checkout before it counts as abandoned (default 1 h). */
  sessionTimeoutMs?: number;
  log?: (message: string, error?: unknown) => void;
}

/** The URLs the provider calls back for one checkout (built by the routes from the public address). */
export interface Callbacks {
  notificationUrl: string;
  returnUrl: string;
  backUrl: string;
}

/** Still waiting for the provider's decision. */
const ACTIVE: ReadonlySet<InstalmentPaymentStatus> = new Set(['redirected', 'pending']);

export class InstalmentFlow {
  readonly #provider: InstalmentProvider;
  readonly #d: InstalmentFlowOptions;

  constructor(options: InstalmentFlowOptions) {
    this.#provider = options.provider;
    this.#d = options;
  }

  get providerId(): string {
    return this.#provider.id;
  }

  async eligibility(id: string, urls: Callbacks, ctx: CallContext): Promise<InstalmentEligibility> {
    const view = await this.#d.service.get(id);
    if (view.status !== 'open') throw new ProblemError('conflict', `This checkout is ${view.status}.`);
    const record = await this.#record(id);
    const { amountDue } = view;
    const none = (reason: InstalmentReason, detail?: string): InstalmentEligibility => ({ eligible: false, amountDue, offers: [], reason, ...(detail ? { detail } : {}) });
    if (amountDue.amount === 0) return none('nothing-due');
    // No sale is possible before the debt is settled (Resamania): no need to ask the provider.
    if (record.customer?.debt && record.customer.debt.amount > 0) return none('debt');
    // A provider whose sale needs a customer (a club) cannot record a guest's order.
    if (!record.customer && this.#d.service.loyalty.capabilities.customerRequired) return none('no-customer');
    if (record.customer && !record.proof && !record.instalmentIdentity) return none('unverified');
    const customer = await this.#customer(record, ctx);
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
    const open = this.#openPayment(before);
    // An open session for another offer may be over at the provider (a cancel whose
    // notification has not arrived yet): ask before refusing the new one.
    if (open && open.offer.id !== offerId) await this.#confirm(id, {});

    return this.#d.checkouts.withLock(id, async () => {
      const record = await this.#record(id);
      if (record.status !== 'open') throw new ProblemError('conflict', `This checkout is ${record.status}.`);
      if (record.customer?.debt && record.customer.debt.amount > 0) throw new ProblemError('conflict', 'The customer has an outstanding debt to settle first.');
      const view = await this.#d.service.get(id);
      const state = record.instalment ?? { attempts: 0 };
      const current = this.#openPayment(record);
      if (current) {
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
      const customer = await this.#customer(record, ctx);
      if (!customer) throw new ProblemError('conflict', 'The shop has no customer details for this order any more.');
      // A sale the loyalty/CRM provider would refuse is refused before the shopper pays on the provider's page.
      await this.#d.service.prepareForPayment(id, ctx);
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
      // The session set aside stays known: its tab may still be open at the provider.
      await this.#d.checkouts.save({ ...record, instalment: { attempts, ...setAside(state), payment } });
      return { url: session.url, payment: publicPayment(payment) };
    });
  }

  /**
   * The shopper gives up on the open payment page (back on the shop's page, "pay another
   * way"): the provider is asked first — a payment already decided is settled as usual —
   * otherwise the checkout is free again and a late "paid" goes to review.
   */
  async abandon(id: string, ctx: CallContext): Promise<InstalmentStatus> {
    try {
      await this.#confirm(id, ctx);
    } catch (error) {
      if (!(error instanceof ProblemError && error.retryable)) throw error;
    }
    await this.#d.checkouts.withLock(id, async () => {
      const record = await this.#record(id);
      const payment = record.instalment?.payment;
      if (!payment || !ACTIVE.has(payment.status) || payment.abandoned) return;
      await this.#d.checkouts.save({ ...record, instalment: { ...record.instalment!, payment: { ...payment, abandoned: true, status: 'cancelled' } } });
    });
    return this.status(id, ctx);
  }

  /** A sealed notification for this checkout's payment `orderRef` (the current session or one set aside). */
  async notified(id: string, orderRef: string): Promise<void> {
    const record = await this.#d.checkouts.get(id);
    if (record?.instalment?.payment?.orderRef === orderRef) return this.#confirm(id, {});
    const earlier = record?.instalment?.earlier?.findLast((payment) => payment.orderRef === orderRef);
    if (!earlier) throw new ProblemError('not-found', 'This checkout has no payment with this order reference.');
    await this.#confirmEarlier(id, earlier, {});
  }

  /** The shopper is back from the provider's page (maybe one set aside): settle what can be, then send them to their page. */
  async landed(id: string): Promise<string> {
    const record = await this.#d.checkouts.get(id);
    const { payment, earlier = [] } = record?.instalment ?? {};
    const last = payment ?? earlier.at(-1);
    if (!last) throw new ProblemError('not-found', 'This checkout has no payment in instalments.');
    try {
      if (payment) await this.#confirm(id, {});
      for (const session of earlier) if (undecided(session)) await this.#confirmEarlier(id, session, {});
    } catch (error) {
      // The page shows the payment as waiting and checks again; the notification may still come.
      this.#d.log?.(`instalment payment of checkout ${id}: confirmation on return failed`, error);
    }
    return last.pageUrl;
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
   * Reads the payment's result from the provider and acts on it: paid → the sale is recorded
   * once (or, for an abandoned session or a cancelled checkout, sent to review); refused or
   * cancelled → nothing recorded, points released, the shop told; else still waiting.
   */
  async #confirm(id: string, ctx: CallContext): Promise<void> {
    const record = await this.#record(id);
    const payment = record.instalment?.payment;
    if (!payment || !(ACTIVE.has(payment.status) || payment.abandoned) || payment.status === 'review' || payment.status === 'paid') return;
    const result = await this.#provider.paymentResult(payment.sessionId ?? { orderRef: payment.orderRef, merchantSiteId: payment.offer.merchantSiteId }, ctx);
    if (result.status === 'paid') {
      if (result.amount.amount !== payment.offer.total.amount || result.amount.currency !== payment.offer.total.currency) {
        return this.#review(id, payment, `paid ${result.amount.amount} instead of ${payment.offer.total.amount}`);
      }
      if (payment.abandoned || record.status === 'cancelled') return this.#review(id, payment, 'paid after the shopper gave up on it (or the shop cancelled the checkout)', undefined, result.amount);
      const idempotencyKey = `instalment-${payment.orderRef}`;
      try {
        // One key per confirmed payment: a replay gets the recorded sale back, nothing twice.
        await this.#d.service.recordConfirmedSale(id, 'external', { idempotencyKey }, payment.amountDue.amount);
      } catch (error) {
        // A definite refusal (the order changed meanwhile, the CRM refused the sale): the money
        // was taken, so the shop must look at it. A transient failure is retried by the
        // provider's next notification, the shopper's return or a status check.
        if (error instanceof ProblemError && !error.retryable && error.kind !== 'payment-outcome-unknown') {
          if (await this.#reviewedWithSale(id, payment.orderRef, idempotencyKey)) return;
          return this.#review(id, payment, 'paid but the sale could not be recorded', error);
        }
        throw error;
      }
      await this.#mark(id, payment.orderRef, 'paid');
    } else if (payment.abandoned) {
      // Given up on, and not paid: nothing more to do.
    } else if (result.status === 'refused' || result.status === 'cancelled') {
      if (await this.#mark(id, payment.orderRef, result.status)) {
        await this.#releasePoints(id);
        await this.#d.service.deliverPendingEvents(id);
      }
    } else if (Date.now() - payment.startedAt > (this.#d.sessionTimeoutMs ?? 3600_000)) {
      // Undecided for too long: the checkout is freed; a late "paid" goes to review.
      await this.#d.checkouts.withLock(id, async () => {
        const current = await this.#record(id);
        const open = current.instalment?.payment;
        if (open?.orderRef === payment.orderRef && ACTIVE.has(open.status)) await this.#d.checkouts.save({ ...current, instalment: { ...current.instalment!, payment: { ...open, abandoned: true } } });
      });
    } else {
      await this.#mark(id, payment.orderRef, 'pending');
    }
  }

  /**
   * A session set aside (a new session replaced it, or a new cart): its result is re-read from
   * the provider. Paid → money collected for a checkout that moved on: to review, the shop told.
   * Refused or cancelled there → kept as decided, never asked again. Else still waiting.
   */
  async #confirmEarlier(id: string, payment: InstalmentPaymentRecord, ctx: CallContext): Promise<void> {
    if (!undecided(payment)) return;
    const result = await this.#provider.paymentResult(payment.sessionId ?? { orderRef: payment.orderRef, merchantSiteId: payment.offer.merchantSiteId }, ctx);
    if (result.status === 'paid') return this.#review(id, payment, 'paid after the checkout moved on to another session or payment', undefined, result.amount);
    if (result.status !== 'refused' && result.status !== 'cancelled') return;
    const status = result.status;
    await this.#d.checkouts.withLock(id, async () => {
      const record = await this.#record(id);
      const next = withSession(record, payment.orderRef, (session) => (undecided(session) ? { ...session, status, abandoned: false } : undefined));
      if (next) await this.#d.checkouts.save(next);
    });
  }

  /**
   * Money collected that the shop must look at: the payment goes to review and the shop is told
   * (`CheckoutService.markReview`, in one save). `collected` is set for a payment the checkout
   * had moved on from (given up on, set aside, cancelled checkout): it is kept on the record as
   * a late payment, which the shop's server view shows. A replay changes nothing.
   */
  async #review(id: string, payment: InstalmentPaymentRecord, why: string, error?: unknown, collected?: Money): Promise<void> {
    this.#d.log?.(`instalment payment ${payment.orderRef}: ${why}; to review`, error);
    await this.#d.service.markReview(id, payment.orderRef, (record) => {
      const next = withSession(record, payment.orderRef, toReview);
      if (!next || !collected) return next;
      const late = [...(next.instalment!.latePayments ?? []), { orderRef: payment.orderRef, amount: collected, at: Date.now() }];
      return { ...next, instalment: { ...next.instalment!, latePayments: late } };
    });
  }

  /**
   * The loyalty provider refused this payment's own sale: the checkout went to review then,
   * the shop told with it (`checkout.review` for the attempt). Only the payment is marked.
   */
  #reviewedWithSale(id: string, orderRef: string, idempotencyKey: string): Promise<boolean> {
    return this.#d.checkouts.withLock(id, async () => {
      const record = await this.#record(id);
      if (record.status !== 'review' || record.attempt?.key !== idempotencyKey) return false;
      const next = withSession(record, orderRef, toReview);
      if (next) await this.#d.checkouts.save(next);
      return true;
    });
  }

  /** Moves the payment `orderRef` to `status` unless it is already decided; true when this call decided it. */
  #mark(id: string, orderRef: string, status: InstalmentPaymentStatus): Promise<boolean> {
    return this.#d.checkouts.withLock(id, async () => {
      const record = await this.#record(id);
      const state = record.instalment;
      if (!state?.payment || state.payment.orderRef !== orderRef || !ACTIVE.has(state.payment.status) || state.payment.status === status) return false;
      const next: CheckoutRecord = { ...record, instalment: { ...state, payment: { ...state.payment, status } } };
      // Refused or cancelled: the shop is owed a webhook, saved with the status that causes it.
      const ended = status === 'refused' ? 'checkout.instalment_refused' : status === 'cancelled' ? 'checkout.instalment_cancelled' : undefined;
      await this.#d.checkouts.save(ended ? owe(next, ended, orderRef) : next);
      return !ACTIVE.has(status);
    });
  }

  /** After a refused or cancelled payment: the points chosen for it are free again (hold released). */
  async #releasePoints(id: string): Promise<void> {
    const record = await this.#record(id);
    if (record.status !== 'open' || record.spend === 0 || !record.customer) return;
    try {
      await this.#d.service.setSpend(id, 0, { kind: 'server' }, {});
    } catch (error) {
      // Holds lapse on their own at the provider (≤ 10 min for the Russian API): log, go on.
      this.#d.log?.(`points of checkout ${id} not released after a refused instalment payment`, error);
    }
  }

  /** The open payment, unless given up on or timed out. */
  #openPayment(record: CheckoutRecord): InstalmentPaymentRecord | undefined {
    const payment = record.instalment?.payment;
    if (!payment || !ACTIVE.has(payment.status) || payment.abandoned) return undefined;
    return payment;
  }

  /**
   * The identity to score: passed by the shop's server with the checkout, else from the
   * merchant's hook — which maps the identified loyalty customer to the shop's record of that
   * person, so only once the shopper proved the account is theirs: a lookup by someone's
   * phone number must not check (or open a payment in) that person's name.
   */
  async #customer(record: CheckoutRecord, ctx: CallContext): Promise<InstalmentCustomer | undefined> {
    if (record.instalmentIdentity) return record.instalmentIdentity as unknown as InstalmentCustomer;
    if (record.customer && !record.proof) return undefined;
    return this.#d.customers?.(record, ctx);
  }

  /** Keeps the offers of a check, unless the checkout changed while the provider answered. */
  #keepCheck(snapshot: CheckoutRecord, check: InstalmentRecord['check']): Promise<void> {
    return this.#d.checkouts.withLock(snapshot.id, async () => {
      const record = await this.#record(snapshot.id);
      const unchanged =
        record.status === 'open' &&
        record.spend === snapshot.spend &&
        record.quote?.discount.amount === snapshot.quote?.discount.amount &&
        record.customer?.providerId === snapshot.customer?.providerId &&
        JSON.stringify(record.cart) === JSON.stringify(snapshot.cart);
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

/** A session moved to review; `undefined` when it is there already (nothing to save). */
const toReview = (session: InstalmentPaymentRecord): InstalmentPaymentRecord | undefined => (session.status === 'review' ? undefined : { ...session, status: 'review' });

/** A session not yet settled: still open, or given up on (a late "paid" may still come). */
function undecided(payment: InstalmentPaymentRecord): boolean {
  return (ACTIVE.has(payment.status) || !!payment.abandoned) && payment.status !== 'review' && payment.status !== 'paid';
}

/**
 * `record` with its session `orderRef` (the current one, else the last one set aside with that
 * reference) changed by `update`; `undefined` when there is no such session or `update` declines.
 */
function withSession(record: CheckoutRecord, orderRef: string, update: (session: InstalmentPaymentRecord) => InstalmentPaymentRecord | undefined): CheckoutRecord | undefined {
  const state = record.instalment;
  if (!state) return undefined;
  if (state.payment?.orderRef === orderRef) {
    const payment = update(state.payment);
    return payment && { ...record, instalment: { ...state, payment } };
  }
  const earlier = state.earlier ?? [];
  const at = earlier.findLastIndex((session) => session.orderRef === orderRef);
  const session = at < 0 ? undefined : update(earlier[at]!);
  return session && { ...record, instalment: { ...state, earlier: earlier.with(at, session) } };
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
  return { status: payment.status, offer: publicOffer(payment.offer), ...(ACTIVE.has(payment.status) && !payment.abandoned ? { url: payment.url } : {}) };
}
