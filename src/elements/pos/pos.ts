import { html } from 'lit';
import { registerDefaults, type Localizer } from '../../i18n/localize.js';
import { enPos } from '../../i18n/locales/en-pos.js';
import type { PaymentMethod } from '../../protocol/index.js';
import type { CheckoutContextValue, CheckoutState, PaymentDetails } from '../../session/context.js';
import { pos } from '../shared/pos-hook.js';

/**
 * POS mode (`<checkout-session mode="pos">`, a cashier at a till), loaded on demand so the
 * drop-in stays small. It fills the hooks of `../shared/pos-hook.ts`; every hook does nothing
 * for an element whose session is not in POS mode (a page may hold both kinds).
 *
 * - The lookup field takes the focus when the checkout is ready with no customer (on load,
 *   and after each sale when the page starts the next one: a new `cart-id` reloads the session).
 * - Large targets: a stylesheet adopted into each element's shadow root.
 * - `<checkout-pay>` offers the provider's payment methods (a labelled radio group), a
 *   cheque's bank and number, and for Resamania the card network; they go with the payment.
 * - A "Print receipt" button under the receipt, and print styles that print the receipt alone.
 */

// Its English messages come with it (other locales carry them in their own chunks).
// Under the page's own words (`registerLocale`), which win.
registerDefaults('en', enPos);

/** Card networks Resamania knows (its `paymentCards[].network`). */
const CARD_NETWORKS = ['CBGroup', 'AmEx', 'Payline', 'External'] as const;

/** What the hooks read of an element (protected members, reached from here on purpose). */
type Element = HTMLElement & { context?: CheckoutContextValue; l10n: Localizer; method: PaymentMethod; updateComplete: Promise<boolean>; checkoutState: CheckoutState };

/** Plain CSS (not Lit's `css`): the chunk imports as little as possible from the drop-in. */
const sheet = new CSSStyleSheet();
sheet.replaceSync(`
  :host {
    font-size: calc(var(--checkout-font-size, 1rem) * 1.25);
  }
  input,
  select,
  button:not(.link) {
    min-height: 3.5rem;
  }
  button.link {
    min-height: 2.75rem;
  }
  select {
    font: inherit;
    color: inherit;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) / 2);
    padding: 0.5em 0.75em;
    width: 100%;
  }
  fieldset {
    border: 0;
    margin: 0;
    padding: 0;
    display: flex;
    flex-wrap: wrap;
    gap: calc(var(--_space) / 2);
  }
  legend {
    font-weight: 600;
    padding: 0;
    margin-bottom: calc(var(--_space) / 2);
  }
  .methods label {
    display: flex;
    align-items: center;
    gap: 0.5em;
    min-height: 3.5rem;
    padding: 0 1em;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) / 2);
    cursor: pointer;
  }
  .methods label:has(:checked) {
    border-color: var(--_accent);
    box-shadow: inset 0 0 0 1px var(--_accent);
  }
  .methods label:has(:focus-visible) {
    box-shadow: var(--_focus);
  }
  input[type='radio'] {
    width: 1.25em;
    height: 1.25em;
    min-height: 0;
    margin: 0;
    accent-color: var(--_accent);
  }
  .details {
    display: grid;
    gap: calc(var(--_space) / 2);
  }
  .print {
    margin-top: var(--_space);
    width: 100%;
  }
  @media print {
    .print {
      display: none;
    }
    .receipt {
      border: 0;
      color: #000;
      background: #fff;
    }
    .receipt h2,
    dt {
      color: #000;
    }
  }
`);

/** The page prints the receipt alone while its element is marked. */
const pageSheet = new CSSStyleSheet();
pageSheet.replaceSync(`@media print {
  body * { visibility: hidden; }
  [data-checkout-print], [data-checkout-print] * { visibility: visible; }
  [data-checkout-print] { position: absolute; inset: 0 auto auto 0; width: 100%; }
}`);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, pageSheet];

const inPos = (element: HTMLElement) => !!(element as Element).context?.state.pos;

pos.s = (element, previous) => {
  const next = (element as Element).checkoutState;
  const root = element.shadowRoot;
  if (root) {
    const adopted = root.adoptedStyleSheets.includes(sheet);
    if (next.pos && !adopted) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    else if (!next.pos && adopted) root.adoptedStyleSheets = root.adoptedStyleSheets.filter((s) => s !== sheet);
  }
  // Ready for a new customer (first load, POS mode just on, the next sale's cart): to the field.
  const ready = (state?: CheckoutState) => state?.pos && state.phase === 'ready' && !state.checkout?.customer;
  if (element.localName === 'customer-lookup' && ready(next) && !ready(previous)) {
    void (element as Element).updateComplete.then(() => root?.querySelector('input')?.focus());
  }
};

pos.m = (element) => {
  const el = element as Element;
  return inPos(el) ? html`<dt>${el.l10n.t('pay.method')}</dt><dd>${el.l10n.t(`pay.method.${el.method}`)}</dd>` : undefined;
};

pos.c = (element) => {
  if (!inPos(element)) return undefined;
  const el = element as Element;
  const { t } = el.l10n;
  // Under the receipt (a paid checkout), the print button; else the method choice.
  if (el.checkoutState.checkout?.status === 'paid') {
    return html`<button type="button" class="secondary print" @click=${() => printReceipt(element)}>${t('pos.print')}</button>`;
  }
  const capabilities = el.checkoutState.capabilities;
  // What a cashier takes at the counter; `external` (the shop's PSP) and `none` are not till methods.
  const methods = (capabilities?.loyalty.paymentMethods ?? []).filter((method) => method === 'card' || method === 'cash' || method === 'cheque');
  return html`<fieldset class="methods" role="radiogroup">
      <legend>${t('pay.method')}</legend>
      ${methods.map(
        (method) => html`<label
          ><input type="radio" name="method" value=${method} .checked=${el.method === method} @change=${() => (el.method = method)} />${t(`pay.method.${method}`)}</label
        >`,
      )}
    </fieldset>
    ${el.method === 'cheque'
      ? html`<div class="details">
          <label for="pos-bank">${t('pos.bank')}</label>
          <input id="pos-bank" autocomplete="off" maxlength="64" />
          <label for="pos-number">${t('pos.number')}</label>
          <input id="pos-number" autocomplete="off" inputmode="numeric" maxlength="64" />
        </div>`
      : el.method === 'card' && capabilities?.loyalty.provider === 'resamania'
        ? html`<div class="details">
            <label for="pos-network">${t('pos.network')}</label>
            <select id="pos-network">
              ${CARD_NETWORKS.map((network) => html`<option>${network}</option>`)}
            </select>
          </div>`
        : undefined}`;
};

pos.d = (element): PaymentDetails | undefined => {
  if (!inPos(element)) return undefined;
  const el = element as Element;
  const value = (id: string) => (element.shadowRoot?.getElementById(id) as HTMLInputElement | null)?.value.trim() || undefined;
  if (el.method === 'card') {
    const cardNetwork = value('pos-network');
    return cardNetwork ? { cardNetwork } : undefined;
  }
  if (el.method !== 'cheque') return undefined;
  const bank = value('pos-bank');
  const number = value('pos-number');
  return bank || number ? { cheque: { ...(bank ? { bank } : {}), ...(number ? { number } : {}) } } : undefined;
};

function printReceipt(element: HTMLElement): void {
  element.setAttribute('data-checkout-print', '');
  try {
    window.print();
  } finally {
    element.removeAttribute('data-checkout-print');
  }
}
