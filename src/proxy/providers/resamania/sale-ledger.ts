import { randomUUID } from 'node:crypto';
import { ProblemError } from '../../problems.js';

/**
 * Where the Resamania adapter remembers, per checkout reference, the sale it created and how
 * far it got. Resamania has no idempotency key and no field for our reference
 * (resamania-sale-to-existing-customer.txt:254-258: every payments call records a payment),
 * so this is the only way a retried `recordSale` finds the sale (and its payment) of the first
 * attempt instead of creating a second sale and paying twice.
 *
 * One attempt per reference at a time, whatever the instance: an attempt runs under the
 * reference's lease, and the writes that lead to a payment are made only while that lease
 * still holds (a holder that lost it stops before paying). The in-memory ledger is enough
 * for one proxy instance; several instances share `RedisSaleLedger` (the proxy passes it
 * when Redis is configured).
 */
export type SaleStage =
  /** Sale created; articles may be missing. A retry abandons it (a draft has no accounting effect). */
  | 'created'
  /** Every article added: a retry resumes at `check`. */
  | 'articles'
  /** The settling call (payment, or the zero-amount validate) was sent: its outcome may be unknown. */
  | 'settling'
  /** Settled. */
  | 'settled';

export interface SaleLedgerEntry {
  /** The sale IRI (`/{clientToken}/sales/373969`). */
  sale: string;
  stage: SaleStage;
  /** For each article added, in order, the cart line it came from (maps `articles[k]` violations). */
  articleLines: number[];
  /** The planned articles the sale was made with: a cart that changed since needs a new sale. */
  plan?: string;
  /** When the settling call was sent (ms), to tell a slow outcome from a lost one. */
  settlingSince?: number;
  updatedAt: number;
}

/** `held: false`: another attempt still held the reference when the wait ended; the task did not run. */
export type Leased<T> = { held: true; value: T } | { held: false };

export interface SaleLedger {
  get(reference: string): Promise<SaleLedgerEntry | undefined>;
  /**
   * Writes the entry. With `lease`, only while that lease still holds the reference: false
   * when it lapsed (another attempt may have taken over, and the caller must stop).
   */
  set(reference: string, entry: SaleLedgerEntry, lease?: string): Promise<boolean>;
  /**
   * Runs `task` holding the reference's lease (renewed while it runs; it lapses on its own if
   * this process dies). Waits up to `waitMs` for another holder.
   */
  withLease<T>(reference: string, waitMs: number, task: (lease: string) => Promise<T>): Promise<Leased<T>>;
}

/** What a ledger does with one reference's lease; `runLeased` adds waiting and renewal. */
export interface LeaseOps {
  /** Takes the lease if nobody holds it (a lapsed one is free). */
  acquire(reference: string, token: string, ttlMs: number): Promise<boolean>;
  /** Extends the lease if `token` still holds it. */
  renew(reference: string, token: string, ttlMs: number): Promise<void>;
  /** Gives the lease back if `token` still holds it. */
  release(reference: string, token: string): Promise<void>;
}

export async function runLeased<T>(ops: LeaseOps, reference: string, leaseMs: number, waitMs: number, task: (lease: string) => Promise<T>): Promise<Leased<T>> {
  const token = randomUUID();
  const deadline = Date.now() + waitMs;
  for (let delay = 5; !(await ops.acquire(reference, token, leaseMs)); delay = Math.min(delay * 2, 100)) {
    if (Date.now() >= deadline) return { held: false };
    // Jitter, so waiting instances do not poll in step.
    await new Promise((resolve) => setTimeout(resolve, delay / 2 + Math.random() * delay));
  }
  // Renewed while the task runs: a slow provider call must not let another attempt in.
  const renewal = setInterval(() => void ops.renew(reference, token, leaseMs).catch(() => undefined), Math.max(50, leaseMs / 3));
  try {
    return { held: true, value: await task(token) };
  } finally {
    clearInterval(renewal);
    await ops.release(reference, token).catch(() => undefined);
  }
}

/**
 * The ledger, its own failures (Redis unreachable) reported as `upstream-unavailable`. The
 * adapter lets a ledger failure through only before the payment is sent (after it, the sale
 * itself tells), so such a failure means nothing that moves money was sent: the checkout may
 * be paid again. The errors of a task run under the lease pass unchanged.
 */
export function reportingFailures(ledger: SaleLedger): SaleLedger {
  const unreachable = (cause: unknown) =>
    cause instanceof ProblemError ? cause : new ProblemError('upstream-unavailable', 'The shared sale ledger could not be reached; no payment was sent to Resamania.', { cause });
  return {
    get: (reference) => ledger.get(reference).catch((cause: unknown) => Promise.reject(unreachable(cause))),
    set: (reference, entry, lease) => ledger.set(reference, entry, lease).catch((cause: unknown) => Promise.reject(unreachable(cause))),
    async withLease(reference, waitMs, task) {
      let started = false;
      try {
        return await ledger.withLease(reference, waitMs, (lease) => {
          started = true;
          return task(lease);
        });
      } catch (error) {
        throw started ? error : unreachable(error);
      }
    },
  };
}

export interface SaleLedgerOptions {
  /** How long an entry is kept after its last change (default 24 h, as long as a checkout lives). */
  retentionMs?: number;
  /** Lifetime of a lease that is not renewed (default 30 s): how long a crashed attempt blocks its checkout. */
  leaseMs?: number;
}

export class MemorySaleLedger implements SaleLedger {
  readonly #entries = new Map<string, SaleLedgerEntry>();
  readonly #leases = new Map<string, { token: string; until: number }>();
  readonly #retentionMs: number;
  readonly #leaseMs: number;
  readonly #ops: LeaseOps = {
    acquire: async (reference, token, ttlMs) => {
      if (this.#holder(reference)) return false;
      this.#leases.set(reference, { token, until: Date.now() + ttlMs });
      return true;
    },
    renew: async (reference, token, ttlMs) => {
      if (this.#holder(reference) === token) this.#leases.set(reference, { token, until: Date.now() + ttlMs });
    },
    release: async (reference, token) => {
      if (this.#holder(reference) === token) this.#leases.delete(reference);
    },
  };

  constructor(options: SaleLedgerOptions = {}) {
    this.#retentionMs = options.retentionMs ?? 24 * 3600_000;
    this.#leaseMs = options.leaseMs ?? 30_000;
  }

  async get(reference: string): Promise<SaleLedgerEntry | undefined> {
    const entry = this.#entries.get(reference);
    return entry ? structuredClone(entry) : undefined;
  }

  async set(reference: string, entry: SaleLedgerEntry, lease?: string): Promise<boolean> {
    if (lease !== undefined && this.#holder(reference) !== lease) return false;
    // Forget old checkouts so the map does not grow forever.
    for (const [key, old] of this.#entries) if (entry.updatedAt - old.updatedAt > this.#retentionMs) this.#entries.delete(key);
    this.#entries.set(reference, structuredClone(entry));
    return true;
  }

  withLease<T>(reference: string, waitMs: number, task: (lease: string) => Promise<T>): Promise<Leased<T>> {
    return runLeased(this.#ops, reference, this.#leaseMs, waitMs, task);
  }

  /** The token of the lease that holds `reference` now, if any. */
  #holder(reference: string): string | undefined {
    const lease = this.#leases.get(reference);
    return lease && lease.until > Date.now() ? lease.token : undefined;
  }
}
