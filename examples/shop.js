// The calls a merchant's page makes to its own server, here the demo shop (`demo/shop.ts`).
// The shop's server creates the checkout with the proxy's secret key and hands the page only
// the checkout's client secret; its (test) PSP takes the amount <checkout-pay> asks for, and
// the server confirms that payment to the proxy. Shared by the three framework examples.

/** The demo scenario the examples check out in: the CRM.COM kiosk (cart `crm-demo`, EUR). */
export const SCENARIO = 'crmcom';

/** Opens this page's checkout; resolves with `{ clientSecret, endpoint }`. */
export async function openCheckout() {
  const response = await fetch('/shop/checkouts', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario: SCENARIO }),
  });
  const order = await response.json();
  if (!response.ok) throw new Error(order.detail ?? 'The shop could not open the checkout.');
  return order;
}

/**
 * Pays what `payment-requested` asks for (`detail`: checkout id, amount, key) with the test
 * PSP's always-accepted card; the shop's server confirms it to the proxy. A real page opens its
 * PSP's form here instead.
 */
export async function payWithTestPsp({ checkoutId, amount, key }) {
  const response = await fetch('/shop/psp/pay', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scenario: SCENARIO, checkoutId, amount, key, card: '4242424242424242' }),
  });
  const reply = await response.json();
  if (!response.ok) throw new Error(reply.message ?? reply.detail ?? 'The payment did not go through.');
  return reply;
}
