import { randomUUID } from 'node:crypto';

/**
 * Storage behind the `Idempotency-Key` guard. The in-memory store serves one proxy instance;
 * the Redis store (`redis.ts`) implements the same interface for several instances behind a
 * load balancer.
 *
 * A key goes through: (absent) → `in-progress` (claimed by one request, expires after
 * `lockMs` so a crashed instance frees it) → `done` (the response, replayed for
 * `retentionMs`) — or back to `released` when the request ended without a final answer
 * (the provider was unreachable, or the outcome must be reconciled): the next request with
 * the same fingerprint runs again; another fingerprint is still a mismatch.
 */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Proof of ownership of an in-progress key: only its holder completes or releases it. */
export interface Claim {
  token: string;
  fingerprint: string;
}

export type BeginResult =
  | { state: 'started'; claim: Claim }
  | { state: 'in-progress' }
  | { state: 'mismatch' }
  | { state: 'done'; response: StoredResponse };

export interface IdempotencyStore {
  /**
   * Claims `key` for a request with this `fingerprint`, atomically. `started` means the caller
   * now owns the key and must `complete` or `release` it; the claim lapses after `lockMs` if
   * it never does (a crashed instance must not lock a key for a day).
   */
  begin(key: string, fingerprint: string, lockMs: number): Promise<BeginResult>;
  /**
   * Stores the final response for `retentionMs`; later `begin`s with the key replay it. Does
   * nothing when another request has taken the key over since (its claim had lapsed).
   */
  complete(key: string, claim: Claim, response: StoredResponse, retentionMs: number): Promise<void>;
  /** Gives the key back without a final response; its fingerprint is kept for `retentionMs`. */
  release(key: string, claim: Claim, retentionMs: number): Promise<void>;
  close?(): Promise<void>;
}

export const newClaimToken = (): string => randomUUID();

type Entry = { fingerprint: string; expiresAt: number } & (
  | { state: 'in-progress'; token: string }
  | { state: 'released' }
  | { state: 'done'; response: StoredResponse }
);

export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #entries = new Map<string, Entry>();
  #nextSweep = 0;

  /** Keys kept (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  async begin(key: string, fingerprint: string, lockMs: number): Promise<BeginResult> {
    const now = Date.now();
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt > now) {
      if (entry.fingerprint !== fingerprint) return { state: 'mismatch' };
      if (entry.state === 'done') return { state: 'done', response: entry.response };
      if (entry.state === 'in-progress') return { state: 'in-progress' };
    }
    this.#sweep(now);
    const claim = { token: newClaimToken(), fingerprint };
    this.#entries.set(key, { state: 'in-progress', fingerprint, token: claim.token, expiresAt: now + lockMs });
    return { state: 'started', claim };
  }

  async complete(key: string, claim: Claim, response: StoredResponse, retentionMs: number): Promise<void> {
    if (!this.#mayWrite(key, claim)) return;
    this.#entries.set(key, { state: 'done', fingerprint: claim.fingerprint, response, expiresAt: Date.now() + retentionMs });
  }

  async release(key: string, claim: Claim, retentionMs: number): Promise<void> {
    if (!this.#mayWrite(key, claim)) return;
    this.#entries.set(key, { state: 'released', fingerprint: claim.fingerprint, expiresAt: Date.now() + retentionMs });
  }

  /** Ours, or lapsed and not taken by anyone since. */
  #mayWrite(key: string, claim: Claim): boolean {
    const entry = this.#entries.get(key);
    return !entry || entry.expiresAt <= Date.now() || (entry.state === 'in-progress' && entry.token === claim.token);
  }

  /** At most once a minute, whatever the traffic: one pass over the keys, not one per request. */
  #sweep(now: number): void {
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + 60_000;
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }
}
