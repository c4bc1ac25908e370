import type { Receipt } from '../protocol/index.js';
import type { CustomerRecord, HoldResult, LoyaltyQuote } from './providers/provider.js';

/** A checkout as the proxy keeps it: the browser holds only its unguessable id. */
export interface CheckoutRecord {
  id: string;
  cartId: string;
  status: 'open' | 'paid';
  customer?: CustomerRecord;
  /** The last quote for `spend`, so reading the checkout costs no upstream call. */
  quote?: LoyaltyQuote;
  /** Chosen spend in minor units. */
  spend: number;
  hold?: HoldResult;
  receipt?: Receipt;
  createdAt: number;
}

export interface CheckoutStore {
  get(id: string): Promise<CheckoutRecord | undefined>;
  save(record: CheckoutRecord): Promise<void>;
  /** Runs `task` with exclusive access to one checkout, so two calls never interleave on it. */
  withLock<T>(id: string, task: () => Promise<T>): Promise<T>;
  close?(): Promise<void>;
}

/** Single-instance store: checkouts live 24 h in memory. */
export class MemoryCheckoutStore implements CheckoutStore {
  readonly #records = new Map<string, CheckoutRecord>();
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #ttlMs: number;

  constructor(ttlMs = 24 * 3600_000) {
    this.#ttlMs = ttlMs;
  }

  async get(id: string): Promise<CheckoutRecord | undefined> {
    const record = this.#records.get(id);
    if (record && Date.now() - record.createdAt > this.#ttlMs) {
      this.#records.delete(id);
      return undefined;
    }
    return record && structuredClone(record);
  }

  async save(record: CheckoutRecord): Promise<void> {
    this.#records.set(record.id, structuredClone(record));
  }

  async withLock<T>(id: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(id) ?? Promise.resolve();
    const run = previous.then(task, task);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#locks.set(id, settled);
    settled.then(() => {
      if (this.#locks.get(id) === settled) this.#locks.delete(id);
    });
    return run;
  }
}
