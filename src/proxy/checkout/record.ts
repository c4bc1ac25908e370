import { AsyncLocalStorage } from 'node:async_hooks';
import type { CheckoutStatus, InstalmentPaymentStatus, Money, PaymentMethod, Receipt } from '../../protocol/index.js';
import type { Cart } from '../carts.js';
import type { CustomerRecord, HoldResult, InstalmentOffer, LoyaltyQuote, RecordSaleInput, SaleRecord } from '../providers/provider.js';
import type { WebhookEventType } from '../webhooks/events.js';

/**
 * A checkout as the proxy keeps it, and where it is kept. The page holds only its client
 * secret; the shop's server knows it by id or by its own order reference.
 */

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
  /** The status to go back to if the provider provably recorded nothing. */
  from: 'open' | 'awaiting-payment';
  /** Money was already taken (the shop's PSP, instalments): a refused sale goes to review, never back to open. */
  collected: boolean;
  /** The PSP's reference of an external payment. */
  pspReference?: string;
  /** Payment details recorded at a till (see `RecordSaleInput`). */
  cheque?: { bank?: string; number?: string };
  cardNetwork?: string;
}

/** What the checkout record keeps about instalments (server-side only: offers carry tokens). */
export interface InstalmentRecord {
  /** The last eligible offers, valid while the amount due and the customer are unchanged. */
  check?: { amountDue: Money; customerId?: string; offers: InstalmentOffer[] };
  payment?: InstalmentPaymentRecord;
  /**
   * The sessions opened before `payment` (oldest first, the last `EARLIER_SESSIONS_KEPT`):
   * the shopper may still pay one in a tab left open, and its notification must still find
   * this checkout, be re-read at the provider and reach the shop.
   */
  earlier?: InstalmentPaymentRecord[];
  /** Money the provider collected for a session the checkout had moved on from (told to the shop by `checkout.review`). */
  latePayments?: LateInstalmentPayment[];
  /** Payment sessions opened so far: each gets its own order reference. */
  attempts: number;
}

/** How many earlier sessions a checkout keeps (FLOA's pages expire; a checkout lives 24 h). */
export const EARLIER_SESSIONS_KEPT = 10;

/**
 * The instalment state once its current session is set aside (a new session, a new cart): the
 * session joins the earlier ones, the oldest dropped beyond `EARLIER_SESSIONS_KEPT`.
 */
export function setAside(state: InstalmentRecord): Pick<InstalmentRecord, 'earlier' | 'latePayments'> {
  const earlier = [...(state.earlier ?? []), ...(state.payment ? [state.payment] : [])].slice(-EARLIER_SESSIONS_KEPT);
  return { ...(earlier.length ? { earlier } : {}), ...(state.latePayments?.length ? { latePayments: state.latePayments } : {}) };
}

/** A payment in instalments collected after the checkout had moved on (another session, another payment, cancelled). */
export interface LateInstalmentPayment {
  orderRef: string;
  /** What the provider says it collected. */
  amount: Money;
  /** When the proxy learnt of it. */
  at: number;
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
  /** The shopper gave up on it (or it timed out): a late "paid" from the provider goes to review. */
  abandoned?: boolean;
}

/**
 * A webhook the shop is owed (its id is `eventId(checkout, type, occurrence)`): written in the
 * same save as the state it tells of, cleared once the outbox has it (see `owed-events.ts`).
 */
export interface PendingEvent {
  type: WebhookEventType;
  occurrence?: string;
}

/** How the shopper proved the account is theirs (see SPEC §4a). */
export type Proof = 'vouched' | 'code' | 'till';

export interface CheckoutRecord {
  id: string;
  /** The page's credential for this checkout (`<id>_secret_<random>`). */
  clientSecret: string;
  /** The cart the shop's server pushed; without it the cart is read from the cart source by `cartId`. */
  cart?: Cart;
  cartId?: string;
  /** The shop's order id: one payable checkout per reference. */
  reference?: string;
  /** POS mode: the till it is rung up at. */
  till?: string;
  metadata?: Record<string, string>;
  /** What the instalment provider scores, passed by the shop's server. */
  instalmentIdentity?: Record<string, unknown>;
  status: CheckoutStatus;
  customer?: CustomerRecord;
  /** Set once the shopper proved the account is theirs: only then may points be spent. */
  proof?: Proof;
  /** Wrong codes given for this customer (bounded: a code is not guessed by trying). */
  verifyFailures?: number;
  /** The last quote for `spend`, so reading the checkout costs no upstream call. */
  quote?: LoyaltyQuote;
  /** Chosen spend in minor units. */
  spend: number;
  hold?: HoldResult;
  /** While `awaiting-payment`: what the page asked the shop's PSP to take. */
  paymentRequest?: { amount: Money; key: string; requestedAt: number };
  /** The payment sent to the provider (kept once paid: it names the key that paid). */
  attempt?: PaymentAttempt;
  receipt?: Receipt;
  /** Pay in instalments: the last offers (with the provider's tokens) and the payment session. */
  instalment?: InstalmentRecord;
  /** Webhooks owed to the shop and not yet queued in the outbox. */
  pendingEvents?: PendingEvent[];
  createdAt: number;
}

export interface CheckoutStore {
  get(id: string): Promise<CheckoutRecord | undefined>;
  /** Saves the record; inside `withLock`, refuses to write once the lock is lost (fencing). */
  save(record: CheckoutRecord): Promise<void>;
  /** Runs `task` with exclusive access to one checkout, so two calls never interleave on it. */
  withLock<T>(id: string, task: () => Promise<T>): Promise<T>;
  /**
   * Ties the shop's order `reference` to checkout `id` unless it is tied to another checkout
   * already; returns the checkout id it is tied to. Atomic across instances.
   */
  claimReference(reference: string, id: string, ttlMs: number): Promise<string>;
  /** Unties `reference` from `id` (a cancelled checkout frees its order for a new one). */
  releaseReference(reference: string, id: string): Promise<void>;
  /** Checkouts whose payment outcome is unknown now (for metrics and operators). */
  countUnknownOutcomes?(): Promise<number>;
  /** Checkouts saved with `pendingEvents` (at most `limit`), for the outbox to catch up on; kept up to date by `save`. */
  listPendingEvents?(limit?: number): Promise<string[]>;
  close?(): Promise<void>;
}

/** How long a checkout lives (24 h), its reference with it. */
export const CHECKOUT_TTL_MS = 24 * 3600_000;

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

/** The lock a task runs under, for the store's `save` to check (fencing) and for re-entrance. */
export const heldLock = new AsyncLocalStorage<{ id: string; lost: AbortSignal; token?: number }>();
const NEVER_LOST = new AbortController().signal;

/**
 * Single-instance store: checkouts live 24 h in memory, kept as JSON (records are plain data,
 * as in Redis), so no caller can change a stored record by holding a reference to it.
 * Expired records are swept as new ones come, so memory follows the live checkouts.
 */
export class MemoryCheckoutStore implements CheckoutStore {
  readonly #records = new Map<string, { createdAt: number; json: string }>();
  readonly #references = new Map<string, { id: string; expiresAt: number }>();
  readonly #unknown = new Set<string>();
  readonly #owing = new Set<string>();
  readonly #queue = new LocalQueue();
  readonly #ttlMs: number;
  #nextSweep = 0;

  constructor(ttlMs = CHECKOUT_TTL_MS) {
    this.#ttlMs = ttlMs;
  }

  /** Live checkouts (for tests and metrics). */
  get size(): number {
    return this.#records.size;
  }

  async get(id: string): Promise<CheckoutRecord | undefined> {
    const stored = this.#records.get(id);
    if (stored && Date.now() - stored.createdAt > this.#ttlMs) {
      this.#forget(id);
      return undefined;
    }
    return stored && (JSON.parse(stored.json) as CheckoutRecord);
  }

  async save(record: CheckoutRecord): Promise<void> {
    const now = Date.now();
    // Records expire in creation order: a sweep walks from the oldest and stops at the first live one.
    if (now >= this.#nextSweep) {
      this.#nextSweep = now + Math.min(60_000, this.#ttlMs);
      for (const [id, stored] of this.#records) {
        if (now - stored.createdAt <= this.#ttlMs) break;
        this.#forget(id);
      }
      for (const [reference, tie] of this.#references) if (tie.expiresAt <= now) this.#references.delete(reference);
    }
    this.#records.set(record.id, { createdAt: record.createdAt, json: JSON.stringify(record) });
    if (record.status === 'outcome-unknown') this.#unknown.add(record.id);
    else this.#unknown.delete(record.id);
    if (record.pendingEvents?.length) this.#owing.add(record.id);
    else this.#owing.delete(record.id);
  }

  async countUnknownOutcomes(): Promise<number> {
    return this.#unknown.size;
  }

  async listPendingEvents(limit = 100): Promise<string[]> {
    return [...this.#owing].slice(0, limit);
  }

  #forget(id: string): void {
    this.#records.delete(id);
    this.#unknown.delete(id);
    this.#owing.delete(id);
  }

  withLock<T>(id: string, task: () => Promise<T>): Promise<T> {
    // Re-entrant: a task already holding this checkout's lock runs inline.
    if (heldLock.getStore()?.id === id) return task();
    return this.#queue.run(id, () => heldLock.run({ id, lost: NEVER_LOST }, task));
  }

  async claimReference(reference: string, id: string, ttlMs: number): Promise<string> {
    const tie = this.#references.get(reference);
    if (tie && tie.expiresAt > Date.now()) return tie.id;
    this.#references.set(reference, { id, expiresAt: Date.now() + ttlMs });
    return id;
  }

  async releaseReference(reference: string, id: string): Promise<void> {
    if (this.#references.get(reference)?.id === id) this.#references.delete(reference);
  }
}

/** The checkout once the provider has recorded `sale` for `attempt`. */
export function paidRecord(record: CheckoutRecord, cart: Cart, attempt: PaymentAttempt, sale: SaleRecord): CheckoutRecord {
  return {
    ...record,
    status: 'paid',
    hold: undefined,
    paymentRequest: undefined,
    attempt,
    receipt: { ...sale, paidAt: new Date().toISOString(), method: attempt.method, total: cart.total, paid: attempt.paid },
  };
}

/** The sale as it was (or would have been) sent to the provider for `attempt`. */
export function saleInput(record: CheckoutRecord, cart: Cart, customer: CustomerRecord, attempt: PaymentAttempt): RecordSaleInput {
  return {
    checkoutId: record.id,
    customer,
    cart,
    spend: attempt.spend,
    method: attempt.method,
    reference: attempt.reference,
    paid: attempt.paid,
    ...(attempt.cheque ? { cheque: attempt.cheque } : {}),
    ...(attempt.cardNetwork ? { cardNetwork: attempt.cardNetwork } : {}),
  };
}
