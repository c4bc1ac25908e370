import { IDEMPOTENCY_HEADER, paths, TILL_HEADER, type PaymentMethod } from '../protocol/contract.js';
import type { PaymentDetails } from './context.js';
import { kindOf } from './problem-kind.js';
import type { Capabilities, Catalog, Checkout, Problem } from '../protocol/index.js';
import { CapabilitiesShape, CatalogShape, CheckoutShape, ProblemShape } from '../protocol/reply-shapes.js';
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
    return kindOf(this.problem);
  }
}

/**
 * Thin, typed client of the proxy's page API (v1), for one checkout: every call carries the
 * checkout's client secret (and, at a till, its staff credential); every reply is validated
 * before use. The page never creates a checkout: the shop's server does, and hands the page
 * the client secret.
 */
export class ProxyClient {
  readonly endpoint: string;
  readonly #auth: Record<string, string>;

  constructor(endpoint: string, clientSecret: string, tillCredential?: string) {
    this.endpoint = endpoint.replace(/\/+$/, '');
    this.#auth = { authorization: `Bearer ${clientSecret}`, ...(tillCredential ? { [TILL_HEADER]: tillCredential } : {}) };
  }

  capabilities(signal?: AbortSignal): Promise<Capabilities> {
    return this.request<Capabilities>('GET', paths.capabilities(), CapabilitiesShape, { signal });
  }
  getCheckout(id: string, signal?: AbortSignal): Promise<Checkout> {
    return this.request<Checkout>('GET', paths.checkout(id), CheckoutShape, { signal });
  }
  identify(id: string, query: string): Promise<Checkout> {
    return this.request<Checkout>('POST', paths.customer(id), CheckoutShape, { body: { query } });
  }
  verify(id: string, code: string): Promise<Checkout> {
    return this.request<Checkout>('POST', paths.verification(id), CheckoutShape, { body: { code } });
  }
  catalog(id: string, signal?: AbortSignal): Promise<Catalog> {
    return this.request<Catalog>('GET', paths.catalog(id), CatalogShape, { signal });
  }
  clearCustomer(id: string): Promise<Checkout> {
    return this.request<Checkout>('DELETE', paths.customer(id), CheckoutShape);
  }
  setSpend(id: string, amount: number): Promise<Checkout> {
    return this.request<Checkout>('PUT', paths.spend(id), CheckoutShape, { body: { amount } });
  }
  requestPayment(id: string, amount: number): Promise<Checkout> {
    return this.request<Checkout>('POST', paths.paymentRequest(id), CheckoutShape, { body: { amount } });
  }
  cancelPaymentRequest(id: string): Promise<Checkout> {
    return this.request<Checkout>('DELETE', paths.paymentRequest(id), CheckoutShape);
  }
  pay(id: string, method: PaymentMethod, amount: number, idempotencyKey: string, details?: PaymentDetails): Promise<Checkout> {
    return this.request<Checkout>('POST', paths.payments(id), CheckoutShape, { body: { method, amount, ...details }, headers: { [IDEMPOTENCY_HEADER]: idempotencyKey } });
  }

  /** Any call of the page API (the instalments chunk makes its own with it). */
  async request<T>(
    method: string,
    path: string,
    shape: Shape,
    init: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.endpoint + path, {
        method,
        headers: { accept: 'application/json', ...this.#auth, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
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
