import { IDEMPOTENCY_HEADER, instalmentPaths, paths, problemKind, type PaymentMethod } from '../protocol/contract.js';
import type { PaymentDetails } from './context.js';
import type { Capabilities, Catalog, Checkout, InstalmentEligibility, InstalmentSession, InstalmentStatus, Problem } from '../protocol/index.js';
import {
  CapabilitiesShape,
  CatalogShape,
  CheckoutShape,
  InstalmentEligibilityShape,
  InstalmentSessionShape,
  InstalmentStatusShape,
  ProblemShape,
} from '../protocol/reply-shapes.js';
import { conforms, type Shape } from '../protocol/shape.js';

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
    return this.#call<Capabilities>('GET', paths.capabilities(), CapabilitiesShape, { signal });
  }
  createCheckout(cartId: string, signal?: AbortSignal): Promise<Checkout> {
    return this.#call<Checkout>('POST', paths.checkouts(), CheckoutShape, { body: { cartId }, signal });
  }
  getCheckout(id: string, signal?: AbortSignal): Promise<Checkout> {
    return this.#call<Checkout>('GET', paths.checkout(id), CheckoutShape, { signal });
  }
  identify(id: string, query: string): Promise<Checkout> {
    return this.#call<Checkout>('POST', paths.customer(id), CheckoutShape, { body: { query } });
  }
  catalog(id: string, signal?: AbortSignal): Promise<Catalog> {
    return this.#call<Catalog>('GET', paths.catalog(id), CatalogShape, { signal });
  }
  clearCustomer(id: string): Promise<Checkout> {
    return this.#call<Checkout>('DELETE', paths.customer(id), CheckoutShape);
  }
  setSpend(id: string, amount: number): Promise<Checkout> {
    return this.#call<Checkout>('PUT', paths.spend(id), CheckoutShape, { body: { amount } });
  }
  pay(id: string, method: PaymentMethod, idempotencyKey: string, details?: PaymentDetails): Promise<Checkout> {
    return this.#call<Checkout>('POST', paths.payments(id), CheckoutShape, { body: { method, ...details }, headers: { [IDEMPOTENCY_HEADER]: idempotencyKey } });
  }
  instalmentStatus(id: string, signal?: AbortSignal): Promise<InstalmentStatus> {
    return this.#call<InstalmentStatus>('GET', instalmentPaths.status(id), InstalmentStatusShape, { signal });
  }
  checkEligibility(id: string, signal?: AbortSignal): Promise<InstalmentEligibility> {
    return this.#call<InstalmentEligibility>('POST', instalmentPaths.eligibility(id), InstalmentEligibilityShape, { body: {}, signal });
  }
  openInstalmentSession(id: string, body: { offerId: string; returnUrl: string; locale?: string }, idempotencyKey: string): Promise<InstalmentSession> {
    return this.#call<InstalmentSession>('POST', instalmentPaths.session(id), InstalmentSessionShape, { body, headers: { [IDEMPOTENCY_HEADER]: idempotencyKey } });
  }

  async #call<T>(
    method: string,
    path: string,
    shape: Shape,
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
      throw new ProxyError(conforms(ProblemShape, body) ? (body as Problem) : { type: '/problems/internal', title: 'Unexpected reply', status: response.status, retryable: response.status >= 500 });
    }
    if (!conforms(shape, body)) throw new ProxyError({ type: '/problems/internal', title: 'Unexpected reply from the checkout server', status: 502, retryable: false });
    return body as T;
  }
}
