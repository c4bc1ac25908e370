import { Agent, fetch as undiciFetch } from 'undici';
import { ProblemError } from '../problems.js';

export interface UpstreamOptions {
  /** Provider name, used in error messages (never the URL: it can carry an account token). */
  name: string;
  baseUrl: string;
  /** Per-call timeout, including connection and body. */
  timeoutMs?: number;
  /** Upper bound on pooled keep-alive connections to this provider. */
  connections?: number;
  headers?: Record<string, string>;
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
   * The call moves money and is not safe to repeat: a timeout or a dropped connection then
   * means the provider may have committed, reported as `payment-outcome-unknown`.
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
 * One pooled keep-alive HTTP client per provider. Failures to reach the provider become
 * `ProblemError`s; HTTP error statuses are returned to the adapter, which knows what they mean.
 */
export class UpstreamClient {
  readonly #options: Required<Omit<UpstreamOptions, 'headers'>> & { headers: Record<string, string> };
  readonly #agent: Agent;

  constructor(options: UpstreamOptions) {
    this.#options = { timeoutMs: 8000, connections: 64, headers: {}, ...options };
    this.#agent = new Agent({ connections: this.#options.connections, keepAliveTimeout: 30_000, pipelining: 1 });
  }

  async request(path: string, init: UpstreamRequest = {}): Promise<UpstreamResponse> {
    const url = new URL(path.replace(/^\//, ''), this.#options.baseUrl.replace(/\/?$/, '/'));
    for (const [key, value] of Object.entries(init.query ?? {})) {
      for (const v of ([] as Array<string | undefined>).concat(value)) if (v !== undefined) url.searchParams.append(key, v);
    }
    const headers: Record<string, string> = { accept: 'application/json', ...this.#options.headers, ...init.headers };
    let body: string | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const timeout = AbortSignal.timeout(this.#options.timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const failure = (cause: unknown, what: string) =>
      init.unsafe
        ? new ProblemError('payment-outcome-unknown', `${this.#options.name} ${what}; the operation may have been recorded. Check its status before retrying.`, { cause, retryable: false })
        : new ProblemError('upstream-unavailable', `${this.#options.name} ${what}.`, { cause });

    let response;
    try {
      response = await undiciFetch(url, { method: init.method ?? 'GET', headers, body, signal, dispatcher: this.#agent });
    } catch (cause) {
      if (init.signal?.aborted) throw cause;
      throw failure(cause, timeout.aborted ? 'did not answer in time' : 'could not be reached');
    }
    let text: string;
    try {
      text = await response.text();
    } catch (cause) {
      throw failure(cause, timeout.aborted ? 'did not answer in time' : 'dropped the connection');
    }
    let parsed: unknown;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch (cause) {
        if (response.status >= 500 || init.unsafe) throw failure(cause, `sent an unreadable reply (HTTP ${response.status})`);
        throw new ProblemError('upstream-unavailable', `${this.#options.name} sent a reply that is not JSON.`, { cause, retryable: false });
      }
    }
    return { status: response.status, headers: response.headers as unknown as Headers, body: parsed };
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}
