import { randomBytes, randomUUID } from 'node:crypto';
import type { CatalogOffer, Checkout, PaymentMethod } from '../../protocol/index.js';
import type { CreateCheckoutRequest, ServerCheckout } from '../../protocol/server.js';
import { buildCart, type Cart, type CartSource } from '../carts.js';
import { ProblemError } from '../problems.js';
import type { PrivacyOptions } from '../privacy.js';
import type { CallContext, LoyaltyProvider, LoyaltyQuote, QuoteInput, SaleRecord } from '../providers/provider.js';
import { noEvents, type CheckoutEvents, type WebhookEventType } from '../webhooks/events.js';
import { amountDue } from './amounts.js';
import { OwedEvents, owe } from './owed-events.js';
import { reconcilePayment } from './reconcile.js';
import { CHECKOUT_TTL_MS, paidRecord, saleInput, setAside, type CheckoutRecord, type CheckoutStore, type PaymentAttempt } from './record.js';
import { pageView, serverView } from './view.js';

/** Details of a payment recorded at a till (POS mode); providers that do not keep them ignore them. */
export type PaymentDetails = Pick<PaymentAttempt, 'cheque' | 'cardNetwork'>;

/** Wrong proof codes counted per customer across checkouts (a rate limiter shared by the instances). */
export interface CodeCounter {
  /** Counts one code for `customerId`, or throws a 429 problem when its window is used up. */
  take(customerId: string): Promise<void>;
  /** Gives one back (the code was right, or never checked). */
  give(customerId: string): Promise<void>;
}

/** Who is asking (SPEC §4a): the shop's server, the shopper's page, or the page at a till. */
export type Actor = { kind: 'server' } | { kind: 'page' } | { kind: 'till'; till: string };

export interface CheckoutServiceOptions {
  carts: CartSource;
  checkouts: CheckoutStore;
  loyalty: LoyaltyProvider;
  events?: CheckoutEvents;
  privacy?: PrivacyOptions;
  /** Logs failures of best-effort calls (hold release); never given secrets. */
  log?: (message: string, error?: unknown) => void;
  /** How long after a payment attempt a provider's "not recorded" is trusted (see `reconcilePayment`). */
  unknownOutcomeSettleMs?: number;
  /** How long a page's payment request freezes the checkout while the shop's PSP takes the money (default 30 min). */
  paymentRequestTtlMs?: number;
  /** Wrong proof codes allowed per customer on one checkout (default 5). */
  verifyAttempts?: number;
  /**
   * A level discount is granted only to a proven owner (default true): without proof, a
   * discount-level member is served as a guest (no discount, no loyalty sale in their name).
   */
  discountNeedsProof?: boolean;
}

/** A problem that tells the payer the amount moved, with the checkout as it is now. */
const amountChanged = (due: number, status = 409) =>
  new ProblemError('amount-changed', `The amount due is now ${due}: read the checkout again before paying.`, { status, errors: [{ field: 'amount', message: 'The amount due changed.' }] });

/** `none` from a page while something is due: only the shop's payment pays it. */
const somethingDue = () =>
  new ProblemError('forbidden', 'Something is due: it is paid through the shop\'s payment.', { errors: [{ field: 'method', message: 'Something is due.' }] });

/**
 * The customer a sale is recorded for: none for a guest, nor for a shopper whose level
 * discount was withheld (unproven): they pay as a guest, nothing in the member's name.
 */
const loyaltyCustomer = (record: CheckoutRecord) => (record.quote?.discountWithheld ? undefined : record.customer);

/**
 * The checkout's rules, independent of HTTP. The cart comes from the shop's server; the
 * customer is kept on the server; points are spent only with proof of ownership; a checkout
 * is paid at most once, and from a public page only when nothing is due (the shop's server
 * confirms what its PSP took, the instalment provider confirms its own, a till records cash,
 * cheque and card). Every state change runs under the checkout's lock, and every outcome the
 * shop must know about is saved with it as a webhook owed, then queued (see `owed-events.ts`).
 */
export class CheckoutService {
  readonly #o: CheckoutServiceOptions;
  readonly #owed: OwedEvents;

  constructor(options: CheckoutServiceOptions) {
    this.#o = options;
    this.#owed = new OwedEvents({ checkouts: options.checkouts, carts: options.carts, events: options.events ?? noEvents, log: options.log });
  }

  get loyalty(): LoyaltyProvider {
    return this.#o.loyalty;
  }

  // ---------------------------------------------------------------- the shop's server

  /**
   * Creates a checkout for the shop's cart, or — same `reference` — returns the order's
   * checkout, its cart updated while it is still open. Never two payable checkouts for one order.
   */
  async create(input: CreateCheckoutRequest, ctx: CallContext): Promise<{ record: CheckoutRecord; checkout: ServerCheckout; created: boolean }> {
    if (!input.cart === !input.cartId) {
      throw new ProblemError('validation', 'Send either the cart or a cartId.', { errors: [{ field: 'cart', message: 'Send either the cart or a cartId.' }] });
    }
    const id = randomUUID();
    const cart = input.cart ? buildCart(input.reference ?? id, input.cart.currency, input.cart.lines) : await this.#cartById(input.cartId!);
    if (input.reference) {
      // The order's checkout, if it has one: no need to make another.
      const owner = await this.#o.checkouts.claimReference(input.reference, id, CHECKOUT_TTL_MS).then((owner) => (owner === id ? undefined : owner));
      if (owner) {
        const existing = await this.#ownerOf(owner);
        if (existing) return { ...(await this.#reuse(existing, input, cart, ctx)), created: false };
        await this.#o.checkouts.releaseReference(input.reference, owner);
        return this.create(input, ctx);
      }
    }
    let record: CheckoutRecord = {
      id,
      clientSecret: `${id}_secret_${randomBytes(24).toString('base64url')}`,
      ...(input.cart ? { cart } : { cartId: input.cartId }),
      ...(input.reference ? { reference: input.reference } : {}),
      ...(input.till ? { till: input.till } : {}),
      ...(input.metadata ? { metadata: input.metadata } : {}),
      ...(input.instalmentIdentity ? { instalmentIdentity: input.instalmentIdentity } : {}),
      status: 'open',
      spend: 0,
      createdAt: Date.now(),
    };
    try {
      if (input.customer) record = await this.#identified(record, cart, input.customer.query, 'vouched', ctx);
    } catch (error) {
      if (input.reference) await this.#o.checkouts.releaseReference(input.reference, id);
      throw error instanceof ProblemError && error.errors ? new ProblemError(error.kind, error.message, { status: error.status, errors: error.errors.map((e) => ({ ...e, field: 'customer.query' })) }) : error;
    }
    await this.#o.checkouts.save(record);
    return { record, checkout: serverView(record, cart), created: true };
  }

  /**
   * The checkout an order reference is tied to. Its record may not be saved yet (another
   * request claimed the reference and is still creating it): wait for it a little. None, or a
   * cancelled one, means the order is free for a new checkout.
   */
  async #ownerOf(owner: string): Promise<CheckoutRecord | undefined> {
    for (let wait = 20; wait <= 5000; wait *= 2) {
      const existing = await this.#o.checkouts.get(owner);
      if (existing) return existing.status === 'cancelled' ? undefined : existing;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    return undefined;
  }

  /** The order's checkout again: its cart follows the shop's while the shopper can still change it. */
  async #reuse(existing: CheckoutRecord, input: CreateCheckoutRequest, cart: Cart, ctx: CallContext): Promise<{ record: CheckoutRecord; checkout: ServerCheckout }> {
    return this.#o.checkouts.withLock(existing.id, async () => {
      let record = (await this.#o.checkouts.get(existing.id)) ?? existing;
      const newCart = input.cart && JSON.stringify(record.cart) !== JSON.stringify(cart);
      if (newCart) {
        if (record.status !== 'open') throw new ProblemError('conflict', `The checkout of order ${input.reference} is ${record.status}: its cart cannot change now.`);
        this.#assertNoOpenInstalment(record);
        await this.#releaseHold(record, await this.#cart(record));
        // The points chosen for the old cart may not fit the new one: the shopper chooses again.
        record = { ...record, cart, spend: 0, hold: undefined, instalment: record.instalment && { attempts: record.instalment.attempts, ...setAside(record.instalment) } };
        if (record.customer) record = { ...record, quote: await this.#quote(record.proof, { checkoutId: record.id, customer: record.customer, cart, spend: 0 }, ctx) };
        await this.#o.checkouts.save(record);
      }
      return { record, checkout: serverView(record, await this.#cart(record)) };
    });
  }

  async read(id: string): Promise<ServerCheckout> {
    const { record, cart } = await this.#settledRecord(id);
    return serverView(record, cart);
  }

  /** Cancels an unpaid checkout: points are released, its order reference is free again. */
  cancel(id: string): Promise<ServerCheckout> {
    return this.#o.checkouts.withLock(id, async () => {
      const current = await this.#record(id);
      const cart = await this.#cart(current);
      const record = await this.#reconcile(current, cart, {});
      if (record.status === 'cancelled') return serverView(record, cart);
      if (record.status === 'paid' || record.status === 'review') throw new ProblemError('conflict', `This checkout is ${record.status}: it cannot be cancelled.`);
      if (record.status === 'outcome-unknown') throw new ProblemError('payment-outcome-unknown', 'A payment for this checkout may have been recorded; resolve it first.', { retryable: false });
      await this.#releaseHold(record, cart);
      const payment = record.instalment?.payment;
      const next: CheckoutRecord = {
        ...record,
        status: 'cancelled',
        hold: undefined,
        paymentRequest: undefined,
        // A payment page still open at the provider: a late "paid" for it goes to review.
        ...(payment ? { instalment: { ...record.instalment!, payment: { ...payment, abandoned: true } } } : {}),
      };
      const saved = await this.#tell(next, cart, 'checkout.cancelled');
      if (record.reference) await this.#o.checkouts.releaseReference(record.reference, record.id);
      return serverView(saved, cart);
    });
  }

  /**
   * Records what the shop's own PSP took. The amount must be the amount due, re-read now from
   * the cart and the provider: a stale amount is refused (422) and nothing is recorded.
   */
  confirmExternal(id: string, payment: { amount: { amount: number; currency: string }; pspReference: string }, ctx: CallContext): Promise<ServerCheckout> {
    return this.#o.checkouts.withLock(id, async () => {
      const { record, cart, replay } = await this.#payable(id, ctx);
      if (replay) return serverView(record, cart);
      if (payment.amount.currency !== cart.currency) throw new ProblemError('amount-changed', `The checkout is in ${cart.currency}.`, { status: 422, errors: [{ field: 'amount.currency', message: `Expected ${cart.currency}.` }] });
      const fresh = await this.#requote(record, cart, ctx);
      const due = amountDue(cart, fresh.quote, fresh.spend).amount;
      if (payment.amount.amount !== due) throw amountChanged(due, 422);
      if (due === 0) throw new ProblemError('conflict', 'Nothing is due: the page records this checkout with the method "none".');
      const sale = await this.#recordSale(fresh, cart, { method: 'external', collected: true, pspReference: payment.pspReference }, ctx);
      return serverView(sale, cart);
    });
  }

  /**
   * An operator settles a payment whose outcome the provider could not tell: `recorded` (seen
   * in the provider's back office) makes it paid; `not-recorded` reopens it, or sends it to
   * review when money was already collected.
   */
  resolve(id: string, outcome: 'recorded' | 'not-recorded'): Promise<ServerCheckout> {
    return this.#o.checkouts.withLock(id, async () => {
      const record = await this.#record(id);
      const cart = await this.#cart(record);
      const attempt = record.attempt;
      if (record.status !== 'outcome-unknown' || !attempt) throw new ProblemError('conflict', 'Only a payment whose outcome is unknown can be resolved.');
      if (outcome === 'recorded') {
        const sale: SaleRecord = { reference: attempt.reference, discount: record.quote?.discount ?? { amount: 0, currency: cart.currency }, spent: { value: { amount: attempt.spend, currency: cart.currency } } };
        return serverView(await this.#tell(paidRecord(record, cart, attempt, sale), cart, 'checkout.paid', attempt.reference), cart);
      }
      if (attempt.collected) return serverView(await this.#tell({ ...record, status: 'review' }, cart, 'checkout.review', attempt.reference), cart);
      const next: CheckoutRecord = { ...record, status: attempt.from, attempt: undefined };
      await this.#o.checkouts.save(next);
      return serverView(next, cart);
    });
  }

  // ---------------------------------------------------------------- the page (and the till)

  /** The checkout as the page sees it; a payment whose outcome is unknown is settled with the provider first. */
  async get(id: string): Promise<Checkout> {
    const { record, cart } = await this.#settledRecord(id);
    return this.#view(record, cart);
  }

  identify(id: string, query: string, actor: Actor, ctx: CallContext): Promise<Checkout> {
    return this.#change(id, async (record, cart) => {
      await this.#releaseHold(record, cart);
      // A cashier with the card in hand vouches for its holder; on a web page a lookup proves nothing.
      return this.#identified({ ...record, spend: 0, hold: undefined, verifyFailures: 0 }, cart, query, actor.kind === 'till' ? 'till' : undefined, ctx);
    });
  }

  /** The shopper proves the account is theirs with a code only its owner has (where the provider has one). */
  verify(id: string, code: string, ctx: CallContext, perCustomer?: CodeCounter): Promise<Checkout> {
    return this.#change(id, async (record, cart) => {
      const { customer } = record;
      if (!customer) throw new ProblemError('conflict', 'Identify the customer before confirming it is them.');
      if (record.proof) return record;
      const provider = this.#o.loyalty;
      if (!provider.verify || provider.capabilities.proof === 'none') throw new ProblemError('not-supported', 'This loyalty programme has no code to confirm an account with.');
      const limit = this.#o.verifyAttempts ?? 5;
      if ((record.verifyFailures ?? 0) >= limit) throw new ProblemError('rate-limited', 'Too many wrong codes for this account in this checkout.', { retryable: false, errors: [{ field: 'code', message: 'Too many wrong codes.' }] });
      // Counted before the check and given back when right: concurrent guesses on several
      // checkouts cannot all slip between a check and a count.
      await perCustomer?.take(customer.providerId);
      const right = await provider.verify(customer, code, ctx).catch(async (error: unknown) => {
        await perCustomer?.give(customer.providerId).catch(() => {});
        throw error;
      });
      if (right) await perCustomer?.give(customer.providerId).catch(() => {});
      if (!right) {
        // Saved before answering, so the count holds whatever the caller does next.
        await this.#o.checkouts.save({ ...record, verifyFailures: (record.verifyFailures ?? 0) + 1 });
        throw new ProblemError('rejected', 'This code does not match the account.', { errors: [{ field: 'code', message: 'This code is not right.' }] });
      }
      const proven: CheckoutRecord = { ...record, proof: 'code', verifyFailures: 0 };
      // A discount withheld from an unproven shopper applies now.
      return record.quote?.discountWithheld ? { ...proven, quote: await this.#quote('code', { checkoutId: id, customer, cart, spend: record.spend }, ctx) } : proven;
    });
  }

  /** The offers the identified customer may buy (providers with a catalog). */
  async catalog(id: string, ctx: CallContext): Promise<CatalogOffer[]> {
    const record = await this.#record(id);
    if (!this.#o.loyalty.catalog) throw new ProblemError('not-supported', 'The configured provider has no catalog.');
    if (!record.customer) throw new ProblemError('conflict', 'Identify the customer before reading their catalog.');
    return this.#o.loyalty.catalog(record.customer, ctx);
  }

  clearCustomer(id: string): Promise<Checkout> {
    return this.#change(id, async (record, cart) => {
      await this.#releaseHold(record, cart);
      return { ...record, customer: undefined, proof: undefined, verifyFailures: 0, quote: undefined, spend: 0, hold: undefined };
    });
  }

  setSpend(id: string, amount: number, actor: Actor, ctx: CallContext): Promise<Checkout> {
    return this.#change(id, async (record, cart) => {
      const { customer, quote } = record;
      if (!customer || !quote) throw new ProblemError('conflict', 'Identify the customer before choosing what to spend.');
      // At a till the cashier has the card in hand: that is the proof.
      const proof = record.proof ?? (actor.kind === 'till' ? 'till' : undefined);
      if (amount > 0 && !proof) {
        throw new ProblemError('proof-required', 'Confirm that this account is yours before using its points.', { errors: [{ field: 'amount', message: 'Confirm the account first.' }] });
      }
      const { min, max, step } = quote.spendable;
      if (amount !== 0 && (amount < min.amount || amount > max.amount || amount % step !== 0)) {
        throw new ProblemError('validation', `Spend must be 0 or between ${min.amount} and ${max.amount} in steps of ${step}.`, {
          errors: [{ field: 'amount', message: `Choose an amount between ${min.amount} and ${max.amount}.` }],
        });
      }
      await this.#releaseHold(record, cart);
      const input = { checkoutId: id, customer, cart, spend: amount };
      const next = await this.#quote(proof, input, ctx);
      const hold = amount > 0 && this.#o.loyalty.hold ? await this.#o.loyalty.hold(input, ctx) : undefined;
      return { ...record, ...(proof ? { proof } : {}), quote: next, spend: amount, hold };
    });
  }

  /**
   * The page hands the amount due to the shop's own PSP: the checkout waits for the shop's
   * server to confirm it (customer and points frozen meanwhile). Asking again gives the same
   * request; `amount` must be the amount due as it is now (re-read from the cart and provider).
   */
  requestPayment(id: string, amount: number, ctx: CallContext): Promise<Checkout> {
    return this.#o.checkouts.withLock(id, async () => {
      const current = await this.#record(id);
      const cart = await this.#cart(current);
      const record = this.#lapse(await this.#reconcile(current, cart, ctx));
      if (record.status === 'awaiting-payment' && record.paymentRequest?.amount.amount === amount) return this.#view(record, cart);
      this.#assertOpen(record);
      this.#assertNoOpenInstalment(record);
      this.#assertPayer(record);
      const fresh = await this.#requote(record, cart, ctx);
      const due = amountDue(cart, fresh.quote, fresh.spend);
      if (due.amount !== amount) {
        await this.#o.checkouts.save(fresh);
        throw amountChanged(due.amount);
      }
      if (due.amount === 0) throw new ProblemError('conflict', 'Nothing is due: record the checkout with the method "none".');
      // A sale the provider refuses is refused now, before the shop's PSP takes any money.
      await this.#prepare(fresh, cart, 'external', ctx);
      const next: CheckoutRecord = { ...fresh, status: 'awaiting-payment', paymentRequest: { amount: due, key: `pay_${randomUUID()}`, requestedAt: Date.now() } };
      await this.#o.checkouts.save(next);
      return this.#view(next, cart);
    });
  }

  /** The shopper wants to change the order after all: the checkout opens again (until the shop confirmed). */
  cancelPaymentRequest(id: string): Promise<Checkout> {
    return this.#o.checkouts.withLock(id, async () => {
      const record = await this.#record(id);
      const cart = await this.#cart(record);
      if (record.status !== 'awaiting-payment') return this.#view(this.#lapse(record), cart);
      const next: CheckoutRecord = { ...record, status: 'open', paymentRequest: undefined };
      await this.#o.checkouts.save(next);
      return this.#view(next, cart);
    });
  }

  /**
   * A payment recorded from the page: `none` when nothing is due (points or a discount cover
   * the order), or — by a till, for a checkout rung up at that till — `card`, `cash` or
   * `cheque` taken at the counter. `amount` is what the payer agreed to: re-checked here.
   */
  pay(id: string, request: { method: PaymentMethod; amount: number } & PaymentDetails, actor: Actor, ctx: CallContext): Promise<Checkout> {
    const { method, amount, ...details } = request;
    this.#assertMayRecord(method, actor);
    return this.#o.checkouts.withLock(id, async () => {
      const { record, cart, replay } = await this.#payable(id, ctx);
      if (replay) return this.#view(record, cart);
      if (method !== 'none' && actor.kind === 'till' && record.till !== actor.till) {
        throw new ProblemError('forbidden', 'This checkout is not rung up at this till.');
      }
      const fresh = await this.#requote(record, cart, ctx);
      const due = amountDue(cart, fresh.quote, fresh.spend).amount;
      if (due !== amount) {
        await this.#o.checkouts.save(fresh);
        throw amountChanged(due);
      }
      if (method === 'none' && due !== 0) throw somethingDue();
      const sale = await this.#recordSale(fresh, cart, { method, collected: false, ...details }, ctx);
      return this.#view(sale, cart);
    });
  }

  /**
   * Refuses, before an Idempotency-Key is kept for it, a payment this caller may never record
   * here (a method only a till or the shop's server records; `none` while the checkout, as last
   * quoted, has something due): an anonymous script cannot fill the key store with refusals.
   * `pay` checks all of it again under the lock, against a fresh quote.
   */
  async refuseEarly(id: string, request: { method: PaymentMethod }, actor: Actor): Promise<void> {
    this.#assertMayRecord(request.method, actor);
    if (request.method !== 'none') return;
    const record = await this.#record(id);
    if (record.status === 'open' && amountDue(await this.#cart(record), record.quote, record.spend).amount > 0) {
      throw somethingDue();
    }
  }

  #assertMayRecord(method: PaymentMethod, actor: Actor): void {
    if (method === 'external') throw new ProblemError('forbidden', 'A payment taken by the shop\'s PSP is confirmed by the shop\'s server, not by the page.', { errors: [{ field: 'method', message: 'Not from a page.' }] });
    if (method === 'none') return;
    if (actor.kind !== 'till') throw new ProblemError('forbidden', 'Card, cash and cheque payments are recorded at a till, with a staff credential.', { errors: [{ field: 'method', message: 'Only at a till.' }] });
    if (!this.#o.loyalty.capabilities.paymentMethods.includes(method)) {
      throw new ProblemError('validation', `Payment method "${method}" is not available.`, { errors: [{ field: 'method', message: 'Not available.' }] });
    }
  }

  /**
   * Records the sale of a payment the instalment provider confirmed (money collected), for
   * the amount due the provider was asked to collect. Replay-safe with one key per payment.
   */
  recordConfirmedSale(id: string, method: PaymentMethod, ctx: CallContext & { idempotencyKey: string }, expectedDue: number): Promise<Checkout> {
    return this.#o.checkouts.withLock(id, async () => {
      const { record, cart, replay } = await this.#payable(id, ctx, true);
      if (replay) return this.#view(record, cart);
      const fresh = await this.#requote(record, cart, ctx);
      if (amountDue(cart, fresh.quote, fresh.spend).amount !== expectedDue) throw new ProblemError('amount-changed', 'The amount due changed after the payment was set up.', { retryable: false });
      const sale = await this.#recordSale(fresh, cart, { method, collected: true }, ctx);
      return this.#view(sale, cart);
    });
  }

  /** Before an instalment provider's page opens: the sale it will pay for is prepared and checked (see `prepareSale`). */
  async prepareForPayment(id: string, ctx: CallContext): Promise<void> {
    const record = await this.#record(id);
    await this.#prepare(record, await this.#cart(record), 'external', ctx);
  }

  /**
   * Money was collected that the shop must look at (its sale could not be recorded, or it came
   * for a session the checkout had moved on from): the shop is told by a `checkout.review`
   * webhook, one per `occurrence` (the payment's order reference), and the checkout goes to
   * review — unless it is paid (it stays paid: the sale is recorded, the shop refunds the
   * extra) or its outcome is unknown (it must still be reconciled). `change`, applied in the
   * same save, records the payment's own state; it returns `undefined` when that was done already.
   */
  async markReview(id: string, occurrence: string, change: (record: CheckoutRecord) => CheckoutRecord | undefined = (record) => record): Promise<void> {
    await this.#o.checkouts.withLock(id, async () => {
      const record = change(await this.#record(id));
      if (!record) return;
      const keep = record.status === 'paid' || record.status === 'review' || record.status === 'outcome-unknown';
      await this.#tell(keep ? record : { ...record, status: 'review' }, await this.#cart(record), 'checkout.review', occurrence);
    });
  }

  /** Queues the webhooks checkout `id` owes (saved with its state, as `InstalmentFlow` does for an ended payment). */
  async deliverPendingEvents(id: string): Promise<void> {
    // Saved as owed: if they cannot be queued now, the next flush queues them.
    await this.#owed.deliverFor(id).catch((error) => this.#o.log?.(`webhooks of checkout ${id} not queued yet`, error));
  }

  /**
   * Queues every webhook still owed: those whose outbox call failed, or whose instance died
   * between saving the state and queueing. Run at start and periodically (`createProxyFromConfig`).
   */
  flushPendingEvents(): Promise<number> {
    return this.#owed.flush();
  }

  // ---------------------------------------------------------------- shared steps

  /**
   * Sends the sale to the provider once. The attempt is saved first (status
   * `outcome-unknown`), so a failure without a clear answer — or this instance dying — leaves
   * a checkout every instance reconciles with the provider before anything else. A checkout
   * without a customer (a guest) has no loyalty sale to record.
   */
  async #recordSale(record: CheckoutRecord, cart: Cart, how: Pick<PaymentAttempt, 'method' | 'collected' | 'pspReference'> & PaymentDetails, ctx: CallContext): Promise<CheckoutRecord> {
    const paid = amountDue(cart, record.quote, record.spend);
    const attempt: PaymentAttempt = {
      key: ctx.idempotencyKey,
      reference: `co-${record.id}`,
      spend: record.spend,
      paid,
      startedAt: Date.now(),
      from: record.status === 'awaiting-payment' ? 'awaiting-payment' : 'open',
      ...how,
    };
    const customer = loyaltyCustomer(record);
    if (!customer) {
      const next = paidRecord(record, cart, attempt, { reference: attempt.reference, discount: { amount: 0, currency: cart.currency }, spent: { value: { amount: 0, currency: cart.currency } } });
      return this.#tell(next, cart, 'checkout.paid', attempt.reference);
    }
    await this.#o.checkouts.save({ ...record, status: 'outcome-unknown', attempt });
    let sale: SaleRecord;
    try {
      sale = await this.#o.loyalty.recordSale(saleInput(record, cart, customer, attempt), ctx);
    } catch (error) {
      const definite = error instanceof ProblemError && error.kind !== 'payment-outcome-unknown' && error.kind !== 'internal';
      if (!definite) {
        // Saved outcome-unknown already: if this save fails, the provider's error is still the answer.
        await this.#tell({ ...record, status: 'outcome-unknown', attempt }, cart, 'checkout.outcome_unknown', attempt.reference).catch((failure) =>
          this.#o.log?.(`checkout ${record.id}: the outcome_unknown webhook could not be saved`, failure),
        );
      } else if (attempt.collected) {
        // The money is taken and the provider refused the sale: never reopened for a second payment.
        await this.#tell({ ...record, status: 'review', attempt }, cart, 'checkout.review', attempt.reference);
      } else {
        // Refused, nothing recorded, nothing collected: the checkout is as it was.
        await this.#o.checkouts.save(record);
      }
      throw error;
    }
    return this.#tell(paidRecord(record, cart, attempt, sale), cart, 'checkout.paid', attempt.reference);
  }

  /**
   * The checkout ready for a payment, under its lock: reconciled, its payment request lapsed
   * if old; `replay` when the same key already paid it (a retry after an unknown outcome).
   */
  async #payable(id: string, ctx: CallContext, collected = false): Promise<{ record: CheckoutRecord; cart: Cart; replay?: boolean }> {
    const current = await this.#record(id);
    const cart = await this.#cart(current);
    const record = this.#lapse(await this.#reconcile(current, cart, ctx));
    if (record.status === 'paid' && ctx.idempotencyKey && record.attempt?.key === ctx.idempotencyKey) return { record, cart, replay: true };
    if (record.status === 'cancelled' && collected) throw new ProblemError('conflict', 'This checkout was cancelled by the shop.', { retryable: false });
    if (record.status !== 'awaiting-payment') this.#assertOpen(record);
    // A payment in instalments may still be completed on the provider's page: never a second payment beside it.
    if (!collected) this.#assertNoOpenInstalment(record);
    this.#assertPayer(record);
    return { record, cart };
  }

  /** The provider prepares and checks the sale it will record once the money is taken elsewhere. */
  async #prepare(record: CheckoutRecord, cart: Cart, method: PaymentMethod, ctx: CallContext): Promise<void> {
    const customer = loyaltyCustomer(record);
    if (!customer || !this.#o.loyalty.prepareSale) return;
    const paid = amountDue(cart, record.quote, record.spend);
    await this.#o.loyalty.prepareSale({ checkoutId: record.id, customer, cart, spend: record.spend, method, reference: `co-${record.id}`, paid }, ctx);
  }

  /** The quote again, for the cart as it is now: what is charged is what the provider records. */
  async #requote(record: CheckoutRecord, cart: Cart, ctx: CallContext): Promise<CheckoutRecord> {
    const { customer } = record;
    if (!customer) return record;
    const quote = await this.#quote(record.proof, { checkoutId: record.id, customer, cart, spend: record.spend }, ctx);
    const { min, max } = quote.spendable;
    // The cart shrank under the chosen points: they no longer fit, the payer must choose again.
    if (record.spend > 0 && (record.spend < min.amount || record.spend > max.amount)) {
      throw new ProblemError('amount-changed', 'The order changed: choose the points to use again.', { errors: [{ field: 'amount', message: 'Choose again.' }] });
    }
    return { ...record, quote };
  }

  /**
   * The provider's quote, with a level discount withheld from a shopper who has not proven the
   * account is theirs (anyone may type a member's phone number; the discount is the member's).
   */
  async #quote(proof: CheckoutRecord['proof'], input: QuoteInput, ctx: CallContext): Promise<LoyaltyQuote> {
    const quote = await this.#o.loyalty.quote(input, ctx);
    if (proof || this.#o.discountNeedsProof === false || quote.discount.amount === 0) return quote;
    return { ...quote, discount: { amount: 0, currency: quote.discount.currency }, discountWithheld: true };
  }

  async #identified(record: CheckoutRecord, cart: Cart, query: string, proof: CheckoutRecord['proof'], ctx: CallContext): Promise<CheckoutRecord> {
    const customer = await this.#o.loyalty.identify(query, ctx);
    const quote = await this.#quote(proof, { checkoutId: record.id, customer, cart, spend: 0 }, ctx);
    const { proof: _dropped, ...rest } = record;
    return { ...rest, customer, quote, spend: 0, ...(proof ? { proof } : {}) };
  }

  async #settledRecord(id: string): Promise<{ record: CheckoutRecord; cart: Cart }> {
    const record = await this.#record(id);
    if (record.status !== 'outcome-unknown') return { record: this.#lapse(record), cart: await this.#cart(record) };
    // A payment whose outcome is unknown is settled with the provider before it is shown.
    return this.#o.checkouts.withLock(id, async () => {
      const current = await this.#record(id);
      const cart = await this.#cart(current);
      return { record: await this.#reconcile(current, cart, {}), cart };
    });
  }

  async #reconcile(record: CheckoutRecord, cart: Cart, ctx: CallContext): Promise<CheckoutRecord> {
    if (record.status !== 'outcome-unknown') return record;
    const next = await reconcilePayment(record, cart, this.#o.loyalty, { signal: ctx.signal }, { settleMs: this.#o.unknownOutcomeSettleMs });
    if (next === record) return record;
    if (next.status === 'paid') return this.#tell(next, cart, 'checkout.paid', next.attempt?.reference);
    if (next.status === 'review') return this.#tell(next, cart, 'checkout.review', next.attempt?.reference);
    await this.#o.checkouts.save(next);
    return next;
  }

  /** A payment request the shop never confirmed stops freezing the checkout after its time. */
  #lapse(record: CheckoutRecord): CheckoutRecord {
    const request = record.paymentRequest;
    if (record.status !== 'awaiting-payment' || !request) return record;
    if (Date.now() - request.requestedAt < (this.#o.paymentRequestTtlMs ?? 30 * 60_000)) return record;
    return { ...record, status: 'open', paymentRequest: undefined };
  }

  #assertPayer(record: CheckoutRecord): void {
    const { customer } = record;
    if (!customer && this.#o.loyalty.capabilities.customerRequired) throw new ProblemError('conflict', 'Identify the customer before paying.');
    if (customer?.debt && customer.debt.amount > 0) throw new ProblemError('conflict', 'The customer has an outstanding debt to settle first.');
  }

  #assertNoOpenInstalment(record: CheckoutRecord): void {
    const payment = record.instalment?.payment;
    if (payment && !payment.abandoned && (payment.status === 'redirected' || payment.status === 'pending')) {
      throw new ProblemError('conflict', 'A payment in instalments is open for this order: finish or cancel it on the payment page first.');
    }
  }

  #assertOpen(record: CheckoutRecord): void {
    if (record.status === 'open') return;
    if (record.status === 'outcome-unknown') {
      throw new ProblemError('payment-outcome-unknown', 'A payment for this checkout was sent and its outcome is not known yet; ask for the checkout\'s status before retrying.', {
        retryable: false,
        headers: { 'Retry-After': '5' },
      });
    }
    const why = { paid: 'already paid', review: 'paid and waiting for the shop to check it', cancelled: 'cancelled', 'awaiting-payment': 'waiting for the shop to confirm its payment' }[record.status];
    throw new ProblemError('conflict', `This checkout is ${why}.`);
  }

  async #change(id: string, change: (record: CheckoutRecord, cart: Cart) => Promise<CheckoutRecord>): Promise<Checkout> {
    return this.#o.checkouts.withLock(id, async () => {
      const current = await this.#record(id);
      const cart = await this.#cart(current);
      const record = this.#lapse(await this.#reconcile(current, cart, {}));
      this.#assertOpen(record);
      // The provider was asked to collect this amount due: customer and points stay as they are.
      this.#assertNoOpenInstalment(record);
      const next = await change(record, cart);
      await this.#o.checkouts.save(next);
      return this.#view(next, cart);
    });
  }

  async #releaseHold(record: CheckoutRecord, cart: Cart): Promise<void> {
    if (!record.hold || !record.customer || !this.#o.loyalty.release) return;
    try {
      await this.#o.loyalty.release({ checkoutId: record.id, customer: record.customer, cart }, {});
    } catch (error) {
      // The provider lets holds lapse on its own (≤ 10 min for the Russian API): log, go on.
      this.#o.log?.(`hold release failed for checkout ${record.id}`, error);
    }
  }

  /**
   * Saves `next` owing the shop the webhook `type` (the state and the duty to tell are one
   * write), then queues it; returns the record as stored (see `OwedEvents.deliver`).
   */
  async #tell(next: CheckoutRecord, cart: Cart, type: WebhookEventType, occurrence?: string): Promise<CheckoutRecord> {
    const owing = owe(next, type, occurrence);
    await this.#o.checkouts.save(owing);
    return this.#owed.deliver(owing, cart);
  }

  /** The record, or 404 — the routes answer an unknown checkout as they answer a wrong secret. */
  async #record(id: string): Promise<CheckoutRecord> {
    const record = await this.#o.checkouts.get(id);
    if (!record) throw new ProblemError('not-found', 'This checkout does not exist or has expired.');
    return record;
  }

  /** The record's cart: pushed by the shop, or read now from the cart source. */
  async #cart(record: CheckoutRecord): Promise<Cart> {
    return record.cart ?? this.#cartById(record.cartId ?? '');
  }

  async #cartById(cartId: string): Promise<Cart> {
    const cart = await this.#o.carts.get(cartId);
    if (!cart) throw new ProblemError('not-found', `Cart "${cartId}" was not found.`, { errors: [{ field: 'cartId', message: 'No such cart.' }] });
    return cart;
  }

  #view(record: CheckoutRecord, cart: Cart): Checkout {
    return pageView(record, cart, this.#o.privacy);
  }
}
