import * as z from 'zod/mini';
import {
  Capabilities,
  Catalog,
  Checkout,
  IDEMPOTENCY_HEADER,
  InstalmentEligibility,
  instalmentPaths,
  InstalmentSession,
  InstalmentStatus,
  paths,
  Problem,
  problemKind,
  type PaymentMethod,
} from '../protocol/index.js';

/** A failed proxy call, carrying the proxy's problem document (or a synthetic one). */
export class ProxyError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ProxyError';
    this.problem = problem;
  }
  get kind() {
    return problemKind(this.problem);
  }
}

/** Thin, typed client of the proxy's v1 contract; every reply is validated before use. */
export class ProxyClient {
  readonly endpoint: string;

  constructor(endpoint: string) {
    this.endpoint = endpoint.replace(/\/+$/, '');
  }

  capabilities(signal?: AbortSignal): Promise<Capabilities> {
    return this.#call('GET', paths.capabilities(), Capabilities, { signal });
  }
  createCheckout(cartId: string, signal?: AbortSignal): Promise<Checkout> {
    return this.#call('POST', paths.checkouts(), Checkout, { body: { cartId }, signal });
  }
  getCheckout(id: string, signal?: AbortSignal): Promise<Checkout> {
    return this.#call('GET', paths.checkout(id), Checkout, { signal });
  }
  identify(id: string, query: string): Promise<Checkout> {
    return this.#call('POST', paths.customer(id), Checkout, { body: { query } });
  }
  catalog(id: string, signal?: AbortSignal): Promise<Catalog> {
    return this.#call('GET', paths.catalog(id), Catalog, { signal });
  }
  clearCustomer(id: string): Promise<Checkout> {
    return this.#call('DELETE', paths.customer(id), Checkout);
  }
  setSpend(id: string, amount: number): Promise<Checkout> {
    return this.#call('PUT', paths.spend(id), Checkout, { body: { amount } });
  }
  pay(id: string, method: PaymentMethod, idempotencyKey: string): Promise<Checkout> {
    return this.#call('POST', paths.payments(id), Checkout, { body: { method }, headers: { [IDEMPOTENCY_HEADER]: idempotencyKey } });
  }
  instalmentStatus(id: string, signal?: AbortSignal): Promise<InstalmentStatus> {
    return this.#call('GET', instalmentPaths.status(id), InstalmentStatus, { signal });
  }
  checkEligibility(id: string, signal?: AbortSignal): Promise<InstalmentEligibility> {
    return this.#call('POST', instalmentPaths.eligibility(id), InstalmentEligibility, { body: {}, signal });
  }
  openInstalmentSession(id: string, body: { offerId: string; returnUrl: string; locale?: string }, idempotencyKey: string): Promise<InstalmentSession> {
    return this.#call('POST', instalmentPaths.session(id), InstalmentSession, { body, headers: { [IDEMPOTENCY_HEADER]: idempotencyKey } });
  }

  async #call<T>(
    method: string,
    path: string,
    schema: z.ZodMiniType<T>,
    init: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.endpoint + path, {
        method,
        headers: { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
        body: init.body ? JSON.stringify(init.body) : undefined,
        signal: init.signal,
        credentials: 'omit',
      });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new ProxyError({ type: '/problems/network', title: 'Network error', status: 0, retryable: true });
    }
    const body = await response.json().catch(() => undefined);
    if (!response.ok) {
      const problem = Problem.safeParse(body);
      throw new ProxyError(problem.success ? problem.data : { type: '/problems/internal', title: 'Unexpected reply', status: response.status, retryable: response.status >= 500 });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new ProxyError({ type: '/problems/internal', title: 'Unexpected reply from the checkout server', status: 502, retryable: false });
    return parsed.data;
  }
}
