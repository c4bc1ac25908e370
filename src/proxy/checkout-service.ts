import { randomUUID } from 'node:crypto';
import type { CatalogOffer, Checkout, PaymentMethod } from '../protocol/index.js';
import type { Cart, CartSource } from './carts.js';
import { paidRecord, reconcilePayment, saleInput, type CheckoutRecord, type CheckoutStore, type PaymentAttempt } from './checkouts.js';
import { ProblemError } from './problems.js';
import { publicCustomer, type PrivacyOptions } from './privacy.js';
import type { CallContext, LoyaltyProvider, SaleRecord } from './providers/provider.js';

/** Details of a payment recorded at a till (POS mode); providers that do not keep them ignore them. */
export type PaymentDetails = Pick<PaymentAttempt, 'cheque' | 'cardNetwork'>;

export interface CheckoutServiceOptions {
  carts: CartSource;
  checkouts: CheckoutStore;
  loyalty: LoyaltyProvider;
  privacy?: PrivacyOptions;
  /** Logs failures of best-effort calls (hold release); never given secrets. */
  log?: (message: string, error?: unknown) => void;
  /** How long after a payment attempt a provider's "not recorded" is trusted (see `reconcilePayment`). */
  unknownOutcomeSettleMs?: number;
}

/**
 * The checkout's rules, independent of HTTP: the cart comes from the server, the customer is
 * kept on the server, a spend is checked against the provider's quote, and a checkout is paid
 * at most once. Every state change runs under the checkout's lock.
 */
export class CheckoutService {
  readonly #o: CheckoutServiceOptions;

  constructor(options: CheckoutServiceOptions) {
    this.#o = options;
  }

  async create(cartId: string): Promise<Checkout> {
    const cart = await this.#cart(cartId);
    const record: CheckoutRecord = { id: randomUUID(), cartId, status: 'open', spend: 0, createdAt: Date.now() };
    await this.#o.checkouts.save(record);
    return this.#view(record, cart);
  }

  async get(id: string): Promise<Checkout> {
    const record = await this.#record(id);
    if (record.status === 'outcome-unknown') {
      // A payment whose outcome is unknown is settled with the provider before it is shown.
      return this.#o.checkouts.withLock(id, async () => {
        const current = await this.#record(id);
        const cart = await this.#cart(current.cartId);
        return this.#view(await this.#reconcile(current, cart, {}), cart);
      });
    }
    return this.#view(record, await this.#cart(record.cartId));
  }

  identify(id: string, query: string, ctx: CallContext): Promise<Checkout> {
    return this.#change(id, async (record, cart) => {
      const customer = await this.#o.loyalty.identify(query, ctx);
      await this.#releaseHold(record, cart);
      const quote = await this.#o.loyalty.quote({ checkoutId: id, customer, cart, spend: 0 }, ctx);
      return { ...record, customer, quote, spend: 0, hold: undefined };
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
      return { ...record, customer: undefined, quote: undefined, spend: 0, hold: undefined };
    });
  }

  setSpend(id: string, amount: number, ctx: CallContext): Promise<Checkout> {
    return this.#change(id, async (record, cart) => {
      const { customer, quote } = record;
      if (!customer || !quote) throw new ProblemError('conflict', 'Identify the customer before choosing what to spend.');
      const { min, max, step } = quote.spendable;
      if (amount !== 0 && (amount < min.amount || amount > max.amount || amount % step !== 0)) {
        throw new ProblemError('validation', `Spend must be 0 or between ${min.amount} and ${max.amount} in steps of ${step}.`, {
          errors: [{ field: 'amount', message: `Choose an amount between ${min.amount} and ${max.amount}.` }],
        });
      }
      await this.#releaseHold(record, cart);
      const input = { checkoutId: id, customer, cart, spend: amount };
      const next = await this.#o.loyalty.quote(input, ctx);
      const hold = amount > 0 && this.#o.loyalty.hold ? await this.#o.loyalty.hold(input, ctx) : undefined;
      return { ...record, quote: next, spend: amount, hold };
    });
  }

  /**
   * Pays the checkout once. The attempt is saved (status `outcome-unknown`) before the
   * provider is called, so a failure without a clear answer — or this instance dying — leaves
   * a checkout that every instance reconciles with the provider (`reconcilePayment`) before
   * anything else: a retry with the same key, or a read, settles it; no second sale is sent
   * while the first may exist.
   */
  pay(id: string, method: PaymentMethod, ctx: CallContext, confirmed?: { expectedDue: number }, details: PaymentDetails = {}): Promise<Checkout> {
    return this.#o.checkouts.withLock(id, async () => {
      const current = await this.#record(id);
      const cart = await this.#cart(current.cartId);
      const record = await this.#reconcile(current, cart, ctx);
      // The same attempt, recovered after an unknown outcome: its receipt, as a success.
      if (record.status === 'paid' && ctx.idempotencyKey && record.attempt?.key === ctx.idempotencyKey) return this.#view(record, cart);
      this.#assertOpen(record);
      // A payment in instalments may still be completed on the provider's page: never a second payment beside it.
      if (!confirmed) this.#assertNoOpenInstalment(record);
      if (!confirmed && !this.#o.loyalty.capabilities.paymentMethods.includes(method)) {
        throw new ProblemError('validation', `Payment method "${method}" is not available.`, { errors: [{ field: 'method', message: 'Not available.' }] });
      }
      const customer = record.customer;
      if (!customer) throw new ProblemError('conflict', 'Identify the customer before paying.');
      if (customer.debt && customer.debt.amount > 0) throw new ProblemError('conflict', 'The customer has an outstanding debt to settle first.');
      const paid = { amount: this.#amountDue(record, cart), currency: cart.currency };
      if (confirmed && paid.amount !== confirmed.expectedDue) throw new ProblemError('conflict', 'The amount due changed after the payment was set up.');
      const attempt: PaymentAttempt = { key: ctx.idempotencyKey, method, reference: `co-${record.id}`, spend: record.spend, paid, startedAt: Date.now(), ...details };
      await this.#o.checkouts.save({ ...record, status: 'outcome-unknown', attempt });
      let sale: SaleRecord;
      try {
        sale = await this.#o.loyalty.recordSale(saleInput(record, cart, customer, attempt), ctx);
      } catch (error) {
        // A definite answer (refused, or nothing sent): nothing was recorded, the checkout is
        // open again. An unknown outcome, or an error we do not understand, stays unknown.
        if (error instanceof ProblemError && error.kind !== 'payment-outcome-unknown' && error.kind !== 'internal') await this.#o.checkouts.save(record);
        throw error;
      }
      const next = paidRecord(record, cart, attempt, sale);
      await this.#o.checkouts.save(next);
      return this.#view(next, cart);
    });
  }

  /**
   * Records a sale whose payment another provider confirmed (instalments): `pay` without the
   * payment-method check, for the amount due the provider was asked to collect. Replay-safe:
   * repeated with the same key (one per confirmed payment), it returns the recorded sale.
   */
  recordConfirmedSale(id: string, method: PaymentMethod, ctx: CallContext & { idempotencyKey: string }, expectedDue: number): Promise<Checkout> {
    return this.pay(id, method, ctx, { expectedDue });
  }

  async #reconcile(record: CheckoutRecord, cart: Cart, ctx: CallContext): Promise<CheckoutRecord> {
    if (record.status !== 'outcome-unknown') return record;
    const next = await reconcilePayment(record, cart, this.#o.loyalty, { signal: ctx.signal }, { settleMs: this.#o.unknownOutcomeSettleMs });
    if (next !== record) await this.#o.checkouts.save(next);
    return next;
  }

  #assertNoOpenInstalment(record: CheckoutRecord): void {
    const status = record.instalment?.payment?.status;
    if (status === 'redirected' || status === 'pending') {
      throw new ProblemError('conflict', 'A payment in instalments is open for this order: finish or cancel it on the payment page first.');
    }
  }

  #assertOpen(record: CheckoutRecord): void {
    if (record.status === 'paid') throw new ProblemError('conflict', 'This checkout is already paid.');
    if (record.status === 'outcome-unknown') {
      throw new ProblemError('payment-outcome-unknown', 'A payment for this checkout was sent and its outcome is not known yet; ask for the checkout\'s status before retrying.', {
        retryable: false,
        headers: { 'Retry-After': '5' },
      });
    }
  }

  async #change(id: string, change: (record: CheckoutRecord, cart: Cart) => Promise<CheckoutRecord>): Promise<Checkout> {
    return this.#o.checkouts.withLock(id, async () => {
      const current = await this.#record(id);
      const cart = await this.#cart(current.cartId);
      const record = await this.#reconcile(current, cart, {});
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

  async #record(id: string): Promise<CheckoutRecord> {
    const record = await this.#o.checkouts.get(id);
    if (!record) throw new ProblemError('not-found', 'This checkout does not exist or has expired.');
    return record;
  }

  async #cart(cartId: string): Promise<Cart> {
    const cart = await this.#o.carts.get(cartId);
    if (!cart) throw new ProblemError('not-found', `Cart "${cartId}" was not found.`, { errors: [{ field: 'cartId', message: 'No such cart.' }] });
    return cart;
  }

  #amountDue(record: CheckoutRecord, cart: Cart): number {
    const discount = record.quote?.discount.amount ?? 0;
    return Math.max(0, cart.total.amount - discount - record.spend);
  }

  #view(record: CheckoutRecord, cart: Cart): Checkout {
    const { quote } = record;
    return {
      id: record.id,
      status: record.status,
      cart,
      customer: record.customer ? publicCustomer(record.customer, this.#o.privacy) : null,
      loyalty: quote
        ? {
            // Once paid, the balance is the one after this sale.
            balance: record.receipt?.balanceAfter ?? quote.balance,
            ...(quote.level ? { level: quote.level } : {}),
            spendable: quote.spendable,
            spend: {
              value: { amount: record.spend, currency: cart.currency },
              ...(quote.spendPoints !== undefined ? { points: quote.spendPoints } : {}),
            },
            discount: quote.discount,
            ...(quote.earn ? { earn: quote.earn } : {}),
            ...(record.hold ? { hold: record.hold } : {}),
          }
        : null,
      amountDue: record.status === 'paid' && record.receipt ? record.receipt.paid : { amount: this.#amountDue(record, cart), currency: cart.currency },
      receipt: record.receipt ?? null,
    };
  }
}
