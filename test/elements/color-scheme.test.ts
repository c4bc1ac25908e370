import { expect, html } from '@open-wc/testing';
import type { CheckoutSession } from '../../src/elements/checkout-session/checkout-session.js';
import { CASHBACK_PHONE, ENDPOINT, secretFor, sessionFixture, shadow } from './helpers.js';

/** The default theme follows the page's `color-scheme`, not the OS alone; tokens win over both. */
async function setup() {
  const session = await sessionFixture<CheckoutSession>(
    html`<checkout-session endpoint=${ENDPOINT} client-secret=${await secretFor('cart-1000')}><customer-lookup></customer-lookup><loyalty-balance></loyalty-balance><checkout-pay></checkout-pay></checkout-session>`,
  );
  await session.lookup(CASHBACK_PHONE);
  const pay = session.querySelector('checkout-pay')!;
  await (pay as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
  return { session, pay, card: () => getComputedStyle(shadow(pay, '.card')), button: () => getComputedStyle(shadow(pay, 'button.pay')) };
}

describe('color scheme', () => {
  afterEach(() => {
    document.documentElement.style.colorScheme = '';
    document.documentElement.style.removeProperty('--checkout-color-surface');
  });

  it('is light on a page that declares no color-scheme', async () => {
    const { card, button } = await setup();
    expect(card().backgroundColor).to.equal('rgb(255, 255, 255)');
    expect(button().backgroundColor).to.equal('rgb(11, 87, 208)');
  });

  it('turns dark, live, when the page is dark, and stays accessible (contrast included)', async () => {
    const { pay, session, card, button } = await setup();
    document.documentElement.style.colorScheme = 'dark';
    expect(card().backgroundColor).to.equal('rgb(27, 31, 36)');
    expect(card().color).to.equal('rgb(230, 232, 235)');
    expect(button().backgroundColor).to.equal('rgb(138, 180, 248)');
    await expect(pay).to.be.accessible();
    await expect(session.querySelector('loyalty-balance')!).to.be.accessible();
    await expect(session.querySelector('customer-lookup')!).to.be.accessible();
  });

  it('draws a focus ring with at least 3:1 contrast against the surface, light and dark (WCAG 1.4.11)', async () => {
    const { session } = await setup();
    const lookup = session.querySelector('customer-lookup')!;
    await (lookup as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
    for (const scheme of ['light', 'dark']) {
      document.documentElement.style.colorScheme = scheme;
      // The "Not you?" button after the lookup: focused by the keyboard (the ring shows on :focus-visible).
      const button = shadow<HTMLButtonElement>(lookup, 'button.clear');
      button.focus();
      expect(button.matches(':focus-visible'), 'focus-visible').to.equal(true);
      const surface = parseColor(getComputedStyle(shadow(lookup, '.card')).backgroundColor);
      const rings = shadowColors(getComputedStyle(button).boxShadow);
      expect(rings.length, `rings in ${getComputedStyle(button).boxShadow}`).to.be.greaterThan(0);
      const best = Math.max(...rings.map((ring) => contrast(over(ring, surface), surface)));
      expect(best, `${scheme}: focus ring contrast`).to.be.at.least(3);
    }
  });

  it('lets the page\'s tokens win in either scheme', async () => {
    const { card } = await setup();
    document.documentElement.style.colorScheme = 'dark';
    document.documentElement.style.setProperty('--checkout-color-surface', 'rgb(1, 2, 3)');
    expect(card().backgroundColor).to.equal('rgb(1, 2, 3)');
  });
});

type Rgba = [number, number, number, number];

/** A computed colour (`rgb()`, `rgba()` or `color(srgb …)`) as 0–255 channels and alpha. */
function parseColor(value: string): Rgba {
  const srgb = value.match(/color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.]+))?\)/);
  if (srgb) return [Number(srgb[1]) * 255, Number(srgb[2]) * 255, Number(srgb[3]) * 255, srgb[4] === undefined ? 1 : Number(srgb[4])];
  const rgb = value.match(/rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)/);
  if (!rgb) throw new Error(`not a colour: ${value}`);
  return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3]), rgb[4] === undefined ? 1 : Number(rgb[4])];
}

/** The colours of a computed `box-shadow` list. */
function shadowColors(value: string): Rgba[] {
  return (value.match(/(rgba?\([^)]*\)|color\(srgb [^)]*\))/g) ?? []).map(parseColor);
}

/** `top` composited over an opaque `bottom`. */
function over(top: Rgba, bottom: Rgba): Rgba {
  const a = top[3];
  return [0, 1, 2].map((i) => top[i]! * a + bottom[i]! * (1 - a)).concat(1) as Rgba;
}

/** WCAG contrast ratio of two opaque colours. */
function contrast(a: Rgba, b: Rgba): number {
  const luminance = ([r, g, b]: Rgba) => {
    const [R, G, B] = [r, g, b].map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * R! + 0.7152 * G! + 0.0722 * B!;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}
