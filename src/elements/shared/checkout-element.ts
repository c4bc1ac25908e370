import { ContextConsumer } from '@lit/context';
import { LitElement, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import { localizer, type Localizer } from '../../i18n/localize.js';
import { pos } from './pos-hook.js';
import { checkoutContext, type CheckoutContextValue, type CheckoutState } from '../../session/context.js';

/**
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
 * @cssprop --checkout-focus-ring - Box-shadow drawn around the focused control.
 *
 * Base of the four checkout elements: finds the session (the enclosing `<checkout-session>`
 * through context, or the one named by the `session` attribute anywhere in the document) and
 * re-renders on every state change. Only this, no behaviour: each element is its own file.
 */
export abstract class CheckoutElement extends LitElement {
  /** Id of a `<checkout-session>` elsewhere in the page, for an element placed outside it. */
  @property({ reflect: true }) session?: string;

  protected context?: CheckoutContextValue;
  #unsubscribe?: () => void;
  /** The session id being joined (set before the async lookup, so one id is joined once). */
  #joined?: string;

  constructor() {
    super();
    new ContextConsumer(this, {
      context: checkoutContext,
      subscribe: true,
      callback: (value) => {
        if (!this.session) this.#receive(value);
      },
    });
  }

  /** The shared checkout state (a loading placeholder until a session is found). */
  protected get checkoutState(): CheckoutState {
    return this.context?.state ?? { phase: 'loading', locale: document.documentElement.lang || 'en' };
  }

  protected get l10n(): Localizer {
    return localizer(this.checkoutState.locale);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.session) void this.#join(this.session);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#leave();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Frameworks often set `session` after the element is in the page: join whenever it differs.
    if (changed.has('session') && this.isConnected && this.session !== this.#joined) {
      this.#leave();
      if (this.session) void this.#join(this.session);
    }
  }

  /** Called with the previous and next state; elements override it to react (e.g. move focus). */
  protected stateChanged(_previous: CheckoutState | undefined, _next: CheckoutState): void {}

  async #join(id: string): Promise<void> {
    this.#joined = id;
    await customElements.whenDefined('checkout-session');
    const root = this.getRootNode() as Document | ShadowRoot;
    const target = (root.getElementById?.(id) ?? document.getElementById(id)) as (HTMLElement & { subscribe?: (l: (v: CheckoutContextValue) => void) => () => void }) | null;
    if (this.session !== id || !this.isConnected) return;
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
    // Request the render first: stateChanged() may wait for it (updateComplete) to move focus.
    this.requestUpdate();
    if (value) {
      this.stateChanged(previous, value.state);
      pos.s?.(this, previous);
    }
  }
}
