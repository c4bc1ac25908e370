import { fixture, html, waitUntil } from '@open-wc/testing';
import type { TemplateResult } from 'lit';
import '../../src/define.js';
import type { CheckoutPay } from '../../src/elements/checkout-pay/checkout-pay.js';
import type { CheckoutSession } from '../../src/elements/checkout-session/checkout-session.js';

/** The proxy mounted on the test server by web-test-runner.config.mjs. */
export const ENDPOINT = '/api/ru-loyalty';

/** Demo identities of the ru-loyalty simulator. */
export const CASHBACK_PHONE = '+7 920 123-45-67';
export const DISCOUNT_CARD = '2000000000025';
export const EARN_ONLY_CARD = '2000000000032';

/**
 * A new checkout, created as the shop's server creates it (`/test-shop/checkouts`): its client
 * secret for the page. `customer` is a shopper the shop vouches for; `till` rings it up at a till.
 */
export async function newCheckout(cartId: string, options: { api?: string; customer?: string; till?: string } = {}): Promise<{ clientSecret: string; checkoutId: string; tillCredential?: string }> {
  const response = await fetch('/test-shop/checkouts', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api: options.api, cartId, ...(options.customer ? { customer: { query: options.customer } } : {}), ...(options.till ? { till: options.till } : {}) }),
  });
  if (!response.ok) throw new Error(`no checkout: ${response.status} ${await response.text()}`);
  return response.json();
}

/** The client secret of a new checkout for `cartId` (see `newCheckout`). */
export const secretFor = async (cartId: string, options: Parameters<typeof newCheckout>[1] = {}) => (await newCheckout(cartId, options)).clientSecret;

/** The shop's server confirms the payment its PSP took (what follows a `payment-requested`). */
export async function confirmPayment(detail: { checkoutId: string; amount: unknown; key: string }, api = 'ru-loyalty'): Promise<Response> {
  return fetch('/test-shop/confirm', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ api, ...detail }) });
}

/** Renders a template holding a `<checkout-session>` and waits until it is ready. */
export async function sessionFixture<T extends HTMLElement = CheckoutSession>(template: TemplateResult): Promise<T> {
  sessionStorage.clear();
  await resetSimulator();
  const el = await fixture<T>(template);
  const session = (el.localName === 'checkout-session' ? el : el.querySelector('checkout-session')) as CheckoutSession;
  await waitUntil(() => session.state.phase !== 'loading', 'the session did not load', { timeout: 5000 });
  return el;
}

/** A till (POS mode) ringing up cart-1000 in cash for the earn-only customer, its pay element ready. */
export async function cashTill(): Promise<{ session: CheckoutSession; pay: CheckoutPay }> {
  const { clientSecret, tillCredential } = await newCheckout('cart-1000', { till: 'till-1' });
  const session = await sessionFixture<CheckoutSession>(
    html`<checkout-session mode="pos" endpoint=${ENDPOINT} client-secret=${clientSecret} till-credential=${tillCredential!}><checkout-pay method="cash"></checkout-pay></checkout-session>`,
  );
  const pay = session.querySelector('checkout-pay') as CheckoutPay;
  await waitUntil(() => session.state.pos);
  await session.lookup(EARN_ONLY_CARD);
  await pay.updateComplete;
  return { session, pay };
}

/** Something inside an element's shadow root. */
export function shadow<T extends Element = HTMLElement>(host: Element, selector: string): T {
  const found = host.shadowRoot?.querySelector<T>(selector);
  if (!found) throw new Error(`<${host.localName}> has no ${selector} in its shadow root`);
  return found;
}

export function shadowText(host: Element): string {
  // Intl puts no-break spaces in money ("RUB\u00a050.00"); compare as a reader would.
  return [...(host.shadowRoot?.children ?? [])].map((c) => (c as HTMLElement).innerText).join('\n').replace(/[\u00a0\u202f]/g, ' ');
}

/** Puts the simulator back to its seeded clients, no holds, empty journal. */
export async function resetSimulator(): Promise<void> {
  await fetch('/sim/ru-loyalty/__reset', { method: 'POST' });
}

/** How many times the simulator answered `path` (its request journal, over HTTP). */
export async function upstreamCount(path: string): Promise<number> {
  const entries = (await (await fetch('/sim/ru-loyalty/__journal')).json()) as Array<{ path: string }>;
  return entries.filter((e) => e.path === path).length;
}

/** Types into the lookup field and submits, as a person would. */
export async function lookUp(lookup: Element, query: string): Promise<void> {
  const input = shadow<HTMLInputElement>(lookup, 'input');
  input.value = query;
  shadow<HTMLButtonElement>(lookup, 'button[type=submit]').click();
}
