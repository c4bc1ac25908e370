import { provide } from '@lit/context';
import { css, html, LitElement, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { emit } from '../../events.js';
import { loadLocale } from '../../i18n/localize.js';
import type { CatalogOffer, Checkout, InstalmentEligibility, InstalmentSession, PaymentMethod, Problem } from '../../protocol/index.js';
import { checkoutContext, type CheckoutActions, type CheckoutContextValue, type CheckoutState, type PaymentDetails } from '../../session/context.js';
import { InstalmentActions } from '../../session/instalments.js';
import { ProxyClient, ProxyError } from '../../session/proxy-client.js';

type Action = NonNullable<CheckoutState['busy']>;

/** Problems after which no money can have moved: a new attempt gets a new key. */
const DEFINITE_FAILURES = new Set(['validation', 'not-found', 'conflict', 'rejected', 'idempotency-mismatch', 'not-supported', 'rate-limited', 'upstream-unavailable']);

/**
 * Holds one checkout and shares it with the checkout elements inside it (through
 * `@lit/context`) or pointing at it by id (`session="…"`). It owns the proxy client, keeps the
 * checkout id in `sessionStorage` so a reload or a redirect round trip resumes the same
 * checkout, and makes sure a payment is attempted at most once at a time with one
 * idempotency key per attempt.
 *
 * @tagname checkout-session
 * @summary The shared state and proxy connection of one checkout.
 * @slot - The checkout elements and any page content.
 * @fires checkout-error - A call to the proxy failed; `detail.problem` says why.
 * @fires catalog-change - The offers the identified customer may buy are known; `detail.offers`.
 */
export class CheckoutSession extends LitElement implements CheckoutActions {
  static override styles = css`
    :host {
      display: contents;
    }
  `;

  /** URL of the checkout proxy (absolute, or relative to the page). */
  @property({ reflect: true }) endpoint = '/checkout-api';

  /** The merchant's cart id; amounts are read from it on the server, never from the page. */
  @property({ attribute: 'cart-id', reflect: true }) cartId = '';

  /** Currency the page expects; a cart in another currency is reported as an error. */
  @property({ reflect: true }) currency?: string;

  /** Locale of the elements (`fr`, `pt-BR`…); defaults to the nearest `lang` attribute. */
  @property({ reflect: true }) locale?: string;

  /**
   * `pos` for a cashier at a till: the lookup field takes the focus (scanners), larger targets,
   * the payment method chosen on `<checkout-pay>` (cheque and card details where the provider
   * keeps them), a "Print receipt" button. Loaded on demand. Default: `web`.
   */
  @property({ reflect: true }) mode?: 'web' | 'pos';

  @provide({ context: checkoutContext })
  @state()
  protected context: CheckoutContextValue = { state: { phase: 'loading', locale: 'en' }, actions: this };

  #client = new ProxyClient(this.endpoint);
  #listeners = new Set<(value: CheckoutContextValue) => void>();
  #loading?: AbortController;
  #paying?: Promise<Checkout>;
  #langObserver?: MutationObserver;
  #instalments = new InstalmentActions({
    client: () => this.#client,
    state: () => this.context.state,
    storageKey: () => `${this.#storageKey}:instalments`,
    patch: (partial) => this.#patch(partial),
    fail: (action, error) => this.#fail(action, error),
  });
  /** Back-button navigations restore a frozen page (bfcache): read the checkout again. */
  #onPageShow = (event: PageTransitionEvent) => {
    if (event.persisted) void this.reload();
  };

  /** The current shared state (read-only snapshot). */
  get state(): CheckoutState {
    return this.context.state;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Follow `lang` changes on the page when no `locale` is set.
    this.#langObserver = new MutationObserver(() => void this.#applyLocale());
    this.#langObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
    window.addEventListener('pageshow', this.#onPageShow);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#langObserver?.disconnect();
    window.removeEventListener('pageshow', this.#onPageShow);
    this.#loading?.abort();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('locale')) void this.#applyLocale();
    // Into POS mode (or out of it): the chunk is loaded first, then the elements re-render.
    if (changed.has('mode') && (this.mode === 'pos' || this.state.pos)) void import('../pos/pos.js').then(() => this.#patch({ pos: this.mode === 'pos' }));
    if (changed.has('endpoint') || changed.has('cartId') || changed.has('currency')) {
      this.#client = new ProxyClient(this.endpoint);
      void this.reload();
    }
  }

  protected override render() {
    return html`<slot></slot>`;
  }

  subscribe(listener: (value: CheckoutContextValue) => void): () => void {
    this.#listeners.add(listener);
    listener(this.context);
    return () => this.#listeners.delete(listener);
  }

  /** Loads capabilities and resumes this cart's checkout (or starts one). */
  async reload(): Promise<void> {
    this.#loading?.abort();
    const loading = (this.#loading = new AbortController());
    const { signal } = loading;
    if (!this.cartId) {
      this.#fail('load', { type: '/problems/validation', title: 'No cart-id', status: 400 });
      return;
    }
    this.#patch({ phase: 'loading', problem: undefined, failedAction: undefined });
    try {
      const [capabilities, resumed] = await Promise.all([this.#client.capabilities(signal), this.#resume(signal)]);
      if (signal.aborted) return;
      if (this.currency && resumed.cart.currency !== this.currency) {
        throw new ProxyError({ type: '/problems/validation', title: `Cart in ${resumed.cart.currency}`, status: 400 });
      }
      // A payment in instalments is settled first: back from the provider's page, it decides what the page shows.
      const { checkout, instalments } = capabilities.instalments ? await this.#instalments.restore(resumed, signal) : { checkout: resumed, instalments: undefined };
      if (signal.aborted) return;
      this.#patch({ phase: 'ready', capabilities, checkout, instalments, paymentPending: !!this.#stored().paymentKey && checkout.status !== 'paid' });
      if (checkout.status === 'paid') this.#store({ checkoutId: checkout.id });
      // A resumed checkout with its customer: the page needs the catalog again.
      if (checkout.customer && capabilities.loyalty.catalog) void this.loadCatalog().catch(() => {});
    } catch (error) {
      if (!signal.aborted) this.#fail('load', error);
    }
  }

  async lookup(query: string): Promise<Checkout> {
    const checkout = await this.#run('lookup', (id) => this.#client.identify(id, query));
    // A club page lists what this customer may buy: tell it as soon as the customer is known.
    if (this.state.capabilities?.loyalty.catalog) void this.loadCatalog().catch(() => {});
    return checkout;
  }

  /**
   * The offers the identified customer may buy (providers with a catalog, e.g. Resamania).
   * Also fires `catalog-change`, so a page can list them and build its cart from them.
   */
  async loadCatalog(): Promise<CatalogOffer[]> {
    const id = this.state.checkout?.id;
    if (!id) return [];
    try {
      const { offers } = await this.#client.catalog(id);
      emit(this, 'catalog-change', { offers });
      return offers;
    } catch (error) {
      this.#fail('catalog', error);
      throw error;
    }
  }

  clearCustomer(): Promise<Checkout> {
    return this.#run('clear', (id) => this.#client.clearCustomer(id));
  }

  setSpend(amount: number): Promise<Checkout> {
    return this.#run('spend', (id) => this.#client.setSpend(id, amount));
  }

  /**
   * Pays the amount due. A second call while one is running returns the same promise; the
   * attempt's idempotency key is kept until the outcome is known, so a retry after a timeout
   * or a reload can never pay twice.
   */
  pay(method: PaymentMethod, details?: PaymentDetails): Promise<Checkout> {
    const paid = this.state.checkout?.status === 'paid' ? this.state.checkout : undefined;
    if (paid) return Promise.resolve(paid);
    this.#paying ??= this.#run('pay', async (id) => {
      const stored = this.#stored();
      // An earlier attempt whose outcome was unknown: ask for the status before sending again.
      if (stored.paymentKey) {
        const settled = await this.#settled(id);
        if (settled) return settled;
      }
      const paymentKey = stored.paymentKey ?? crypto.randomUUID();
      this.#store({ ...stored, checkoutId: id, paymentKey });
      this.#patch({ paymentPending: true });
      try {
        const checkout = await this.#client.pay(id, method, paymentKey, details);
        this.#store({ checkoutId: id });
        this.#patch({ paymentPending: false });
        return checkout;
      } catch (error) {
        if (error instanceof ProxyError && DEFINITE_FAILURES.has(error.kind)) {
          this.#store({ checkoutId: id });
          this.#patch({ paymentPending: false });
        } else {
          // Unknown outcome: the proxy settles it with the provider when asked; maybe it is paid.
          const settled = await this.#settled(id);
          if (settled) return settled;
        }
        throw error;
      }
    }).finally(() => (this.#paying = undefined));
    return this.#paying;
  }

  /** The checkout if the proxy now knows it is paid (the key is then done with), else undefined. */
  async #settled(id: string): Promise<Checkout | undefined> {
    const checkout = await this.#client.getCheckout(id).catch(() => undefined);
    if (checkout?.status !== 'paid') return undefined;
    this.#store({ checkoutId: id });
    this.#patch({ paymentPending: false });
    return checkout;
  }

  /** The instalment offers for the current amount due; abort it when the amount changes again. */
  checkEligibility(signal?: AbortSignal): Promise<InstalmentEligibility> {
    return this.#instalments.check(signal);
  }

  /** Chooses an instalment offer (`undefined`: pay in full). */
  chooseOffer(id: string | undefined): void {
    this.#instalments.choose(id);
  }

  /** Opens the chosen offer's payment session (or the open one again); the page sends the shopper to its `url`. */
  payInInstalments(): Promise<InstalmentSession> {
    return this.#instalments.pay();
  }

  /** Reads the payment in instalments again (a pending one is checked with the provider). */
  refreshInstalments(): Promise<void> {
    return this.#instalments.refresh();
  }

  async #run(action: Action, call: (checkoutId: string) => Promise<Checkout>): Promise<Checkout> {
    const id = this.state.checkout?.id;
    if (!id) throw new ProxyError({ type: '/problems/conflict', title: 'Not loaded', status: 409 });
    if (this.state.busy && action !== 'pay') throw new ProxyError({ type: '/problems/conflict', title: 'Busy', status: 409 });
    this.#patch({ busy: action, problem: undefined, failedAction: undefined });
    try {
      const checkout = await call(id);
      this.#patch({ busy: undefined, checkout });
      return checkout;
    } catch (error) {
      this.#patch({ busy: undefined });
      this.#fail(action, error);
      throw error;
    }
  }

  async #resume(signal: AbortSignal): Promise<Checkout> {
    const { checkoutId } = this.#stored();
    if (checkoutId) {
      try {
        return await this.#client.getCheckout(checkoutId, signal);
      } catch (error) {
        if (!(error instanceof ProxyError && error.kind === 'not-found')) throw error;
      }
    }
    const checkout = await this.#client.createCheckout(this.cartId, signal);
    this.#store({ checkoutId: checkout.id });
    return checkout;
  }

  #fail(action: Action | 'load' | 'catalog' | 'instalments', error: unknown): void {
    const problem: Problem = error instanceof ProxyError ? error.problem : { type: '/problems/internal', title: String(error), status: 0 };
    this.#patch({ problem, failedAction: action, ...(action === 'load' ? { phase: 'error' as const } : {}) });
    emit(this, 'checkout-error', { problem, action });
  }

  #patch(partial: Partial<CheckoutState>): void {
    this.context = { state: { ...this.context.state, ...partial }, actions: this };
    for (const listener of this.#listeners) listener(this.context);
  }

  /** Switches the elements' language live: loads its catalogue first, then re-renders. */
  async #applyLocale(): Promise<void> {
    const locale = this.#resolveLocale();
    await loadLocale(locale).catch(() => {});
    if (locale === this.#resolveLocale()) this.#patch({ locale });
  }

  #resolveLocale(): string {
    return this.locale || this.closest<HTMLElement>('[lang]')?.lang || document.documentElement.lang || 'en';
  }

  /** Per session element (its id), proxy and cart: two checkouts on one page never share it. */
  get #storageKey(): string {
    return `checkout-elements:${this.id}:${this.endpoint}:${this.cartId}`;
  }

  #stored(): { checkoutId?: string; paymentKey?: string } {
    try {
      return JSON.parse(sessionStorage.getItem(this.#storageKey) ?? '{}') as { checkoutId?: string; paymentKey?: string };
    } catch {
      return {};
    }
  }

  #store(value: { checkoutId?: string; paymentKey?: string }): void {
    try {
      sessionStorage.setItem(this.#storageKey, JSON.stringify(value));
    } catch {
      // Storage can be disabled (private mode, sandboxed iframes): the checkout still works, without resume.
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'checkout-session': CheckoutSession;
  }
}
