import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { CheckoutPay } from '../../src/elements/checkout-pay/checkout-pay.js';
import type { CheckoutSession } from '../../src/elements/checkout-session/checkout-session.js';
import { CustomerLookup } from '../../src/elements/customer-lookup/customer-lookup.js';
import { LoyaltyBalance } from '../../src/elements/loyalty-balance/loyalty-balance.js';
import { ENDPOINT, secretFor, sessionFixture, shadowText } from './helpers.js';

/** What each element showed after each of its renders, in order. */
const shown: Array<{ tag: string; text: string }> = [];
for (const type of [CustomerLookup, LoyaltyBalance, CheckoutPay]) {
  const prototype = type.prototype as unknown as { updated(changed: unknown): void };
  const updated = prototype.updated;
  prototype.updated = function (this: HTMLElement, changed: unknown) {
    updated.call(this, changed);
    shown.push({ tag: this.localName, text: shadowText(this).trim() });
  };
}

const TAGS = ['customer-lookup', 'loyalty-balance', 'checkout-pay'] as const;
const page = (locale: string | undefined) => async () =>
  html`<checkout-session endpoint=${ENDPOINT} client-secret=${await secretFor('cart-1000')} locale=${locale ?? ''}
    ><customer-lookup></customer-lookup><loyalty-balance></loyalty-balance><checkout-pay></checkout-pay
  ></checkout-session>`;
/** `lang` on each top-level node an element renders (undefined when none has it). */
const langs = (session: Element) =>
  TAGS.map((tag) => {
    const nodes = [...session.querySelector(tag)!.shadowRoot!.children];
    const values = new Set(nodes.map((node) => node.getAttribute('lang')));
    expect(values.size, `${tag}: one lang for all its content`).to.equal(1);
    return [...values][0] ?? undefined;
  });

describe('language', () => {
  const pageLang = document.documentElement.lang;
  afterEach(() => {
    document.documentElement.lang = pageLang;
  });

  it('with locale="fr", the elements render in French from their first render: no English before the catalogue', async () => {
    document.documentElement.lang = 'fr';
    shown.length = 0;
    sessionStorage.clear();
    const session = await fixture<CheckoutSession>(await page('fr')());
    await waitUntil(() => session.state.phase === 'ready', 'not ready', { timeout: 5000 });
    await Promise.all(TAGS.map((tag) => (session.querySelector(tag) as CheckoutPay).updateComplete));
    const texts = shown.filter((entry) => entry.text);
    expect(texts.length).to.be.greaterThan(2);
    for (const { tag, text } of texts) expect(text, `${tag} showed "${text}"`).not.to.match(/Loading|Find|Loyalty card|To pay|Pay RUB/);
    expect(texts.find((entry) => entry.tag === 'checkout-pay')!.text).to.contain('À payer');
  });

  it('puts lang on the content when the elements\' language differs from the page\'s, and not when it is the same', async () => {
    document.documentElement.lang = 'en';
    const session = await sessionFixture<CheckoutSession>(await page('fr')());
    await waitUntil(() => session.state.locale === 'fr');
    await Promise.all(TAGS.map((tag) => (session.querySelector(tag) as CheckoutPay).updateComplete));
    expect(langs(session)).to.deep.equal(['fr', 'fr', 'fr']);
    for (const tag of TAGS) await expect(session.querySelector(tag)!).to.be.accessible();

    session.locale = 'en';
    await waitUntil(() => session.state.locale === 'en');
    await Promise.all(TAGS.map((tag) => (session.querySelector(tag) as CheckoutPay).updateComplete));
    expect(langs(session)).to.deep.equal([undefined, undefined, undefined]);

    // A language the widget has no catalogue for is shown in English: the content says so.
    document.documentElement.lang = 'de';
    session.locale = 'de';
    await waitUntil(() => session.state.locale === 'de');
    await Promise.all(TAGS.map((tag) => (session.querySelector(tag) as CheckoutPay).updateComplete));
    expect(langs(session)).to.deep.equal(['en', 'en', 'en']);
  });
});
