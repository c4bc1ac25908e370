import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { CheckoutSession } from '../../src/elements/checkout-session/checkout-session.js';
import type { EligibilityCheck } from '../../src/elements/eligibility-check/eligibility-check.js';
import { registerLocale } from '../../src/index.js';
import { secretFor, shadowText } from './helpers.js';

/**
 * A page's own words (`registerLocale`) win over the words an on-demand chunk brings with it:
 * the instalments chunk loads after the page registered its English, and must not replace it.
 * (Its own file: the chunk must not have been loaded by another test in this page.)
 */
describe('the page\'s words', () => {
  it('stay when the instalments chunk arrives with its English', async () => {
    registerLocale('en', { 'eligibility.noCustomer': 'Log in with your bike club card to see the 3x and 4x options.' });
    const session = await fixture<CheckoutSession>(
      html`<checkout-session endpoint="/api/floa" client-secret=${await secretFor('bike', { api: 'floa' })} currency="EUR"><eligibility-check></eligibility-check></checkout-session>`,
    );
    await waitUntil(() => session.state.phase === 'ready', 'the session did not load', { timeout: 5000 });
    const check = session.querySelector('eligibility-check') as EligibilityCheck;
    // No customer yet: once the check has settled, it asks for one — in the page's words.
    await waitUntil(() => /\S/.test(shadowText(check)) && !shadowText(check).includes('Checking'), 'the check settles', { timeout: 5000 });
    expect(shadowText(check)).to.contain('Log in with your bike club card to see the 3x and 4x options.');
    expect(shadowText(check)).not.to.contain('Find your account to see whether you can pay in instalments.');
  });
});
