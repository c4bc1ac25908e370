import { randomUUID } from 'node:crypto';
import type { Cart, Checkout, PaymentMethod } from '../protocol/index.js';
import type { CartSource } from './carts.js';
import type { CheckoutRecord, CheckoutStore } from './checkouts.js';
import { ProblemError } from './problems.js';
import { publicCustomer, type PrivacyOptions } from './privacy.js';
import type { CallContext, LoyaltyProvider } from './providers/provider.js';

export interface CheckoutServiceOptions {
  carts: CartSource;
  checkouts: CheckoutStore;
  loyalty: LoyaltyProvider;
  privacy?: PrivacyOptions;
  /** Logs failures of best-effort calls (hold release); never given secrets. */
  log?: (message: string, error?: unknown) => void;
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

  pay(id: string, method: PaymentMethod, ctx: CallContext): Promise<Checkout> {
    return this.#change(id, async (record, cart) => {
      if (!this.#o.loyalty.capabilities.paymentMethods.includes(method)) {
        throw new ProblemError('validation', `Payment method "${method}" is not available.`, { errors: [{ field: 'method', message: 'Not available.' }] });
      }
      const customer = record.customer;
      if (!customer) throw new ProblemError('conflict', 'Identify the customer before paying.');
      if (customer.debt && customer.debt.amount > 0) throw new ProblemError('conflict', 'The customer has an outstanding debt to settle first.');
      const reference = `co-${record.id}`;
      const paid = { amount: this.#amountDue(record, cart), currency: cart.currency };
      const sale = await this.#o.loyalty.recordSale({ checkoutId: id, customer, cart, spend: record.spend, method, reference, paid }, ctx);
      return {
        ...record,
        status: 'paid' as const,
        hold: undefined,
        receipt: {
          ...sale,
          paidAt: new Date().toISOString(),
          method,
          total: cart.total,
          paid,
        },
      };
    });
  }

  async #change(id: string, change: (record: CheckoutRecord, cart: Cart) => Promise<CheckoutRecord>): Promise<Checkout> {
    return this.#o.checkouts.withLock(id, async () => {
      const record = await this.#record(id);
      if (record.status === 'paid') throw new ProblemError('conflict', 'This checkout is already paid.');
      const cart = await this.#cart(record.cartId);
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
