import { html, LitElement, type PropertyValues } from 'lit';
import { emit } from '../../events.js';
import { loadLocale } from '../../i18n/localize.js';
import { checkoutIdOf } from '../../protocol/contract.js';
import type { CatalogOffer, Checkout, InstalmentEligibility, InstalmentSession, PaymentMethod, Problem } from '../../protocol/index.js';
import { checkoutContext, type CheckoutActions, type CheckoutContextValue, type CheckoutState, type PaymentDetails } from '../../session/context.js';
import type { InstalmentActions, InstalmentHost } from '../../session/instalments.js';
import { css } from '../shared/css.js';
import { instalments as instalmentsHook } from '../shared/instalments-hook.js';
import { ProxyClient, ProxyError } from '../../session/proxy-client.js';
import { share } from '../../session/share.js';

/**
 * The on-demand chunks the session loads before it shows what they render (each once; a
 * failed load is tried again next time; never fails): the outcome (waiting for the shop's PSP,
 * receipt, review, cancelled) and the words for problems. Without the problems chunk (most
 * likely offline) a problem still shows, in the network's or the generic words.
 */
const loadOutcome = (): Promise<void> => import('../outcome/outcome.js').then(
  () => {},
  () => {},
);
const loadProblemMessages = (): Promise<void> => import('../problems/problems.js').then(
  () => {},
  () => {},
);

type Action = NonNullable<CheckoutState['busy']>;

/** Problems after which no money can have moved: a new attempt gets a new key. */
const DEFINITE_FAILURES = new Set(['validation', 'unauthorized', 'forbidden', 'proof-required', 'not-found', 'conflict', 'amount-changed', 'rejected', 'idempotency-mismatch', 'not-supported', 'rate-limited', 'upstream-unavailable']);

/** How often the session reads a checkout that waits for the shop's confirmation or a settlement. */
const WATCH_MS = 2000;

/** What the caller of an action gets when its reply concerns an order the page no longer shows. */
const stale = () => new DOMException('The page moved on to another checkout.', 'AbortError');

/**
 * Holds one checkout and shares it with the checkout elements inside it (through
 * `@lit/context`) or pointing at it by id (`session="…"`). It owns the proxy client for the
 * checkout its `client-secret` opens (the shop's server created the checkout and handed the
 * page this secret), and makes sure a payment is attempted at most once at a time with one
 * idempotency key per attempt, kept in `sessionStorage` so a reload never pays twice. While
 * the shop's PSP takes the money, it reads the checkout until the shop's server confirmed it.
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

  static override properties = {
    endpoint: { reflect: true },
    clientSecret: { attribute: 'client-secret' },
    tillCredential: { attribute: 'till-credential' },
    currency: { reflect: true },
    locale: { reflect: true },
    mode: { reflect: true },
  };

  /** URL of the checkout proxy (absolute, or relative to the page). */
  endpoint = '/checkout-api';

  /**
   * The checkout's client secret, from the shop's server (which created the checkout with its
   * cart: amounts come from there, never from the page). It opens this one checkout only.
   */
  clientSecret = '';

  /** POS mode: the till's staff credential, from the shop's server (records cash, cheque and card). */
  tillCredential?: string;

  /** Currency the page expects; a cart in another currency is reported as an error. */
  currency?: string;

  /** Locale of the elements (`fr`, `pt-BR`…); defaults to the nearest `lang` attribute. */
  locale?: string;

  /**
   * `pos` for a cashier at a till: the lookup field takes the focus (scanners), larger targets,
   * the payment method chosen on `<checkout-pay>` (cheque and card details where the provider
   * keeps them), a "Print receipt" button. Loaded on demand. Default: `web`.
   */
  mode?: 'web' | 'pos';

  /**
   * What the elements share: replaced on every change, never mutated (see `#patch`). No locale
   * until the first load brings the language's catalogue with the checkout: the elements render
   * nothing before, so never a flash of English on a French page.
   */
  #value: CheckoutContextValue = { state: { phase: 'loading', locale: '', lang: document.documentElement.lang }, actions: this };
  #client = new ProxyClient(this.endpoint, '');
  #listeners = new Set<(value: CheckoutContextValue) => void>();
  #loading?: AbortController;
  #paying?: Promise<Checkout>;
  #watching?: ReturnType<typeof setTimeout>;
  #langObserver?: MutationObserver;
  /** Pay in instalments: created with the instalments chunk, when the proxy has an instalment provider. */
  #instalments?: InstalmentActions;
  #instalmentHost: InstalmentHost = {
    client: () => this.#client,
    state: () => this.state,
    storageKey: () => `${this.#storageKey}:instalments`,
    patch: (partial) => this.#patch(partial),
    fail: (action, error) => this.#fail(action, error),
  };
  /** Back-button navigations restore a frozen page (bfcache): read the checkout again. */
  #onPageShow = (event: PageTransitionEvent) => {
    if (event.persisted) void this.reload();
  };

  /** The current shared state (read-only snapshot). */
  get state(): CheckoutState {
    return this.#value.state;
  }

  constructor() {
    super();
    // The Context Community Protocol (what @lit/context speaks): the elements inside ask for the
    // checkout with a `context-request` event; each gets the state now and on every change.
    this.addEventListener('context-request', (event) => {
      if (event.context !== checkoutContext) return;
      event.stopPropagation();
      if (event.subscribe) this.#listen(event.callback);
      else event.callback(this.#value);
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Follow `lang` changes on the page when no `locale` is set.
    this.#langObserver = new MutationObserver(() => {
      // The elements mark content in another language than the page's: they follow it too.
      this.#patch({ lang: document.documentElement.lang });
      void this.#applyLocale();
    });
    this.#langObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
    window.addEventListener('pageshow', this.#onPageShow);
    // Moved in the page (a framework re-parenting it): leaving stopped the load and the watcher.
    if (this.#loading?.signal.aborted) void this.reload();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#langObserver?.disconnect();
    window.removeEventListener('pageshow', this.#onPageShow);
    this.#loading?.abort();
    clearTimeout(this.#watching);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('locale')) void this.#applyLocale();
    // Into POS mode (or out of it): the chunk is loaded first, then the elements re-render.
    if (changed.has('mode') && (this.mode === 'pos' || this.state.pos)) void import('../pos/pos.js').then(() => this.#patch({ pos: this.mode === 'pos' }));
    if (changed.has('endpoint') || changed.has('clientSecret') || changed.has('tillCredential') || changed.has('currency')) {
      this.#client = new ProxyClient(this.endpoint, this.clientSecret, this.tillCredential);
      void this.reload();
    }
  }

  protected override render() {
    return html`<slot></slot>`;
  }

  subscribe(listener: (value: CheckoutContextValue) => void): () => void {
    return this.#listen(listener);
  }

  #listen(callback: (value: CheckoutContextValue, unsubscribe: () => void) => void): () => void {
    const listener = (value: CheckoutContextValue) => callback(value, unsubscribe);
    const unsubscribe = () => void this.#listeners.delete(listener);
    this.#listeners.add(listener);
    listener(this.#value);
    return unsubscribe;
  }

  /** Loads capabilities and the checkout the client secret opens. */
  async reload(): Promise<void> {
    this.#loading?.abort();
    const loading = (this.#loading = new AbortController());
    const { signal } = loading;
    // Another order than the one shown: nothing of the previous one stays on screen meanwhile.
    if (this.state.checkout && !this.#shows(this.state.checkout.id)) {
      this.#paying = undefined;
      this.#patch({ checkout: undefined, instalments: undefined, busy: undefined, paymentPending: undefined });
    }
    this.#patch({ phase: 'loading', problem: undefined, failedAction: undefined });
    // A page (a framework) that gets the client secret from its server sets it a moment later:
    // until then the order is loading, not failing.
    if (!this.clientSecret) return;
    // All asked at once, the language's catalogue too; what the proxy can do is kept even when
    // the checkout cannot be opened (an element with nothing to offer stays out of the page).
    const [capabilities, resumed] = await Promise.allSettled([
      this.#client.capabilities(signal),
      this.#client.getCheckout(checkoutIdOf(this.clientSecret), signal),
      loadLocale(this.#resolveLocale()),
    ]);
    // The language may have changed meanwhile (at once when it did not: its catalogue is in).
    const locale = this.#resolveLocale();
    await loadLocale(locale);
    if (signal.aborted) return;
    const known = { locale, ...(capabilities.status === 'fulfilled' ? { capabilities: capabilities.value } : {}) };
    try {
      if (capabilities.status === 'rejected') throw capabilities.reason;
      if (resumed.status === 'rejected') throw resumed.reason;
      const currency = resumed.value.cart.currency;
      if (this.currency && currency !== this.currency) {
        throw new ProxyError({ type: '/problems/currency-mismatch', title: `Cart in ${currency}`, detail: `The order is in ${currency}; this page expects ${this.currency}.`, status: 400 });
      }
      // With an instalment provider, its chunk first; then a payment in instalments is settled
      // first: back from the provider's page, it decides what the page shows.
      if (capabilities.value.instalments) {
        await import('../instalments/instalments.js');
        this.#instalments ??= instalmentsHook.actions!(this.#instalmentHost);
        // Its messages in the page's language, before anything shows.
        await loadLocale(locale);
      }
      const { checkout, instalments } = this.#instalments && capabilities.value.instalments ? await this.#instalments.restore(resumed.value, signal) : { checkout: resumed.value, instalments: undefined };
      await this.#outcomeOf(checkout);
      if (signal.aborted) return;
      // A key kept from an attempt before the reload is done with once the checkout is paid or open again.
      const kept = !!this.#stored().paymentKey;
      const pending = kept && checkout.status !== 'paid' && checkout.status !== 'open';
      if (kept && !pending) this.#store({});
      this.#patch({ ...known, phase: 'ready', checkout, instalments, paymentPending: pending });
      this.#watch();
      // A resumed checkout with its customer: the page needs the catalog again.
      if (checkout.customer && capabilities.value.loyalty.catalog) void this.loadCatalog().catch(() => {});
    } catch (error) {
      await loadProblemMessages();
      if (!signal.aborted) this.#fail('load', error, known);
    }
  }

  verify(code: string): Promise<Checkout> {
    return this.#run('verify', (id) => this.#client.verify(id, code));
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
      if (!this.#shows(id)) throw stale();
      emit(this, 'catalog-change', { offers });
      return offers;
    } catch (error) {
      await loadProblemMessages();
      if (this.#shows(id)) this.#fail('catalog', error);
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
   * Settles the amount due. Nothing due, or a till: the payment is recorded now, with one
   * idempotency key per attempt kept until the outcome is known, so a retry after a timeout
   * or a reload can never pay twice. Something due on a web page: the amount is handed to the
   * shop's PSP — the checkout waits (`awaiting-payment`, with its `paymentRequest`) and is read
   * until the shop's server confirmed the payment. A second call while one runs gets the same
   * promise.
   */
  pay(method: PaymentMethod, details?: PaymentDetails): Promise<Checkout> {
    const current = this.state.checkout;
    if (current?.status === 'paid') return Promise.resolve(current);
    if (this.#paying) return this.#paying;
    // What shows once paid (or waiting for the shop's PSP) loads meanwhile.
    void loadOutcome();
    const due = current?.amountDue.amount ?? 0;
    const paying: Promise<Checkout> = this.#run('pay', (id) => (due > 0 && !this.state.pos ? this.#client.requestPayment(id, due) : this.#record(id, due, method, details))).finally(() => {
      // Unless the page moved on to another order, which may have its own payment running.
      if (this.#paying === paying) this.#paying = undefined;
      this.#watch();
    });
    return (this.#paying = paying);
  }

  /** Records the payment of order `id` (a till, or nothing due) with this attempt's idempotency key. */
  async #record(id: string, due: number, method: PaymentMethod, details?: PaymentDetails): Promise<Checkout> {
    // This order's storage, whatever the page shows by the time the reply comes.
    const storage = this.#storageKey;
    const stored = this.#stored(storage);
    // An earlier attempt whose outcome was unknown: ask for the status before sending again.
    if (stored.paymentKey) {
      const settled = await this.#settled(id, true);
      if (settled) return settled;
    }
    const paymentKey = this.#stored(storage).paymentKey ?? crypto.randomUUID();
    this.#store({ paymentKey }, storage);
    this.#patchFor(id, { paymentPending: true });
    try {
      const checkout = await this.#client.pay(id, due > 0 ? method : 'none', due, paymentKey, details);
      this.#store({}, storage);
      this.#patchFor(id, { paymentPending: false });
      return checkout;
    } catch (error) {
      if (error instanceof ProxyError && DEFINITE_FAILURES.has(error.kind)) {
        this.#store({}, storage);
        this.#patchFor(id, { paymentPending: false });
        // The amount moved under the payer (the cart changed): show the checkout as it is now.
        if (error.kind === 'amount-changed') void this.#settled(id);
      } else {
        // Unknown outcome: the proxy settles it with the provider when asked; maybe it is paid.
        const settled = await this.#settled(id, true);
        if (settled) return settled;
      }
      throw error;
    }
  }

  /**
   * Reads the checkout again, without showing it as loading: a page whose server just
   * confirmed the PSP's payment calls it to show the receipt at once.
   */
  async refresh(): Promise<Checkout | undefined> {
    const id = this.state.checkout?.id;
    if (!id) return undefined;
    const checkout = (await this.#settled(id)) ?? this.state.checkout;
    this.#watch();
    return checkout;
  }

  cancelPaymentRequest(): Promise<Checkout> {
    return this.#run('pay', (id) => this.#client.cancelPaymentRequest(id));
  }

  /**
   * The checkout as the proxy has it now (shown if the page still shows it); undefined when it
   * is not paid. The attempt's key is done with once the checkout is paid, or reads open again
   * while no payment call runs (`idle`): the proxy settled the unknown outcome as not paid, so
   * the next attempt gets a new key.
   */
  async #settled(id: string, idle = !this.#paying): Promise<Checkout | undefined> {
    const checkout = await this.#client.getCheckout(id).catch(() => undefined);
    if (checkout) await this.#outcomeOf(checkout);
    if (!checkout || !this.#shows(checkout.id)) return undefined;
    const done = checkout.status === 'paid' || (idle && checkout.status === 'open');
    if (done) this.#store({});
    this.#patch({ checkout, ...(done ? { paymentPending: false } : {}) });
    return checkout.status === 'paid' ? checkout : undefined;
  }

  /**
   * While the checkout waits for the shop's server (or a payment's outcome is being settled),
   * read it again every few seconds; the elements show the receipt as soon as it is paid.
   */
  #watch(): void {
    clearTimeout(this.#watching);
    const status = this.state.checkout?.status;
    if (!this.isConnected || (status !== 'awaiting-payment' && status !== 'outcome-unknown')) return;
    this.#watching = setTimeout(async () => {
      const id = this.state.checkout?.id;
      if (id && !this.state.busy) await this.#settled(id);
      this.#watch();
    }, WATCH_MS);
  }

  /** The instalment offers for the current amount due; abort it when the amount changes again. */
  checkEligibility(signal?: AbortSignal): Promise<InstalmentEligibility> {
    return this.#instalmentActions().check(signal);
  }

  /** Chooses an instalment offer (`undefined`: pay in full). */
  chooseOffer(id: string | undefined): void {
    this.#instalmentActions().choose(id);
  }

  /** Opens the chosen offer's payment session (or the open one again); the page sends the shopper to its `url`. */
  payInInstalments(): Promise<InstalmentSession> {
    return this.#instalmentActions().pay();
  }

  /** Reads the payment in instalments again (a pending one is checked with the provider). */
  refreshInstalments(): Promise<void> {
    return this.#instalmentActions().refresh();
  }

  /** Gives up on the open payment in instalments, to pay another way. */
  abandonInstalments(): Promise<void> {
    return this.#instalmentActions().abandon();
  }

  #instalmentActions(): InstalmentActions {
    if (!this.#instalments) throw new ProxyError({ type: '/problems/not-supported', title: 'No instalment provider', status: 404 });
    return this.#instalments;
  }

  async #run(action: Action, call: (checkoutId: string) => Promise<Checkout>): Promise<Checkout> {
    const id = this.state.checkout?.id;
    if (!id) throw new ProxyError({ type: '/problems/conflict', title: 'Not loaded', status: 409 });
    if (this.state.busy && action !== 'pay') throw new ProxyError({ type: '/problems/conflict', title: 'Busy', status: 409 });
    this.#patch({ busy: action, problem: undefined, failedAction: undefined });
    let checkout: Checkout;
    try {
      checkout = await call(id);
    } catch (error) {
      await loadProblemMessages();
      // A failure of an order the page no longer shows concerns nothing on screen.
      if (!this.#shows(id)) throw stale();
      this.#patch({ busy: undefined });
      this.#fail(action, error);
      throw error;
    }
    await this.#outcomeOf(checkout);
    // Each reply names its checkout: one for an order the page moved on from (a till starting the
    // next sale while a call was in flight) never overwrites the one shown.
    if (!this.#shows(checkout.id)) throw stale();
    this.#patch({ busy: undefined, checkout });
    this.#watch();
    return checkout;
  }

  /**
   * A checkout no longer open (waiting for the shop's PSP, paid, to review, cancelled) shows
   * with the outcome chunk: loaded first, so it never shows without it.
   */
  async #outcomeOf(checkout: Checkout): Promise<void> {
    if (checkout.status !== 'open') await loadOutcome();
  }

  /** Whether checkout `id` is the one the page shows (its client secret opens it). */
  #shows(id: string): boolean {
    return id === checkoutIdOf(this.clientSecret);
  }

  /** `#patch`, if checkout `id` is still the one shown. */
  #patchFor(id: string, partial: Partial<CheckoutState>): void {
    if (this.#shows(id)) this.#patch(partial);
  }

  /**
   * Shows and tells a failure. Its words come in the problems chunk, loaded with the first
   * problem: each caller waits for `loadProblemMessages()` first (the instalments chunk brings it).
   */
  #fail(action: Action | 'load' | 'catalog' | 'instalments', error: unknown, known: Partial<CheckoutState> = {}): void {
    const problem: Problem = error instanceof ProxyError ? error.problem : { type: '/problems/internal', title: String(error), status: 0 };
    // A checkout that cannot be loaded shows its failure, never what an earlier one left.
    const failed = action === 'load' ? { phase: 'error' as const, checkout: undefined, instalments: undefined, busy: undefined, paymentPending: undefined } : {};
    this.#patch({ ...known, problem, failedAction: action, ...failed });
    emit(this, 'checkout-error', { problem, action });
  }

  /**
   * A new state with `partial` in it, told to every element; parts equal to what the state
   * already has keep their identity (and a change to nothing tells no one), so an element
   * renders only when what it shows changed.
   */
  #patch(partial: Partial<CheckoutState>): void {
    const previous = this.state;
    let next: Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(partial) as Array<[keyof CheckoutState, unknown]>) {
      const shared = share(previous[key], value);
      if (shared !== previous[key]) (next ??= { ...previous })[key] = shared;
    }
    if (!next) return;
    this.#value = { state: next as unknown as CheckoutState, actions: this };
    for (const listener of this.#listeners) listener(this.#value);
  }

  /** Switches the elements' language live: loads its catalogue first, then re-renders. */
  async #applyLocale(): Promise<void> {
    // Before the first load is in, it brings the language itself.
    if (!this.state.locale) return;
    const locale = this.#resolveLocale();
    await loadLocale(locale).catch(() => {});
    if (locale === this.#resolveLocale()) this.#patch({ locale });
  }

  #resolveLocale(): string {
    return this.locale || this.closest<HTMLElement>('[lang]')?.lang || document.documentElement.lang || 'en';
  }

  /** Per checkout: two checkouts on one page never share it. */
  get #storageKey(): string {
    return `checkout-elements:${this.endpoint}:${checkoutIdOf(this.clientSecret)}`;
  }

  #stored(storage = this.#storageKey): { paymentKey?: string } {
    try {
      return JSON.parse(sessionStorage.getItem(storage) ?? '{}') as { paymentKey?: string };
    } catch {
      return {};
    }
  }

  #store(value: { paymentKey?: string }, storage = this.#storageKey): void {
    try {
      sessionStorage.setItem(storage, JSON.stringify(value));
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
