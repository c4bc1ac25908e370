import { fixture, waitUntil } from '@open-wc/testing';
import type { TemplateResult } from 'lit';
import '../../src/define.js';
import type { CheckoutSession } from '../../src/elements/checkout-session/checkout-session.js';

/** The proxy mounted on the test server by web-test-runner.config.mjs. */
export const ENDPOINT = '/api/ru-loyalty';

/** Demo identities of the ru-loyalty simulator. */
export const CASHBACK_PHONE = '+7 920 123-45-67';
export const DISCOUNT_CARD = '2000000000025';
export const EARN_ONLY_CARD = '2000000000032';

/** Renders a template holding a `<checkout-session>` and waits until it is ready. */
export async function sessionFixture<T extends HTMLElement = CheckoutSession>(template: TemplateResult): Promise<T> {
  sessionStorage.clear();
  await resetSimulator();
  const el = await fixture<T>(template);
  const session = (el.localName === 'checkout-session' ? el : el.querySelector('checkout-session')) as CheckoutSession;
  await waitUntil(() => session.state.phase !== 'loading', 'the session did not load', { timeout: 5000 });
  return el;
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
