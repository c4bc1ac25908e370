import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IPolicy,
  type IRetryBackoffContext,
} from 'cockatiel';
import { channel } from 'node:diagnostics_channel';
import { setMaxListeners } from 'node:events';
import { Agent, request as undiciRequest } from 'undici';
import { ProblemError } from '../problems.js';

export interface UpstreamOptions {
  /** Provider name, used in error messages (never the URL: it can carry an account token). */
  name: string;
  /** The provider's id in logs and metrics (`ru-loyalty`, `floa`…); default: `name`. */
  provider?: string;
  baseUrl: string;
  /** Per-attempt timeout, including connection and body. */
  timeoutMs?: number;
  /** Upper bound on pooled keep-alive connections to this provider. */
  connections?: number;
  headers?: Record<string, string>;
  /** Retries of calls marked `safe` (never of the others). */
  retry?: {
    /** Retries after the first attempt (default 2). */
    retries?: number;
    /** First backoff delay; later ones grow exponentially, with jitter (default 100 ms). */
    initialDelayMs?: number;
    /** Largest backoff delay (default 2 s). */
    maxDelayMs?: number;
    /** A 429 is retried after its `Retry-After` only when it is at most this long (default 2 s). */
    maxRetryAfterMs?: number;
  };
  /** The circuit breaker of this provider client. */
  breaker?: {
    /** Consecutive failures (transport errors, timeouts, 5xx) that open the circuit (default 5). */
    threshold?: number;
    /** How long calls fail fast before one trial call is let through (default 10 s). */
    halfOpenAfterMs?: number;
  };
}

export interface UpstreamRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** JSON body (serialised here). */
  json?: unknown;
  /** Form body (`application/x-www-form-urlencoded`). */
  form?: Record<string, string>;
  headers?: Record<string, string>;
  query?: Record<string, string | string[] | undefined>;
  signal?: AbortSignal;
  /**
   * The call is safe to repeat (a lookup, a quote, an eligibility check, a release, or a write
   * the provider deduplicates): transport failures, timeouts, 5xx and short 429s are retried
   * with jittered exponential backoff. Calls not marked safe are sent once.
   */
  safe?: boolean;
  /**
   * The call moves money and is not safe to repeat: a timeout or a dropped connection then
   * means the provider may have committed, reported as `payment-outcome-unknown`. Never
   * retried, whatever `safe` says.
   */
  unsafe?: boolean;
}

export interface UpstreamResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON body, `undefined` for an empty body. */
  body: unknown;
}

/**
 * Given to the policies when the caller has no signal. Cockatiel would use one shared signal
 * of its own, and Node warns once more than 10 concurrent calls listen to one signal (each
 * call's listener is removed when it ends: no leak, only noise).
 */
const NO_SIGNAL = new AbortController().signal;
setMaxListeners(0, NO_SIGNAL);

/** The provider could not be reached, timed out or dropped the connection (retryable when safe). */
class TransportFailure extends Error {
  constructor(
    readonly what: string,
    override readonly cause: unknown,
  ) {
    super(what);
  }
}

interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** What an upstream call came to, published for logs and metrics (no URL, no body: nothing secret or personal). */
export interface UpstreamEvent {
  provider: string;
  method: string;
  /** The path with its ids replaced by `:id`. */
  route: string;
  outcome: 'ok' | 'http-4xx' | 'http-5xx' | 'timeout' | 'unreachable' | 'circuit-open' | 'unreadable' | 'aborted';
  status?: number;
  durationMs: number;
}
/** Every upstream call's outcome (`UpstreamEvent`), for the observability module to count and log. */
export const upstreamCalls = channel('checkout-elements:upstream');
/** Circuit breaker changes: `{ provider, state }`. */
export const circuitChanges = channel('checkout-elements:circuit');

/** A path as a metric label: numbers, UUIDs, IRIs' ids and long tokens become `:id`. */
export function routeOf(pathname: string): string {
  return pathname.replace(/\/(?:[0-9a-f]{8}-[0-9a-f-]{27}|[0-9a-f]{24}|\d+|[A-Za-z0-9_-]{20,})(?=\/|$)/gi, '/:id');
}

/**
 * One pooled keep-alive HTTP client per provider, with its resilience policies (cockatiel):
 * a timeout per attempt, retries only for calls marked `safe`, a 429's `Retry-After` honoured
 * within a bound, and one circuit breaker for the provider, so a provider that is down makes
 * calls fail fast (503 + `Retry-After`) instead of piling up. Failures to reach the provider
 * become `ProblemError`s; HTTP error statuses are returned to the adapter, which knows what
 * they mean.
 */
export class UpstreamClient {
  readonly #name: string;
  readonly #provider: string;
  readonly #baseUrl: string;
  readonly #headers: Record<string, string>;
  readonly #agent: Agent;
  readonly #breaker: CircuitBreakerPolicy;
  readonly #halfOpenAfterMs: number;
  readonly #once: IPolicy;
  readonly #retried: IPolicy;
  #openedAt = 0;

  constructor(options: UpstreamOptions) {
    this.#name = options.name;
    this.#provider = options.provider ?? options.name;
    this.#baseUrl = options.baseUrl.replace(/\/?$/, '/');
    this.#headers = options.headers ?? {};
    this.#agent = new Agent({ connections: options.connections ?? 64, keepAliveTimeout: 30_000, pipelining: 1 });

    const { retries = 2, initialDelayMs = 100, maxDelayMs = 2000, maxRetryAfterMs = 2000 } = options.retry ?? {};
    const { threshold = 5, halfOpenAfterMs = 10_000 } = options.breaker ?? {};
    this.#halfOpenAfterMs = halfOpenAfterMs;

    // A cooperative timeout aborts the request through its signal; the request then rejects.
    // Nothing to abort once it has returned (aborting then only costs a DOMException).
    const perAttempt = timeout(options.timeoutMs ?? 8000, { strategy: TimeoutStrategy.Cooperative, abortOnReturn: false });
    // The breaker counts what says "the provider is unwell": no answer, or a 5xx.
    this.#breaker = circuitBreaker(
      handleWhen((e) => e instanceof TransportFailure).orWhenResult((r) => (r as RawResponse).status >= 500),
      { halfOpenAfter: halfOpenAfterMs, breaker: new ConsecutiveBreaker(threshold) },
    );
    this.#breaker.onBreak(() => {
      this.#openedAt = Date.now();
      if (circuitChanges.hasSubscribers) circuitChanges.publish({ provider: this.#provider, state: 'open' });
    });
    this.#breaker.onHalfOpen(() => circuitChanges.hasSubscribers && circuitChanges.publish({ provider: this.#provider, state: 'half-open' }));
    this.#breaker.onReset(() => circuitChanges.hasSubscribers && circuitChanges.publish({ provider: this.#provider, state: 'closed' }));

    const exponential = new ExponentialBackoff({ initialDelay: initialDelayMs, maxDelay: maxDelayMs });
    const retryPolicy = retry(
      handleWhen((e) => e instanceof TransportFailure).orWhenResult((r) => {
        const { status, headers } = r as RawResponse;
        if (status !== 429 && status < 500) return false;
        // A Retry-After (429 or 503) longer than we are willing to wait: hand the answer back.
        return (retryAfterMs(headers) ?? 0) <= maxRetryAfterMs;
      }),
      {
        maxAttempts: retries,
        // Exponential with decorrelated jitter, except after a 429 that says how long to wait.
        backoff: new DelegateBackoff<IRetryBackoffContext<unknown>, IBackoff<unknown> | undefined>((context, previous) => {
          const next: IBackoff<unknown> = previous ? previous.next(context) : exponential.next();
          const told = 'value' in context.result ? retryAfterMs((context.result.value as RawResponse).headers) : undefined;
          return { delay: told ?? next.duration, state: next };
        }),
      },
    );
    this.#once = wrap(this.#breaker, perAttempt);
    this.#retried = wrap(retryPolicy, this.#breaker, perAttempt);
  }

  /** `closed` (normal), `open` (failing fast) or `half-open` (one trial call in flight). */
  get circuit(): 'closed' | 'open' | 'half-open' {
    const state = this.#breaker.state;
    return state === CircuitState.Closed ? 'closed' : state === CircuitState.HalfOpen ? 'half-open' : 'open';
  }

  async request(path: string, init: UpstreamRequest = {}): Promise<UpstreamResponse> {
    const url = new URL(path.replace(/^\//, ''), this.#baseUrl);
    for (const [key, value] of Object.entries(init.query ?? {})) {
      for (const v of ([] as Array<string | undefined>).concat(value)) if (v !== undefined) url.searchParams.append(key, v);
    }
    const headers: Record<string, string> = { accept: 'application/json', ...this.#headers, ...init.headers };
    let body: string | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const method = init.method ?? 'GET';
    const failure = (cause: unknown, what: string) =>
      init.unsafe
        ? new ProblemError('payment-outcome-unknown', `${this.#name} ${what}; the operation may have been recorded. Check its status before retrying.`, { cause, retryable: false })
        : new ProblemError('upstream-unavailable', `${this.#name} ${what}.`, { cause });

    const policy = init.safe && !init.unsafe ? this.#retried : this.#once;
    const started = performance.now();
    const observe = (outcome: UpstreamEvent['outcome'], status?: number) => {
      if (!upstreamCalls.hasSubscribers) return;
      const event: UpstreamEvent = { provider: this.#provider, method, route: routeOf(url.pathname), outcome, ...(status ? { status } : {}), durationMs: performance.now() - started };
      upstreamCalls.publish(event);
    };
    let response: RawResponse;
    try {
      response = await policy.execute(({ signal }) => this.#send(url, { method, headers, body }, signal, init.signal), init.signal ?? NO_SIGNAL);
    } catch (error) {
      observe(error instanceof BrokenCircuitError ? 'circuit-open' : error instanceof TransportFailure ? (error.what === 'did not answer in time' ? 'timeout' : 'unreachable') : 'aborted');
      if (error instanceof BrokenCircuitError) {
        // Nothing was sent: safe to retry later, even for a payment.
        const wait = Math.max(1, Math.ceil((this.#openedAt + this.#halfOpenAfterMs - Date.now()) / 1000));
        throw new ProblemError('upstream-unavailable', `${this.#name} is failing; calls to it are paused for ${wait} s.`, {
          status: 503,
          headers: { 'Retry-After': String(wait) },
          cause: error,
        });
      }
      if (error instanceof TransportFailure) throw failure(error.cause, error.what);
      throw error;
    }

    let parsed: unknown;
    if (response.text.length > 0) {
      try {
        parsed = JSON.parse(response.text);
      } catch (cause) {
        observe('unreadable', response.status);
        if (response.status >= 500 || init.unsafe) throw failure(cause, `sent an unreadable reply (HTTP ${response.status})`);
        throw new ProblemError('upstream-unavailable', `${this.#name} sent a reply that is not JSON.`, { cause, retryable: false });
      }
    }
    observe(response.status >= 500 ? 'http-5xx' : response.status >= 400 ? 'http-4xx' : 'ok', response.status);
    return { status: response.status, headers: response.headers, body: parsed };
  }

  close(): Promise<void> {
    return this.#agent.close();
  }

  /**
   * One attempt: the status, headers and whole body, or a `TransportFailure`. Undici's
   * `request` rather than `fetch`: the same pool, without WHATWG streams on the hot path.
   */
  async #send(url: URL, request: { method: string; headers: Record<string, string>; body?: string }, signal: AbortSignal, callerSignal?: AbortSignal): Promise<RawResponse> {
    let response;
    try {
      response = await undiciRequest(url, { method: request.method as 'GET', headers: request.headers, body: request.body, signal, dispatcher: this.#agent });
    } catch (cause) {
      // The caller went away: not the provider's fault, nothing to retry or count.
      if (callerSignal?.aborted) throw cause;
      throw new TransportFailure(signal.aborted ? 'did not answer in time' : 'could not be reached', cause);
    }
    try {
      const text = await response.body.text();
      const headers = new Headers();
      for (const [name, value] of Object.entries(response.headers)) {
        for (const v of ([] as Array<string | undefined>).concat(value)) if (v !== undefined) headers.append(name, v);
      }
      return { status: response.statusCode, headers, text };
    } catch (cause) {
      if (callerSignal?.aborted) throw cause;
      throw new TransportFailure(signal.aborted ? 'did not answer in time' : 'dropped the connection', cause);
    }
  }
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), `undefined` when absent or unreadable. */
export function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
