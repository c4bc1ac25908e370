import type { Checkout, InstalmentEligibility, InstalmentPaymentStatus, InstalmentSession } from '../protocol/index.js';
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

/**
 * The session's instalment actions: check eligibility, choose an offer, open the payment
 * session (at most one request at a time; the proxy gives the same session back for the same
 * offer, so a double click, a reload or the back button never opens a second one), and on
 * load restore the payment, which the proxy confirms with the provider first.
 */
export class InstalmentActions {
  readonly #host: InstalmentHost;
  #opening?: Promise<InstalmentSession>;

  constructor(host: InstalmentHost) {
    this.#host = host;
  }

  async check(signal?: AbortSignal): Promise<InstalmentEligibility> {
    const eligibility = await this.#host.client().checkEligibility(this.#checkoutId(), signal);
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
    this.#opening ??= this.#open().finally(() => (this.#opening = undefined));
    return this.#opening;
  }

  async refresh(): Promise<void> {
    const checkout = this.#host.state().checkout;
    if (!checkout) return;
    const restored = await this.restore(checkout, new AbortController().signal);
    this.#host.patch({ checkout: restored.checkout, instalments: { ...this.#host.state().instalments, ...restored.instalments } });
  }

  /** On load: this checkout's payment in instalments, and the checkout again when confirming it changed it. */
  async restore(checkout: Checkout, signal: AbortSignal): Promise<{ checkout: Checkout; instalments?: InstalmentsState }> {
    let status;
    try {
      status = await this.#host.client().instalmentStatus(checkout.id, signal);
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

  async #open(): Promise<InstalmentSession> {
    const state = this.#host.state();
    const id = this.#checkoutId();
    const open = state.instalments?.payment && waiting(state.instalments.payment.status) ? state.instalments.payment : undefined;
    const offerId = open?.offer.id ?? state.instalments?.chosen;
    if (!offerId) throw new ProxyError({ type: '/problems/conflict', title: 'Choose an instalment offer first.', status: 409 });
    const stored = this.#stored();
    const key = stored.key ?? crypto.randomUUID();
    this.#store({ ...stored, key });
    this.#host.patch({ busy: 'pay', problem: undefined, failedAction: undefined });
    try {
      const session = await this.#host.client().openInstalmentSession(id, { offerId, returnUrl: location.href, locale: state.locale }, key);
      // Until the shopper is back, when the page says once how the payment ended.
      this.#store({ returning: true });
      this.#host.patch({ busy: undefined, instalments: { ...this.#host.state().instalments, payment: session.payment } });
      return session;
    } catch (error) {
      // An answer frees the key; a lost reply keeps it, so the retry finds the same session.
      if (!(error instanceof ProxyError && error.problem.status === 0)) this.#store({ ...this.#stored(), key: undefined });
      this.#host.patch({ busy: undefined });
      this.#host.fail('pay', error);
      throw error;
    }
  }

  #checkoutId(): string {
    const id = this.#host.state().checkout?.id;
    if (!id) throw new ProxyError({ type: '/problems/conflict', title: 'The checkout is not loaded yet.', status: 409 });
    return id;
  }

  #stored(): Stored {
    try {
      return JSON.parse(sessionStorage.getItem(this.#host.storageKey()) ?? '{}') as Stored;
    } catch {
      return {};
    }
  }

  #store(value: Stored): void {
    try {
      sessionStorage.setItem(this.#host.storageKey(), JSON.stringify(value));
    } catch {
      // Storage can be disabled: the proxy still refuses a second session for the same order.
    }
  }
}
