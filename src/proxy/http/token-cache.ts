/** A token as its provider issued it. */
export interface IssuedToken {
  value: string;
  /** When the provider stops accepting it, in ms on the cache's clock. */
  expiresAt: number;
  /**
   * When its lifetime started, in ms on the cache's clock; the clock's reading just before
   * `fetch` was called when absent. Only a margin computed from the lifetime needs it.
   */
  issuedAt?: number;
}

export interface TokenCacheOptions {
  /** Logs in: one call to the provider's token endpoint. Not tied to any caller's signal. */
  fetch: () => Promise<IssuedToken>;
  /**
   * How long before `expiresAt` the token stops being handed out and a new one is fetched:
   * a fixed number of ms, or one computed from the token's lifetime (`expiresAt - issuedAt`).
   */
  renewMarginMs: number | ((lifetimeMs: number) => number);
  /** Clock in ms (tests move it). */
  now?: () => number;
}

/**
 * The bearer token of one provider client, shared by every call it makes.
 *
 * Each provider adapter used to hand-roll the same logic, and each copy is a place for the
 * subtle bugs of token handling (issue 3): logging in once per call, a stampede of logins when
 * the token lapses under load, dropping a token a concurrent caller had just fetched, a failed
 * login remembered forever. The rules, in one place:
 * - the token is cached and handed out until `renewMarginMs` before it expires, so no call is
 *   sent with a token about to lapse in flight;
 * - callers that find no usable token share one fetch (single flight); the fetch is not tied to
 *   any caller's signal, so one caller giving up does not fail the others;
 * - a fetch that fails is not remembered: its callers get the error, the next `get()` fetches
 *   again;
 * - `drop(value)` forgets the token only if it is still the cached one: after a 401, a call
 *   made with an old token must not throw away the fresh one another caller already fetched,
 *   so concurrent 401s cost one login, not one each.
 * Adapters keep what is theirs: how to log in, how their provider says when a token lapses,
 * which reply means "token refused", and the one retry after it.
 *
 * The token never leaves this class except through `get()`: it is kept in private fields
 * (not shown by `util.inspect` or `JSON.stringify`) and never logged or put in an error.
 */
export class TokenCache {
  readonly #fetch: () => Promise<IssuedToken>;
  readonly #margin: (lifetimeMs: number) => number;
  readonly #now: () => number;
  #token?: { value: string; renewAt: number };
  /** The one fetch in flight, shared by every caller that needs a token meanwhile. */
  #inFlight?: Promise<string>;

  constructor(options: TokenCacheOptions) {
    const margin = options.renewMarginMs;
    this.#fetch = options.fetch;
    this.#margin = typeof margin === 'number' ? () => margin : margin;
    this.#now = options.now ?? Date.now;
  }

  /** A usable token: the cached one, or the result of the one fetch shared by concurrent callers. */
  get(): Promise<string> {
    if (this.#token && this.#now() < this.#token.renewAt) return Promise.resolve(this.#token.value);
    this.#inFlight ??= this.#renew().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /** Forgets `value` if it is still the cached token (the provider refused it). */
  drop(value: string): void {
    if (this.#token?.value === value) this.#token = undefined;
  }

  async #renew(): Promise<string> {
    const requestedAt = this.#now();
    const { value, expiresAt, issuedAt = requestedAt } = await this.#fetch();
    this.#token = { value, renewAt: expiresAt - this.#margin(expiresAt - issuedAt) };
    return value;
  }
}
