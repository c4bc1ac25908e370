import type { Cart, Money, PaymentMethod, Receipt } from '../protocol/index.js';
import type { CallContext, CustomerRecord, HoldResult, LoyaltyProvider, LoyaltyQuote, RecordSaleInput, SaleRecord } from './providers/provider.js';
import type { InstalmentRecord } from './instalments.js';

/**
 * A payment sent (or about to be sent) to the provider. Saved on the checkout *before* the
 * upstream call, with the status `outcome-unknown`: if the call fails without a clear answer,
 * or this instance dies during it, every instance knows that a sale may exist.
 */
export interface PaymentAttempt {
  /** The `Idempotency-Key` it was made with: a retry with it gets the recovered result. */
  key?: string;
  method: PaymentMethod;
  reference: string;
  /** Spend (minor units) and amount paid by `method`, as sent to the provider. */
  spend: number;
  paid: Money;
  startedAt: number;
  /** Payment details recorded at a till (see `RecordSaleInput`). */
  cheque?: { bank?: string; number?: string };
  cardNetwork?: string;
}

/** A checkout as the proxy keeps it: the browser holds only its unguessable id. */
export interface CheckoutRecord {
  id: string;
  cartId: string;
  /**
   * `outcome-unknown`: a payment was sent and its outcome is not known (in flight, or failed
   * ambiguously); nothing may change the checkout until it is reconciled with the provider.
   */
  status: 'open' | 'outcome-unknown' | 'paid';
  customer?: CustomerRecord;
  /** The last quote for `spend`, so reading the checkout costs no upstream call. */
  quote?: LoyaltyQuote;
  /** Chosen spend in minor units. */
  spend: number;
  hold?: HoldResult;
  /** The payment sent to the provider (kept once paid: it names the key that paid). */
  attempt?: PaymentAttempt;
  receipt?: Receipt;
  /** Pay in instalments: the last offers (with the provider's tokens) and the payment session. */
  instalment?: InstalmentRecord;
  createdAt: number;
}

export interface CheckoutStore {
  get(id: string): Promise<CheckoutRecord | undefined>;
  save(record: CheckoutRecord): Promise<void>;
  /** Runs `task` with exclusive access to one checkout, so two calls never interleave on it. */
  withLock<T>(id: string, task: () => Promise<T>): Promise<T>;
  close?(): Promise<void>;
}

/**
 * Runs tasks one after the other per id, within this process. The memory store's lock; the
 * Redis store queues here first so that one instance asks Redis for a lock once at a time.
 */
export class LocalQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(id: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(id) ?? Promise.resolve();
    const run = previous.then(task, task);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(id, settled);
    settled.then(() => {
      if (this.#tails.get(id) === settled) this.#tails.delete(id);
    });
    return run;
  }
}

/**
 * Single-instance store: checkouts live 24 h in memory, kept as JSON (records are plain data,
 * as in Redis), so no caller can change a stored record by holding a reference to it.
 */
export class MemoryCheckoutStore implements CheckoutStore {
  readonly #records = new Map<string, { createdAt: number; json: string }>();
  readonly #queue = new LocalQueue();
  readonly #ttlMs: number;

  constructor(ttlMs = 24 * 3600_000) {
    this.#ttlMs = ttlMs;
  }

  async get(id: string): Promise<CheckoutRecord | undefined> {
    const stored = this.#records.get(id);
    if (stored && Date.now() - stored.createdAt > this.#ttlMs) {
      this.#records.delete(id);
      return undefined;
    }
    return stored && (JSON.parse(stored.json) as CheckoutRecord);
  }

  async save(record: CheckoutRecord): Promise<void> {
    this.#records.set(record.id, { createdAt: record.createdAt, json: JSON.stringify(record) });
  }

  withLock<T>(id: string, task: () => Promise<T>): Promise<T> {
    return this.#queue.run(id, task);
  }
}

/** The checkout once the provider has recorded `sale` for `attempt`. */
export function paidRecord(record: CheckoutRecord, cart: Cart, attempt: PaymentAttempt, sale: SaleRecord): CheckoutRecord {
  return {
    ...record,
    status: 'paid',
    hold: undefined,
    attempt,
    receipt: { ...sale, paidAt: new Date().toISOString(), method: attempt.method, total: cart.total, paid: attempt.paid },
  };
}

/** The sale as it was (or would have been) sent to the provider for `attempt`. */
export function saleInput(record: CheckoutRecord, cart: Cart, customer: CustomerRecord, attempt: PaymentAttempt): RecordSaleInput {
  return { checkoutId: record.id, customer, cart, spend: attempt.spend, method: attempt.method, reference: attempt.reference, paid: attempt.paid, ...(attempt.cheque ? { cheque: attempt.cheque } : {}), ...(attempt.cardNetwork ? { cardNetwork: attempt.cardNetwork } : {}) };
}

export interface ReconcileOptions {
  /**
   * A provider's "not recorded" is trusted only this long after the attempt started: a call
   * that timed out may still be committed by a slow provider, and reopening the checkout too
   * early would let a retry pay twice. Until then the outcome stays unknown.
   */
  settleMs?: number;
}

/**
 * Settles a checkout whose payment outcome is unknown, by asking the provider (the adapter's
 * `saleOutcome`, which only reads):
 * - `recorded` → the checkout is paid, with the receipt of that sale;
 * - `not-recorded`, once the attempt is older than `settleMs` → open again, so the shopper may
 *   retry (with the same key: the guard gave it back);
 * - anything else, a provider without `saleOutcome`, or a provider still failing → unchanged:
 *   the outcome stays unknown and no second payment can be sent. An operator settles it.
 * Returns the record unchanged or the new one (the caller saves it, under the checkout lock).
 */
export async function reconcilePayment(
  record: CheckoutRecord,
  cart: Cart,
  loyalty: Pick<LoyaltyProvider, 'saleOutcome'>,
  ctx: CallContext,
  options: ReconcileOptions = {},
): Promise<CheckoutRecord> {
  const { attempt, customer } = record;
  if (record.status !== 'outcome-unknown' || !attempt || !customer || !loyalty.saleOutcome) return record;
  let outcome;
  try {
    outcome = await loyalty.saleOutcome(saleInput(record, cart, customer, attempt), ctx);
  } catch {
    return record;
  }
  if (outcome.state === 'recorded') return paidRecord(record, cart, attempt, outcome.sale);
  if (outcome.state === 'not-recorded' && Date.now() - attempt.startedAt >= (options.settleMs ?? 30_000)) {
    return { ...record, status: 'open', attempt: undefined };
  }
  return record;
}
