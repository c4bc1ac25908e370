import { IDEMPOTENCY_HEADER } from '../protocol/contract.js';
import { instalmentPaths } from '../protocol/instalment-paths.js';
import type { Checkout, InstalmentEligibility, InstalmentPaymentStatus, InstalmentSession, InstalmentStatus } from '../protocol/index.js';
import { InstalmentEligibilityShape, InstalmentSessionShape, InstalmentStatusShape } from '../protocol/instalment-reply-shapes.js';
import type { CheckoutState, InstalmentsState } from './context.js';
import { ProxyError, type ProxyClient } from './proxy-client.js';

/** What `<checkout-session>` lends the instalment actions (its client, state and storage). */
export interface InstalmentHost {
  client(): ProxyClient;
  state(): CheckoutState;
  /** `sessionStorage` key of this checkout's instalment data. */
  storageKey(): string;
  patch(partial: Partial<CheckoutState>): void;
  fail(action: 'pay' | 'instalments', error: unknown): void;
}

/** What survives the redirect to the provider's page: the attempt's key, and that we left. */
interface Stored {
  /** Idempotency key of the session request, kept while its outcome is unknown. */
  key?: string;
  /** The shopper was sent to the provider's page and is not back yet. */
  returning?: boolean;
}

const waiting = (status: InstalmentPaymentStatus) => status === 'redirected' || status === 'pending';

/** What the caller gets when a reply concerns an order the page no longer shows. */
const stale = () => new DOMException('The page moved on to another checkout.', 'AbortError');

/**
 * The session's instalment actions: check eligibility, choose an offer, open the payment
 * session (at most one request at a time; the proxy gives the same session back for the same
 * offer, so a double click, a reload or the back button never opens a second one), and on
 * load restore the payment, which the proxy confirms with the provider first. Part of the
 * instalments chunk: a session creates them only when its proxy has an instalment provider.
 */
export class InstalmentActions {
  readonly #host: InstalmentHost;
  /** The session request in flight, and the checkout it is for. */
  #opening?: { id: string; session: Promise<InstalmentSession> };

  constructor(host: InstalmentHost) {
    this.#host = host;
  }

  async check(signal?: AbortSignal): Promise<InstalmentEligibility> {
    const id = this.#checkoutId();
    const eligibility = await this.#host.client().request<InstalmentEligibility>('POST', instalmentPaths.eligibility(id), InstalmentEligibilityShape, { body: {}, signal });
    this.#still(id);
    const current = this.#host.state().instalments ?? {};
    // A choice survives a new check when the same option is still offered (new amounts, same plan).
    const chosen = eligibility.offers.some((o) => o.id === current.chosen) ? current.chosen : undefined;
    this.#host.patch({ instalments: { ...current, eligibility, chosen } });
    return eligibility;
  }

  choose(id: string | undefined): void {
    this.#host.patch({ instalments: { ...this.#host.state().instalments, chosen: id } });
  }

  pay(): Promise<InstalmentSession> {
    const id = this.#checkoutId();
    if (this.#opening?.id === id) return this.#opening.session;
    const opening = { id, session: this.#open(id).finally(() => this.#opening === opening && (this.#opening = undefined)) };
    this.#opening = opening;
    return opening.session;
  }

  async refresh(): Promise<void> {
    const checkout = this.#host.state().checkout;
    if (!checkout) return;
    const restored = await this.restore(checkout, new AbortController().signal);
    this.#still(checkout.id);
    this.#host.patch({ checkout: restored.checkout, instalments: { ...this.#host.state().instalments, ...restored.instalments } });
  }

  /** Gives up on the open payment page: the checkout is free for another way to pay. */
  async abandon(): Promise<void> {
    const id = this.#checkoutId();
    try {
      const status = await this.#host.client().request<InstalmentStatus>('POST', instalmentPaths.abandon(id), InstalmentStatusShape);
      this.#store({});
      const checkout = await this.#host.client().getCheckout(id);
      this.#still(id);
      this.#host.patch({ checkout, instalments: { ...this.#host.state().instalments, payment: status.payment ?? undefined, returned: false } });
    } catch (error) {
      if (this.#host.state().checkout?.id === id) this.#host.fail('pay', error);
      throw error;
    }
  }

  /** On load: this checkout's payment in instalments, and the checkout again when confirming it changed it. */
  async restore(checkout: Checkout, signal: AbortSignal): Promise<{ checkout: Checkout; instalments?: InstalmentsState }> {
    let status;
    try {
      status = await this.#host.client().request<InstalmentStatus>('GET', instalmentPaths.status(checkout.id), InstalmentStatusShape, { signal });
    } catch (error) {
      if (signal.aborted) throw error;
      // The checkout still works without instalments; the failure is reported.
      this.#host.fail('instalments', error);
      return { checkout };
    }
    const payment = status.payment ?? undefined;
    const decided = !!payment && !waiting(payment.status);
    const returned = decided && !!this.#stored().returning;
    if (decided) this.#store({});
    const instalments: InstalmentsState = { ...(status.eligibility ? { eligibility: status.eligibility } : {}), ...(payment ? { payment } : {}), ...(returned ? { returned } : {}) };
    // Confirming the payment may have paid the checkout or released its points.
    return { checkout: payment ? await this.#host.client().getCheckout(checkout.id, signal) : checkout, instalments };
  }

  async #open(id: string): Promise<InstalmentSession> {
    const state = this.#host.state();
    // This order's storage, whatever the page shows by the time the reply comes.
    const storage = this.#host.storageKey();
    const open = state.instalments?.payment && waiting(state.instalments.payment.status) ? state.instalments.payment : undefined;
    const offerId = open?.offer.id ?? state.instalments?.chosen;
    if (!offerId) throw new ProxyError({ type: '/problems/conflict', title: 'Choose an instalment offer first.', status: 409 });
    const stored = this.#stored(storage);
    const key = stored.key ?? crypto.randomUUID();
    this.#store({ ...stored, key }, storage);
    this.#host.patch({ busy: 'pay', problem: undefined, failedAction: undefined });
    try {
      const session = await this.#host.client().request<InstalmentSession>('POST', instalmentPaths.session(id), InstalmentSessionShape, {
        body: { offerId, returnUrl: location.href, locale: state.locale },
        headers: { [IDEMPOTENCY_HEADER]: key },
      });
      // The page moved on to another order meanwhile: nobody is sent to this one's payment page.
      this.#still(id);
      // Until the shopper is back, when the page says once how the payment ended.
      this.#store({ returning: true }, storage);
      this.#host.patch({ busy: undefined, instalments: { ...this.#host.state().instalments, payment: session.payment } });
      return session;
    } catch (error) {
      // An answer frees the key; a lost reply keeps it, so the retry finds the same session.
      if (!(error instanceof ProxyError && error.problem.status === 0)) this.#store({ ...this.#stored(storage), key: undefined }, storage);
      if (this.#host.state().checkout?.id === id) {
        this.#host.patch({ busy: undefined });
        this.#host.fail('pay', error);
      }
      throw error;
    }
  }

  /** Throws unless checkout `id` is still the one the page shows: its reply must not overwrite another's. */
  #still(id: string): void {
    if (this.#host.state().checkout?.id !== id) throw stale();
  }

  #checkoutId(): string {
    const id = this.#host.state().checkout?.id;
    if (!id) throw new ProxyError({ type: '/problems/conflict', title: 'The checkout is not loaded yet.', status: 409 });
    return id;
  }

  #stored(storage = this.#host.storageKey()): Stored {
    try {
      return JSON.parse(sessionStorage.getItem(storage) ?? '{}') as Stored;
    } catch {
      return {};
    }
  }

  #store(value: Stored, storage = this.#host.storageKey()): void {
    try {
      sessionStorage.setItem(storage, JSON.stringify(value));
    } catch {
      // Storage can be disabled: the proxy still refuses a second session for the same order.
    }
  }
}
