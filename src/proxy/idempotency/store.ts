/**
 * Storage behind the `Idempotency-Key` guard. The in-memory store serves one proxy instance;
 * a Redis store implements the same interface for several instances behind a load balancer.
 */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type BeginResult =
  | { state: 'started' }
  | { state: 'in-progress' }
  | { state: 'mismatch' }
  | { state: 'done'; response: StoredResponse };

export interface IdempotencyStore {
  /**
   * Claims `key` for a request with this `fingerprint`, atomically. `started` means the caller
   * now owns the key and must `complete` it; the claim lapses after `lockMs` if it never does
   * (a crashed instance must not lock a key for a day).
   */
  begin(key: string, fingerprint: string, lockMs: number): Promise<BeginResult>;
  /** Stores the final response for `retentionMs`; later `begin`s with the key replay it. */
  complete(key: string, response: StoredResponse, retentionMs: number): Promise<void>;
  close?(): Promise<void>;
}

type Entry = { fingerprint: string; expiresAt: number } & ({ state: 'in-progress' } | { state: 'done'; response: StoredResponse });

export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #entries = new Map<string, Entry>();

  async begin(key: string, fingerprint: string, lockMs: number): Promise<BeginResult> {
    const now = Date.now();
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt > now) {
      if (entry.fingerprint !== fingerprint) return { state: 'mismatch' };
      return entry.state === 'done' ? { state: 'done', response: entry.response } : { state: 'in-progress' };
    }
    this.#sweep(now);
    this.#entries.set(key, { state: 'in-progress', fingerprint, expiresAt: now + lockMs });
    return { state: 'started' };
  }

  async complete(key: string, response: StoredResponse, retentionMs: number): Promise<void> {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.set(key, { state: 'done', fingerprint: entry.fingerprint, response, expiresAt: Date.now() + retentionMs });
  }

  #sweep(now: number): void {
    if (this.#entries.size < 10_000) return;
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }
}
