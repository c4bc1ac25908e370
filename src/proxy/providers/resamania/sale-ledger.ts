/**
 * Where the Resamania adapter remembers, per checkout reference, the sale it created and how
 * far it got. Resamania has no idempotency key and no field for our reference, so this is the
 * only way a retried `recordSale` finds the sale (and its payment) of the first attempt
 * instead of creating a second sale and paying twice.
 *
 * The in-memory ledger is enough for one proxy instance (the proxy's Idempotency-Key store is
 * the first line of defence). Several instances behind a load balancer need a shared one
 * (the same Redis as the idempotency store), implementing this interface.
 */
export type SaleStage =
  /** Sale created; articles may be missing. A retry abandons it (a draft has no accounting effect). */
  | 'created'
  /** Every article added: a retry resumes at `check`. */
  | 'articles'
  /** A settling call (payment, postpone_due, validate) was sent: its outcome may be unknown. */
  | 'settling'
  /** Settled. */
  | 'settled';

export interface SaleLedgerEntry {
  /** The sale IRI (`/{clientToken}/sales/373969`). */
  sale: string;
  stage: SaleStage;
  /** For each article added, in order, the cart line it came from (maps `articles[k]` violations). */
  articleLines: number[];
  /** When the settling call was sent (ms), to tell a slow outcome from a lost one. */
  settlingSince?: number;
  updatedAt: number;
}

export interface SaleLedger {
  get(reference: string): Promise<SaleLedgerEntry | undefined>;
  set(reference: string, entry: SaleLedgerEntry): Promise<void>;
}

export class MemorySaleLedger implements SaleLedger {
  readonly #entries = new Map<string, SaleLedgerEntry>();
  readonly #retentionMs: number;

  constructor(retentionMs = 24 * 3600_000) {
    this.#retentionMs = retentionMs;
  }

  async get(reference: string): Promise<SaleLedgerEntry | undefined> {
    const entry = this.#entries.get(reference);
    return entry ? structuredClone(entry) : undefined;
  }

  async set(reference: string, entry: SaleLedgerEntry): Promise<void> {
    // Forget old checkouts so the map does not grow forever.
    for (const [key, old] of this.#entries) if (entry.updatedAt - old.updatedAt > this.#retentionMs) this.#entries.delete(key);
    this.#entries.set(reference, structuredClone(entry));
  }
}
