import { ContextEvent } from '@lit/context';
import { html, LitElement, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { localizer, type Localizer } from '../../i18n/localize.js';
import { pos } from './pos-hook.js';
import { describeProblem } from './problem-message.js';

/** The language subtag of a language tag (`fr-CH` → `fr`). */
const language = (tag: string) => tag.toLowerCase().split('-')[0];

/** Asks the enclosing session for the checkout (the Context Community Protocol, which @lit/context speaks). */
const request = (element: HTMLElement, callback: (value: CheckoutContextValue | undefined, unsubscribe?: () => void) => void) =>
  element.dispatchEvent(new ContextEvent(checkoutContext, element, callback, true));
import { checkoutContext, type CheckoutContextValue, type CheckoutState } from '../../session/context.js';

/**
 * Base of the four checkout elements: finds the session (the enclosing `<checkout-session>`
 * through context, or the one named by the `session` attribute anywhere in the document) and
 * renders again when the part of the state the element shows changed (`select`), not on every
 * change. Only this, no behaviour: each element is its own file.
 *
 * @cssprop --checkout-color-text - Text colour (light-dark(#1b1f24, #e6e8eb) by default).
 * @cssprop --checkout-color-muted - Secondary text.
 * @cssprop --checkout-color-surface - Card background.
 * @cssprop --checkout-color-border - Card and field borders.
 * @cssprop --checkout-color-accent - Buttons, links, slider, focus ring.
 * @cssprop --checkout-color-on-accent - Text on accent-coloured buttons.
 * @cssprop --checkout-color-danger - Error messages and invalid fields.
 * @cssprop --checkout-color-success - What the order earns; the receipt heading.
 * @cssprop --checkout-radius - Corner radius of cards (half of it on fields and buttons).
 * @cssprop --checkout-spacing - Gap and padding unit.
 * @cssprop --checkout-font-family - Font.
 * @cssprop --checkout-font-size - Base font size.
 * @cssprop --checkout-focus-ring - Box-shadow drawn around the focused control (default: a 2 px accent ring outside a 2 px gap).
 */
export abstract class CheckoutElement extends LitElement {
  static override properties: PropertyDeclarations = { session: { reflect: true } };

  /** Id of a `<checkout-session>` elsewhere in the page, for an element placed outside it. */
  session?: string;

  protected context?: CheckoutContextValue;
  #unsubscribe?: () => void;
  /** The session joined: its id, or '' for the enclosing one (set before the async lookup, so one is joined once). */
  #joined?: string;
  /** What the last render showed (see `select`). */
  #shown: readonly unknown[] = [];
  /** Hidden by this element because it has nothing to show (never un-hides what the page hid). */
  #empty = false;

  /** The shared checkout state (a loading placeholder until a session is found). */
  protected get checkoutState(): CheckoutState {
    return this.context?.state ?? { phase: 'loading', locale: document.documentElement.lang || 'en' };
  }

  protected get l10n(): Localizer {
    return localizer(this.checkoutState.locale);
  }

  /**
   * The parts of the state this element shows, compared with `===` on each change (the session
   * keeps the identity of parts that did not change): it renders again only when one differs.
   * `undefined`: it has nothing to show for this checkout, and takes no room in the page.
   */
  protected abstract select(state: CheckoutState): unknown[] | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#join();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#leave();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Frameworks often set `session` after the element is in the page: join whenever it differs.
    if (changed.has('session') && this.isConnected && (this.session ?? '') !== this.#joined) {
      this.#leave();
      this.#join();
    }
  }

  protected override render(): unknown {
    const state = this.checkoutState;
    // Nothing before the language's catalogue is in: never a flash of another language.
    if (this.#empty || !state.locale) return nothing;
    // The checkout could not be loaded: each element says why (nothing of a previous order stays).
    if (state.phase === 'error' && state.problem) {
      const { message, retry } = describeProblem(state.problem, this.l10n, 'load');
      return html`<div class="card">
        <p class="error" part="error" role="alert">${message}</p>
        ${retry ? html`<button type="button" class="secondary" @click=${() => this.context?.actions.reload()}>${this.l10n.t('error.retry')}</button>` : nothing}
      </div>`;
    }
    return this.renderState(state);
  }

  /** The element's content for `state`. */
  protected abstract renderState(state: CheckoutState): unknown;

  protected override updated(): void {
    // Content in another language than the page's says which (WCAG 3.1.2): a French page with
    // the elements in English, or a language without a catalogue shown in English.
    const { lang } = this.l10n;
    const page = this.closest<HTMLElement>('[lang]')?.lang ?? document.documentElement.lang;
    const other = language(lang) !== language(page);
    for (const node of this.renderRoot.children) {
      if (other) node.setAttribute('lang', lang);
      else node.removeAttribute('lang');
    }
  }

  /** Called with the previous and next state; elements override it to react (e.g. move focus). */
  protected stateChanged(_previous: CheckoutState | undefined, _next: CheckoutState): void {}

  #join(): void {
    const id = (this.#joined = this.session ?? '');
    if (id) {
      void this.#joinById(id);
      return;
    }
    request(this, (value, unsubscribe) => {
      if (this.#unsubscribe !== unsubscribe) this.#unsubscribe?.();
      this.#unsubscribe = unsubscribe;
      this.#receive(value);
    });
  }

  async #joinById(id: string): Promise<void> {
    await customElements.whenDefined('checkout-session');
    const root = this.getRootNode() as Document | ShadowRoot;
    const target = (root.getElementById?.(id) ?? document.getElementById(id)) as (HTMLElement & { subscribe?: (l: (v: CheckoutContextValue) => void) => () => void }) | null;
    if (this.#joined !== id || !this.isConnected) return;
    if (!target?.subscribe) {
      console.warn(`No session #${id}`);
      return;
    }
    this.#unsubscribe = target.subscribe((value) => this.#receive(value));
  }

  #leave(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#joined = undefined;
  }

  #receive(value: CheckoutContextValue | undefined): void {
    const previous = this.context?.state;
    this.context = value;
    const state = this.checkoutState;
    const selected = this.select(state);
    const empty = !selected;
    if (empty !== this.#empty) this.hidden = this.#empty = empty;
    const shown = selected ? [state.locale, state.lang, state.phase, state.phase === 'error' && state.problem, ...selected] : [];
    if (shown.length !== this.#shown.length || shown.some((part, i) => part !== this.#shown[i])) {
      this.#shown = shown;
      // Requested first: stateChanged() may wait for the render (updateComplete) to move focus.
      this.requestUpdate();
    }
    if (value) {
      this.stateChanged(previous, state);
      pos.s?.(this, previous);
    }
  }
}
