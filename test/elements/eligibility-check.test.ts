import { expect, html, oneEvent } from '@open-wc/testing';
import '../../src/define.js';
import type { EligibilityCheck } from '../../src/elements/eligibility-check/eligibility-check.js';
import { ENDPOINT, shadowText } from './helpers.js';

describe('<eligibility-check>', () => {
  it('says plainly that instalments are not configured, and tells the page', async () => {
    sessionStorage.clear();
    const session = document.createElement('checkout-session');
    Object.assign(session, { endpoint: ENDPOINT, cartId: 'cart-1000' });
    const check = document.createElement('eligibility-check') as EligibilityCheck;
    session.append(check);
    const event = oneEvent(check, 'eligibility-change');
    document.body.append(session);
    const { detail } = await event;
    expect(detail).to.deep.equal({ eligible: false, reason: 'not-configured' });
    await check.updateComplete;
    expect(shadowText(check)).to.contain('Paying in instalments is not offered here.');
    await expect(check).to.be.accessible();
    session.remove();
  });
});
