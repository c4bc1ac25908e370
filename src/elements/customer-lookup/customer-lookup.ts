import { html, nothing } from 'lit';
import { emit } from '../../events.js';
import type { CheckoutState } from '../../session/context.js';
import { baseStyles } from '../shared/base.styles.js';
import { CheckoutElement } from '../shared/checkout-element.js';
import { describeProblem, fieldMessage } from '../shared/problem-message.js';
import { customerLookupStyles } from './customer-lookup.styles.js';

/**
 * One field for what the customer has (phone, card number, e-mail or app code), a submit
 * button, and once found the customer's masked name with a "Not you?" button that clears it.
 * Scanners that type and press Enter work as is. A lookup proves nothing about who types:
 * where the provider has a code only the account's owner knows (a pass code, the code in
 * their app), a second field asks for it before points can be used.
 *
 * @tagname customer-lookup
 * @summary Finds the customer in the loyalty programme.
 * @fires customer-found - The customer was found (and again once they proved the account is theirs); `detail.customer` is masked.
 * @fires customer-cleared - The customer pressed "Not you?".
 * @csspart form - The lookup form.
 * @csspart input - The text field.
 * @csspart button - The submit button.
 * @csspart customer - The found customer's block.
 * @csspart clear - The "Not you?" button.
 * @csspart code - The field for the code that proves the account is the shopper's.
 * @csspart error - The error message.
 * @cssprop --checkout-color-accent - Buttons and focus ring.
 * @cssprop --checkout-color-border - Field and card borders.
 * @cssprop --checkout-radius - Corner radius.
 */
export class CustomerLookup extends CheckoutElement {
  static override styles = [baseStyles, customerLookupStyles];
  static override properties = { label: {}, placeholder: {} };

  /** Label of the field; defaults to a localized one fitting the provider's lookup kinds. */
  label?: string;

  /** Placeholder of the field. */
  placeholder = '';

  private get input() {
    return this.renderRoot.querySelector<HTMLInputElement>('#query');
  }
  private get codeInput() {
    return this.renderRoot.querySelector<HTMLInputElement>('#code');
  }
  private get clearButton() {
    return this.renderRoot.querySelector<HTMLButtonElement>('.clear');
  }

  /** Looks up a customer the page already knows (a logged-in shopper). Fires no event. */
  lookup(query: string) {
    return this.context?.actions.lookup(query);
  }

  protected override stateChanged(previous: CheckoutState | undefined, next: CheckoutState): void {
    // After a lookup, move focus to the result so keyboard and screen-reader users follow.
    if (previous?.busy === 'lookup' && !next.busy && next.checkout?.customer) void this.updateComplete.then(() => (this.codeInput ?? this.clearButton)?.focus());
    if (previous?.busy === 'verify' && !next.busy) void this.updateComplete.then(() => (this.codeInput ?? this.clearButton)?.focus());
    if (previous?.busy === 'clear' && !next.busy) void this.updateComplete.then(() => this.input?.focus());
  }

  protected override select(state: CheckoutState) {
    const { checkout, failedAction } = state;
    return [checkout?.customer, checkout?.status, state.capabilities?.loyalty, state.busy, failedAction === 'lookup' || failedAction === 'verify' ? state.problem : undefined];
  }

  protected override renderState(state: CheckoutState) {
    const { t } = this.l10n;
    const customer = state.checkout?.customer;
    if (customer) {
      const locked = state.checkout?.status !== 'open';
      const proof = state.capabilities?.loyalty.proof ?? 'none';
      const problem = state.failedAction === 'verify' ? state.problem : undefined;
      const error = problem && (fieldMessage(problem, 'code') ?? describeProblem(problem, this.l10n).message);
      return html`<div class="card" part="customer" role="status">
        <p class="found">
          ${t('lookup.found', { name: customer.displayName })}
          ${customer.maskedCard || customer.maskedPhone ? html`<span class="muted">${customer.maskedCard ?? customer.maskedPhone}</span>` : nothing}
        </p>
        ${customer.inDebt ? html`<p class="error" part="error" role="alert">${customer.debt ? t('lookup.debt', { amount: this.l10n.money(customer.debt) }) : t('lookup.debtUnverified')}</p>` : nothing}
        ${!customer.verified && proof !== 'none' && !locked
          ? html`<form @submit=${this.#verify} novalidate>
              <label for="code">${t(`lookup.code.${proof}`)}</label>
              <div class="row">
                <input id="code" part="code" name="code" autocomplete="one-time-code" required maxlength="64" aria-invalid=${error ? 'true' : 'false'} aria-describedby=${error ? 'code-error' : nothing} />
                <button type="submit" aria-disabled=${state.busy ? 'true' : 'false'}>${state.busy === 'verify' ? t('lookup.confirming') : t('lookup.confirm')}</button>
              </div>
              <p id="code-error" class="error" role="alert">${error ?? nothing}</p>
            </form>`
          : nothing}
        ${state.checkout?.status === 'paid'
          ? html`<p class="muted">${t('lookup.paidLocked')}</p>`
          : html`<button class="link clear" part="clear" type="button" ?disabled=${!!state.busy || locked} @click=${this.#clear}>${t('lookup.notYou')}</button>`}
      </div>`;
    }
    const busy = state.busy === 'lookup';
    const problem = state.failedAction === 'lookup' ? state.problem : undefined;
    const error = problem && describeProblem(problem, this.l10n).message;
    const kinds = state.capabilities?.loyalty.lookup.kinds ?? [];
    const label = this.label ?? t(kinds.length === 1 && kinds[0] === 'email' ? 'lookup.label.email' : 'lookup.label');
    return html`<form class="card" part="form" @submit=${this.#submit} novalidate>
      <label for="query">${label}</label>
      <div class="row">
        <input
          id="query"
          part="input"
          name="query"
          type=${kinds.length === 1 && kinds[0] === 'email' ? 'email' : 'text'}
          autocomplete="off"
          enterkeyhint="search"
          required
          minlength="3"
          maxlength="100"
          placeholder=${this.placeholder}
          aria-invalid=${error ? 'true' : 'false'}
          aria-describedby=${error ? 'error' : nothing}
          ?disabled=${state.phase !== 'ready'}
        />
        <button part="button" type="submit" aria-disabled=${busy || state.phase !== 'ready' ? 'true' : 'false'}>
          ${busy ? t('lookup.pending') : t('lookup.submit')}
        </button>
      </div>
      <p id="error" class="error" part="error" role="alert">${error ?? nothing}</p>
    </form>`;
  }

  async #submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const state = this.checkoutState;
    const query = this.input?.value.trim() ?? '';
    if (state.busy || state.phase !== 'ready' || !query) {
      this.input?.focus();
      return;
    }
    try {
      const checkout = await this.context!.actions.lookup(query);
      if (checkout.customer) emit(this, 'customer-found', { customer: checkout.customer });
    } catch {
      // The session keeps the problem; render shows it next to the field.
      this.input?.focus();
    }
  }

  async #verify(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const code = this.codeInput?.value.trim() ?? '';
    if (this.checkoutState.busy || !code) {
      this.codeInput?.focus();
      return;
    }
    try {
      const checkout = await this.context!.actions.verify(code);
      if (checkout.customer) emit(this, 'customer-found', { customer: checkout.customer });
    } catch {
      // The session keeps the problem; render shows it next to the field.
    }
  }

  async #clear(): Promise<void> {
    try {
      await this.context!.actions.clearCustomer();
      emit(this, 'customer-cleared', { reason: 'user' });
    } catch {
      // Shown through the session's problem.
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'customer-lookup': CustomerLookup;
  }
}
