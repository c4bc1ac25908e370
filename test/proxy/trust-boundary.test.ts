import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { listen, type RunningServer } from '../../src/node/listen.js';
import { createRuLoyaltySimulator, ruDemoClients, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../../src/simulators/ru-loyalty/simulator.js';
import { startProxy, TEST_SECRET_KEY, type RunningProxy, type TestCheckout } from '../support/start-proxy.js';
import { startWebhookReceiver, TEST_WEBHOOK_SECRET } from '../support/webhook-receiver.js';

/**
 * SPEC §4a, tried as an attacker would: the page is public (anyone can call what it calls,
 * with any body), the shop's server holds the secret key, a till holds a staff credential.
 * Every attack of the issue gets its answer here, against the Russian loyalty simulator.
 */
// The demo clients, and Anna, who may pay a whole order in points (a level with 100 % spend).
const anna = { ...ruDemoClients()[2]!, id: '62a000000000000000000009', name: 'Анна Орлова', phone: 79200000009, card: '2000000000094', code: '100009', balance: 500 };
// Olga: a discount level (5 %), like Maria, with her own app code (Maria's tries are used up below).
const olga = { ...ruDemoClients()[1]!, id: '62a000000000000000000010', name: 'Ольга Лебедева', phone: 79200000010, card: '2000000000100', code: '100010' };
// Pyotr: cashback, his own app code, for the race on the per-account count of wrong codes.
const pyotr = { ...ruDemoClients()[0]!, id: '62a000000000000000000011', name: 'Пётр Волков', phone: 79200000011, card: '2000000000117', code: '100011' };
const simulator = createRuLoyaltySimulator({ clients: [...ruDemoClients(), anna, olga, pyotr] });
let upstream: RunningServer;
let proxy: RunningProxy;
let webhooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
const RETAIL = '/integration/general/retail';
const CART = { currency: 'RUB', lines: [{ sku: 'a', name: 'A', quantity: 1, unitPrice: 100000 }] };
const IVAN_PHONE = '+7 920 123-45-67';
const IVAN_APP_CODE = '100001';

before(async () => {
  upstream = await listen(simulator.app);
  webhooks = await startWebhookReceiver();
  proxy = await startProxy({
    loyalty: { provider: 'ru-loyalty', baseUrl: upstream.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT, appCodeProvesOwnership: true },
    lookupRateLimit: { perClient: 1000, perCheckout: 100, windowMs: 60_000 },
    // Per client IP, the default (10 a minute) would stop these tests first; the per-account count is what they try.
    codeRateLimit: { perClient: 1000, windowMs: 60_000 },
    webhooks: { url: webhooks.url, secrets: [TEST_WEBHOOK_SECRET], retryScheduleMs: [0, 50, 50] },
  });
});
after(async () => {
  await proxy.close();
  await webhooks.close();
  await upstream.close();
});
beforeEach(() => fetch(`${upstream.url}/__reset`, { method: 'POST' }));

const retails = () => simulator.journal.count('POST', RETAIL);

describe('the page proves which checkout it may touch', () => {
  test('without or with a wrong client secret: 401, the same as an unknown checkout', async () => {
    const checkout = await proxy.checkout({ cart: CART });
    const none = await proxy.call('GET', `/checkouts/${checkout.id}`);
    const wrong = await proxy.call('GET', `/checkouts/${checkout.id}`, undefined, { authorization: `Bearer ${checkout.id}_secret_guessed` });
    const unknown = await proxy.call('GET', `/checkouts/00000000-0000-4000-8000-000000000000`, undefined, { authorization: `Bearer ${checkout.clientSecret}` });
    for (const reply of [none, wrong, unknown]) {
      assert.equal(reply.status, 401);
      assert.deepEqual(reply.body, none.body, 'indistinguishable');
    }
    // Writes too: nothing looked up, nothing paid.
    const lookup = await proxy.call('POST', `/checkouts/${checkout.id}/customer`, { query: IVAN_PHONE });
    assert.equal(lookup.status, 401);
    assert.equal(simulator.journal.count('POST', '/integration/general/client'), 0);
  });

  test('one checkout\'s secret never opens another', async () => {
    const mine = await proxy.checkout({ cart: CART });
    const theirs = await proxy.checkout({ cart: CART });
    const reply = await proxy.call('GET', `/checkouts/${theirs.id}`, undefined, { authorization: `Bearer ${mine.clientSecret}` });
    assert.equal(reply.status, 401);
  });
});

describe('the shop\'s server API needs a secret key', () => {
  test('without or with a wrong key: 401, nothing created', async () => {
    for (const headers of [{}, { authorization: 'Bearer sk_wrong_key_0123456789abcdefghij' }, { authorization: `Basic ${TEST_SECRET_KEY}` }]) {
      const reply = await proxy.call('POST', '/server/checkouts', { cart: CART }, headers);
      assert.equal(reply.status, 401, JSON.stringify(headers));
      assert.equal(reply.body.type, '/problems/unauthorized');
    }
  });

  test('several keys are accepted at once (rotation)', async () => {
    const next = 'sk_next_key_for_rotation_0123456789';
    const rotating = await startProxy({ secretKeys: [TEST_SECRET_KEY, next], loyalty: { provider: 'ru-loyalty', baseUrl: upstream.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT } });
    try {
      for (const key of [TEST_SECRET_KEY, next]) assert.equal((await rotating.call('POST', '/server/checkouts', { cart: CART }, { authorization: `Bearer ${key}` })).status, 201);
    } finally {
      await rotating.close();
    }
  });
});

describe('proof before points', () => {
  test('a lookup by phone proves nothing: spend is 403, nothing held, no amount shown', async () => {
    const checkout = await proxy.checkout({ cart: CART });
    const found = await checkout.page('POST', '/customer', { query: IVAN_PHONE });
    assert.equal(found.body.customer.verified, false);
    assert.equal(found.body.loyalty.balance, undefined);
    const spend = await checkout.page('PUT', '/spend', { amount: 30000 });
    assert.equal(spend.status, 403);
    assert.equal(spend.body.type, '/problems/proof-required');
    assert.equal(simulator.holds().length, 0);
    assert.equal((await checkout.page('GET', '')).body.loyalty.spend.value.amount, 0);
  });

  test('the code from the customer\'s app proves it (when the operator counts it); a wrong one does not, and tries are limited', async () => {
    const checkout = await proxy.checkout({ cart: CART });
    await checkout.page('POST', '/customer', { query: IVAN_PHONE });
    const wrong = await checkout.page('POST', '/customer/verification', { code: '100002' });
    assert.equal(wrong.status, 422);
    assert.equal(wrong.body.errors[0].field, 'code');
    const right = await checkout.page('POST', '/customer/verification', { code: IVAN_APP_CODE });
    assert.equal(right.status, 200);
    assert.equal(right.body.customer.verified, true);
    assert.equal(right.body.loyalty.balance.points, 878);
    const spend = await checkout.page('PUT', '/spend', { amount: 30000 });
    assert.equal(spend.status, 200);
    assert.equal(simulator.holds().length, 1);

    const guessing = await proxy.checkout({ cart: CART });
    await guessing.page('POST', '/customer', { query: IVAN_PHONE });
    for (let i = 0; i < 5; i++) assert.equal((await guessing.page('POST', '/customer/verification', { code: `99999${i}` })).status, 422);
    const locked = await guessing.page('POST', '/customer/verification', { code: IVAN_APP_CODE });
    assert.equal(locked.status, 429, 'the sixth try is refused, even with the right code');
  });

  test('the phone or card the account was looked up by is not its app code: a wrong code, nothing shown, nothing spent', async () => {
    // The API's search finds a client by phone, card or app code alike (txt:8), so the proxy
    // must not send what the page already knew as if it were the code.
    // Anna (not Ivan, whose wrong codes for this hour the test above has spent).
    const ANNA_PHONE = '+7 920 000-00-09';
    const searches = () => simulator.journal.count('POST', '/integration/general/client');
    for (const [query, code] of [
      [ANNA_PHONE, '79200000009'],
      [ANNA_PHONE, ANNA_PHONE],
      [ANNA_PHONE, anna.card],
      [anna.card, anna.card],
    ]) {
      const checkout = await proxy.checkout({ cart: CART });
      await checkout.page('POST', '/customer', { query });
      const before = searches();
      const tried = await checkout.page('POST', '/customer/verification', { code });
      assert.equal(tried.status, 422, `${code} after ${query}: ${JSON.stringify(tried.body)}`);
      assert.equal(tried.body.errors[0].field, 'code');
      assert.equal(searches(), before, 'not sent to the API');
      const read = await checkout.page('GET', '');
      assert.equal(read.body.customer.verified, false);
      assert.equal(read.body.loyalty.balance, undefined);
      const spend = await checkout.page('PUT', '/spend', { amount: 30000 });
      assert.equal(spend.status, 403);
      assert.equal(spend.body.type, '/problems/proof-required');
      assert.equal(simulator.holds().length, 0);
    }
    const checkout = await proxy.checkout({ cart: CART });
    await checkout.page('POST', '/customer', { query: ANNA_PHONE });
    const right = await checkout.page('POST', '/customer/verification', { code: anna.code });
    assert.equal(right.status, 200, 'her app code still proves it');
    assert.equal(right.body.customer.verified, true);
    assert.equal((await checkout.page('PUT', '/spend', { amount: 30000 })).status, 200);
  });

  test('wrong codes count per account across checkouts: "not you?" or a new checkout buys no new tries', async () => {
    const guesses = async (checkout: TestCheckout, count: number, from: number) => {
      const statuses = [];
      for (let i = 0; i < count; i++) statuses.push((await checkout.page('POST', '/customer/verification', { code: `7${String(from + i).padStart(5, '0')}` })).status);
      return statuses;
    };
    const maria = '+7 920 765-43-21';
    const first = await proxy.checkout({ cart: CART });
    await first.page('POST', '/customer', { query: maria });
    assert.deepEqual(await guesses(first, 4, 0), [422, 422, 422, 422]);
    await first.page('DELETE', '/customer');
    await first.page('POST', '/customer', { query: maria });
    assert.deepEqual(await guesses(first, 4, 10), [422, 422, 422, 422], 'a new lookup resets the per-checkout count only');
    const second = await proxy.checkout({ cart: CART });
    await second.page('POST', '/customer', { query: maria });
    const last = await guesses(second, 3, 20);
    assert.deepEqual(last, [422, 422, 429], 'ten wrong codes for Maria in all: her account takes no more for a while');
    assert.equal((await second.page('POST', '/customer/verification', { code: '100002' })).status, 429, 'not even her right code, until the window ends');
  });

  test('a guess sent while the same account is looked up again is counted for that account too', async () => {
    const PYOTR = '+7 920 000-00-11';
    const checkout = await proxy.checkout({ cart: CART });
    const statuses: number[] = [];
    for (let round = 0; round < 14; round++) {
      await checkout.page('DELETE', '/customer');
      const lookup = checkout.page('POST', '/customer', { query: PYOTR });
      await new Promise((resolve) => setTimeout(resolve, 2));
      const guess = checkout.page('POST', '/customer/verification', { code: `8${String(round).padStart(5, '0')}` });
      statuses.push((await Promise.all([lookup, guess]))[1].status);
    }
    const checked = statuses.filter((status) => status === 422).length;
    assert.ok(checked <= 10, `at most ten wrong codes checked for one account, got ${checked}: ${statuses.join(',')}`);
    assert.ok(statuses.includes(429), statuses.join(','));
  });

  test('a receipt shows the balance after the sale only to the account\'s proven owner', async () => {
    const checkout = await proxy.checkout({ cart: CART });
    await checkout.page('POST', '/customer', { query: IVAN_PHONE });
    const paid = await proxy.server('POST', `/checkouts/${checkout.id}/payments`, { method: 'external', amount: { amount: 100000, currency: 'RUB' }, pspReference: 'psp_stranger' }, { 'Idempotency-Key': `stranger-${checkout.id}` });
    assert.equal(paid.status, 201, JSON.stringify(paid.body));
    assert.ok(paid.body.receipt.balanceAfter, 'the shop\'s server reads it');
    const page = await checkout.page('GET', '');
    assert.equal(page.body.status, 'paid');
    assert.equal(page.body.receipt.balanceAfter, undefined, 'a stranger who typed the phone number does not');
    assert.equal(page.body.loyalty.balance, undefined);
  });

  test('the shop\'s server vouches for its logged-in shopper: points can be spent at once', async () => {
    const checkout = await proxy.checkout({ cart: CART, customer: { query: IVAN_PHONE } });
    const read = await checkout.page('GET', '');
    assert.equal(read.body.customer.verified, true);
    assert.equal((await checkout.page('PUT', '/spend', { amount: 30000 })).status, 200);
  });

  test('"not you?" drops the proof with the customer', async () => {
    const checkout = await proxy.checkout({ cart: CART, customer: { query: IVAN_PHONE } });
    await checkout.page('DELETE', '/customer');
    const again = await checkout.page('POST', '/customer', { query: IVAN_PHONE });
    assert.equal(again.body.customer.verified, false);
    assert.equal((await checkout.page('PUT', '/spend', { amount: 30000 })).status, 403);
  });
});

describe('a level discount is the member\'s', () => {
  const OLGA_PHONE = '+7 920 000-00-10';
  const pay = (checkout: TestCheckout, amount: number) =>
    proxy.server('POST', `/checkouts/${checkout.id}/payments`, { method: 'external', amount: { amount, currency: 'RUB' }, pspReference: `psp_${checkout.id}` }, { 'Idempotency-Key': `discount-${checkout.id}-${amount}` });

  test('found by phone without proof: no discount, and the order is paid as a guest — nothing in her name', async () => {
    const checkout = await proxy.checkout({ cart: CART });
    const found = await checkout.page('POST', '/customer', { query: OLGA_PHONE });
    assert.equal(found.status, 200);
    assert.equal(found.body.customer.verified, false);
    assert.equal(found.body.loyalty.discount.amount, 0);
    assert.equal(found.body.amountDue.amount, 100000, 'the whole cart');
    const discounted = await pay(checkout, 95000);
    assert.equal(discounted.status, 422, 'the discounted amount is not what is due');
    const paid = await pay(checkout, 100000);
    assert.equal(paid.status, 201, JSON.stringify(paid.body));
    assert.equal(retails(), 0, 'no retail operation in her name');
    assert.equal(paid.body.receipt.discount.amount, 0);
  });

  test('proven with her app code: the discount applies and the sale is hers', async () => {
    const checkout = await proxy.checkout({ cart: CART });
    await checkout.page('POST', '/customer', { query: OLGA_PHONE });
    const proven = await checkout.page('POST', '/customer/verification', { code: '100010' });
    assert.equal(proven.status, 200);
    assert.equal(proven.body.loyalty.discount.amount, 5000);
    assert.equal(proven.body.amountDue.amount, 95000);
    assert.equal((await pay(checkout, 95000)).status, 201);
    assert.equal(retails(), 1);
  });

  test('vouched for by the shop\'s server: the discount at once', async () => {
    const checkout = await proxy.checkout({ cart: CART, customer: { query: OLGA_PHONE } });
    assert.equal((await checkout.page('GET', '')).body.amountDue.amount, 95000);
  });

  test('an operator may grant it on a lookup (discountNeedsProof: false)', async () => {
    const counter = await startProxy({
      loyalty: { provider: 'ru-loyalty', baseUrl: upstream.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT },
      discountNeedsProof: false,
    });
    try {
      const checkout = await counter.checkout({ cart: CART });
      const found = await checkout.page('POST', '/customer', { query: OLGA_PHONE });
      assert.equal(found.body.customer.verified, false);
      assert.equal(found.body.amountDue.amount, 95000);
    } finally {
      await counter.close();
    }
  });
});

describe('who may record which payment', () => {
  test('card, cash and cheque from a web page: 403, nothing recorded', async () => {
    const checkout = await proxy.checkout({ cart: CART, customer: { query: IVAN_PHONE } });
    for (const method of ['card', 'cash', 'cheque', 'external']) {
      const reply = await checkout.page('POST', '/payments', { method, amount: 100000 }, { 'Idempotency-Key': `web-${method}-${checkout.id}` });
      assert.equal(reply.status, 403, method);
      assert.equal(reply.body.errors[0].field, 'method');
    }
    assert.equal(retails(), 0);
    assert.equal((await checkout.page('GET', '')).body.status, 'open');
  });

  test('nothing due: the page records it with "none" — only when nothing is due', async () => {
    const small = { currency: 'RUB', lines: [{ sku: 'tea', name: 'Tea', quantity: 1, unitPrice: 20000 }] };
    const checkout = await proxy.checkout({ cart: small, customer: { query: anna.card } });
    const tooEarly = await checkout.page('POST', '/payments', { method: 'none', amount: 20000 }, { 'Idempotency-Key': `none-1-${checkout.id}` });
    assert.equal(tooEarly.status, 403);
    // Anna may spend up to the whole order in points (maxSpendPercent 100): 200 RUB.
    assert.equal((await checkout.page('PUT', '/spend', { amount: 20000 })).status, 200);
    const paid = await checkout.page('POST', '/payments', { method: 'none', amount: 0 }, { 'Idempotency-Key': `none-2-${checkout.id}` });
    assert.equal(paid.status, 201, JSON.stringify(paid.body));
    assert.equal(paid.body.status, 'paid');
    assert.equal(paid.body.receipt.method, 'none');
    assert.equal(retails(), 1);
    const hook = await webhooks.next('checkout.paid', checkout.id);
    assert.equal(hook.data.checkout.receipt.spent.points, 200);
  });

  test('the page hands the amount to the shop\'s PSP; the shop\'s server confirms it; the shop is told by a signed webhook', async () => {
    const checkout = await proxy.checkout({ cart: CART, customer: { query: IVAN_PHONE }, reference: `order-psp-${Date.now()}`, metadata: { cartToken: 'abc' } });
    await checkout.page('PUT', '/spend', { amount: 30000 });
    const stale = await checkout.page('POST', '/payment-request', { amount: 100000 });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.type, '/problems/amount-changed');
    const requested = await checkout.page('POST', '/payment-request', { amount: 70000 });
    assert.equal(requested.status, 200);
    assert.equal(requested.body.status, 'awaiting-payment');
    assert.match(requested.body.paymentRequest.key, /^pay_/);
    // Frozen while the shop's PSP takes the money.
    assert.equal((await checkout.page('PUT', '/spend', { amount: 0 })).status, 409);
    assert.equal((await checkout.page('DELETE', '/customer')).status, 409);
    // The wrong amount is refused and records nothing.
    const wrong = await proxy.server('POST', `/checkouts/${checkout.id}/payments`, { method: 'external', amount: { amount: 100000, currency: 'RUB' }, pspReference: 'psp_1' }, { 'Idempotency-Key': `psp-wrong-${checkout.id}` });
    assert.equal(wrong.status, 422);
    assert.equal(retails(), 0);
    const paid = await proxy.server('POST', `/checkouts/${checkout.id}/payments`, { method: 'external', amount: { amount: 70000, currency: 'RUB' }, pspReference: 'psp_1' }, { 'Idempotency-Key': requested.body.paymentRequest.key });
    assert.equal(paid.status, 201, JSON.stringify(paid.body));
    assert.equal(paid.body.status, 'paid');
    assert.equal(retails(), 1);
    const hook = await webhooks.next('checkout.paid', checkout.id);
    assert.equal(hook.data.checkout.metadata.cartToken, 'abc');
    assert.equal(hook.data.checkout.pspReference, 'psp_1');
    assert.equal(hook.data.checkout.receipt.paid.amount, 70000);
    assert.equal((await checkout.page('GET', '')).body.status, 'paid');
  });

  test('the shopper changes their mind while waiting: the request is cancelled and the checkout open again', async () => {
    const checkout = await proxy.checkout({ cart: CART });
    assert.equal((await checkout.page('POST', '/payment-request', { amount: 100000 })).body.status, 'awaiting-payment');
    assert.equal((await checkout.page('DELETE', '/payment-request')).body.status, 'open');
    assert.equal((await checkout.page('POST', '/customer', { query: IVAN_PHONE })).status, 200);
  });

  test('a guest (no loyalty account) pays through the shop\'s PSP; no loyalty sale is recorded', async () => {
    const checkout = await proxy.checkout({ cart: CART });
    const paid = await proxy.server('POST', `/checkouts/${checkout.id}/payments`, { method: 'external', amount: { amount: 100000, currency: 'RUB' }, pspReference: 'psp_guest' }, { 'Idempotency-Key': `guest-${checkout.id}` });
    assert.equal(paid.status, 201);
    assert.equal(paid.body.status, 'paid');
    assert.equal(retails(), 0);
    await webhooks.next('checkout.paid', checkout.id);
  });
});

describe('the till', () => {
  const credential = async (till: string, ttlSeconds?: number) => (await proxy.server('POST', '/till-credentials', { till, ...(ttlSeconds ? { ttlSeconds } : {}) })).body.credential as string;

  test('a staff credential records cash at its own till; another till\'s credential, a forged or no credential cannot', async () => {
    const checkout = await proxy.checkout({ cart: CART, till: 'till-1' });
    const own = await credential('till-1');
    const other = await credential('till-2');
    const pay = (headers: Record<string, string>, key: string) => checkout.page('POST', '/payments', { method: 'cash', amount: 100000 }, { 'Idempotency-Key': `${key}-${checkout.id}`, ...headers });
    assert.equal((await pay({ 'Checkout-Till-Credential': other }, 'other')).status, 403);
    // Not even a lookup as staff on another till's checkout (its proof would be worth nothing there).
    assert.equal((await checkout.page('POST', '/customer', { query: '2000000000018' }, { 'Checkout-Till-Credential': other })).status, 403);
    assert.equal((await pay({ 'Checkout-Till-Credential': `${own.slice(0, -2)}xx` }, 'forged')).status, 401);
    assert.equal((await pay({}, 'none')).status, 403);
    assert.equal(retails(), 0);
    const paid = await pay({ 'Checkout-Till-Credential': own }, 'own');
    assert.equal(paid.status, 201, JSON.stringify(paid.body));
    assert.equal(paid.body.receipt.method, 'cash');
    assert.equal(retails(), 0, 'no customer: a guest sale, nothing for the loyalty programme');
  });

  test('a card in the cashier\'s hand is the proof: a till lookup may spend points', async () => {
    const checkout = await proxy.checkout({ cart: CART, till: 'till-1' });
    const headers = { 'Checkout-Till-Credential': await credential('till-1') };
    const found = await checkout.page('POST', '/customer', { query: '2000000000018' }, headers);
    assert.equal(found.body.customer.verified, true);
    assert.equal((await checkout.page('PUT', '/spend', { amount: 30000 }, headers)).status, 200);
    const paid = await checkout.page('POST', '/payments', { method: 'card', amount: 70000 }, { ...headers, 'Idempotency-Key': `till-card-${checkout.id}` });
    assert.equal(paid.status, 201, JSON.stringify(paid.body));
    assert.equal(retails(), 1);
  });

  test('an expired credential is refused', async () => {
    const checkout = await proxy.checkout({ cart: CART, till: 'till-1' });
    const { issueTillCredential } = await import('../../src/proxy/auth/secrets.js');
    const expired = issueTillCredential('till-1', 60, [TEST_SECRET_KEY], Date.now() - 120_000).credential;
    assert.equal((await checkout.page('GET', '', undefined, { 'Checkout-Till-Credential': expired })).status, 401);
  });
});

describe('one payable checkout per order', () => {
  test('creating again with the same reference returns the same checkout and secret, with the shop\'s new cart', async () => {
    const reference = `order-${Date.now()}`;
    const first = await proxy.server('POST', '/checkouts', { cart: CART, reference });
    const bigger = { currency: 'RUB', lines: [...CART.lines, { sku: 'b', name: 'B', quantity: 2, unitPrice: 5000 }] };
    const again = await proxy.server('POST', '/checkouts', { cart: bigger, reference });
    assert.equal(first.status, 201);
    assert.equal(again.status, 200);
    assert.equal(again.body.checkout.id, first.body.checkout.id);
    assert.equal(again.body.clientSecret, first.body.clientSecret);
    assert.equal(again.body.checkout.cart.total.amount, 110000);
    // Concurrent creations (two tabs) still make one checkout.
    const racing = await Promise.all(Array.from({ length: 10 }, () => proxy.server('POST', '/checkouts', { cart: CART, reference: `${reference}-race` })));
    assert.equal(new Set(racing.map((r) => r.body.checkout.id)).size, 1);
  });

  test('a paid order keeps its checkout: no second payable one; a cancelled order frees its reference', async () => {
    const reference = `order-paid-${Date.now()}`;
    const first = await proxy.checkout({ cart: CART, reference });
    await proxy.server('POST', `/checkouts/${first.id}/payments`, { method: 'external', amount: { amount: 100000, currency: 'RUB' }, pspReference: 'p' }, { 'Idempotency-Key': `ref-${first.id}` });
    const again = await proxy.server('POST', '/checkouts', { cart: CART, reference });
    assert.equal(again.body.checkout.id, first.id);
    assert.equal(again.body.checkout.status, 'paid');

    const cancelledRef = `order-cancelled-${Date.now()}`;
    const cancelled = await proxy.checkout({ cart: CART, reference: cancelledRef });
    const reply = await proxy.server('POST', `/checkouts/${cancelled.id}/cancel`);
    assert.equal(reply.body.status, 'cancelled');
    await webhooks.next('checkout.cancelled', cancelled.id);
    assert.equal((await cancelled.page('POST', '/customer', { query: IVAN_PHONE })).status, 409);
    const fresh = await proxy.server('POST', '/checkouts', { cart: CART, reference: cancelledRef });
    assert.notEqual(fresh.body.checkout.id, cancelled.id);
  });
});

describe('stale quotes', () => {
  test('the cart changes after the points were chosen: the payer is told the new amount, nothing is recorded for the old one', async () => {
    const reference = `order-stale-${Date.now()}`;
    const checkout = await proxy.checkout({ cart: CART, reference, customer: { query: IVAN_PHONE } });
    await checkout.page('PUT', '/spend', { amount: 30000 });
    // Items added in another tab: the shop pushes its new cart.
    const bigger = { currency: 'RUB', lines: [...CART.lines, { sku: 'b', name: 'B', quantity: 1, unitPrice: 48000 }] };
    await proxy.server('POST', '/checkouts', { cart: bigger, reference });
    const old = await proxy.server('POST', `/checkouts/${checkout.id}/payments`, { method: 'external', amount: { amount: 70000, currency: 'RUB' }, pspReference: 'p' }, { 'Idempotency-Key': `stale-${checkout.id}` });
    assert.equal(old.status, 422);
    assert.equal(old.body.type, '/problems/amount-changed');
    assert.equal(retails(), 0);
    const now = await checkout.page('GET', '');
    assert.equal(now.body.amountDue.amount, 148000, 'the points are to choose again for the new cart');
  });
});

describe('webhooks', () => {
  test('delivered at least once: a failing endpoint gets the same event id again until it answers 2xx', async () => {
    webhooks.fail(500);
    const checkout = await proxy.checkout({ cart: CART });
    await proxy.server('POST', `/checkouts/${checkout.id}/cancel`);
    await new Promise((resolve) => setTimeout(resolve, 30));
    webhooks.fail(200);
    const hook = await webhooks.next('checkout.cancelled', checkout.id);
    assert.match(hook.id, /^msg_/);
    assert.equal(webhooks.rejected.length, 0, 'every attempt carried a valid signature');
  });

  test('a failed event is listed for the operator and can be redelivered', async () => {
    webhooks.fail(503);
    const checkout = await proxy.checkout({ cart: CART });
    await proxy.server('POST', `/checkouts/${checkout.id}/cancel`);
    let failed: Array<{ id: string; checkoutId: string }> = [];
    for (let i = 0; i < 100 && !failed.some((e) => e.checkoutId === checkout.id); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      failed = (await proxy.server('GET', '/webhook-events?status=failed')).body.events;
    }
    const event = failed.find((e) => e.checkoutId === checkout.id);
    assert.ok(event, 'listed as failed after its attempts');
    webhooks.fail(200);
    assert.equal((await proxy.server('POST', `/webhook-events/${event.id}/redeliver`)).status, 202);
    const hook = await webhooks.next('checkout.cancelled', checkout.id);
    assert.equal(hook.id, event.id, 'the same event id: the shop dedups on it');
  });
});

describe('nothing grows without bound', () => {
  /** The proxy's app in this process, with its idempotency store in hand (to count what it keeps). */
  const bareProxy = async () => {
    const { MemoryIdempotencyStore } = await import('../../src/proxy/idempotency/store.js');
    const { createCheckoutProxy } = await import('../../src/proxy/app.js');
    const { RuLoyaltyAdapter, RuLoyaltyOptions } = await import('../../src/proxy/providers/ru-loyalty/adapter.js');
    const idempotency = new MemoryIdempotencyStore();
    const loyalty = new RuLoyaltyAdapter(RuLoyaltyOptions.parse({ provider: 'ru-loyalty', baseUrl: upstream.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT }));
    return { app: createCheckoutProxy({ secretKeys: [TEST_SECRET_KEY], loyalty, idempotency }), idempotency, loyalty };
  };

  test('a payment to a checkout that does not exist is a 401 before any idempotency record is kept', async () => {
    const { app, idempotency, loyalty } = await bareProxy();
    for (let i = 0; i < 50; i++) {
      const reply = await app.request(`/v1/checkouts/00000000-0000-4000-8000-${String(i).padStart(12, '0')}/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer x_secret_y', 'Idempotency-Key': `flood-${i}-0000` },
        body: JSON.stringify({ method: 'none', amount: 0 }),
      });
      assert.equal(reply.status, 401);
    }
    assert.equal(idempotency.size, 0);
    await loyalty.close();
  });

  test('page calls that reach a provider are limited per checkout: 429 with Retry-After, no upstream call', async () => {
    const limited = await startProxy({
      loyalty: { provider: 'ru-loyalty', baseUrl: upstream.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT },
      pageRateLimit: { perClient: 1000, perCheckout: 5, windowMs: 60_000 },
    });
    try {
      const checkout = await limited.checkout({ cart: CART, customer: { query: IVAN_PHONE } });
      const recalcs = () => simulator.journal.count('POST', '/integration/general/recalc');
      for (let i = 0; i < 5; i++) assert.equal((await checkout.page('PUT', '/spend', { amount: 0 })).status, 200);
      const before = recalcs();
      const refused = await checkout.page('PUT', '/spend', { amount: 0 });
      assert.equal(refused.status, 429);
      assert.equal(refused.body.type, '/problems/rate-limited');
      assert.equal(recalcs(), before, 'the provider is not asked');
      assert.equal((await checkout.page('GET', '')).status, 200, 'reading the checkout is not counted');
      const other = await limited.checkout({ cart: CART });
      assert.equal((await other.page('PUT', '/spend', { amount: 0 })).status, 409, 'another checkout has its own count (409: nobody identified)');
    } finally {
      await limited.close();
    }
  });

  test('payments a page may never record are refused before their keys are kept', async () => {
    const { app, idempotency, loyalty } = await bareProxy();
    const created = await app.request('/v1/server/checkouts', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_SECRET_KEY}` }, body: JSON.stringify({ cart: CART }) });
    const { checkout, clientSecret } = (await created.json()) as { checkout: { id: string }; clientSecret: string };
    const pay = (body: object, i: number) =>
      app.request(`/v1/checkouts/${checkout.id}/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${clientSecret}`, 'Idempotency-Key': `flood-${i}-0000` },
        body: JSON.stringify(body),
      });
    for (let i = 0; i < 30; i++) {
      assert.equal((await pay({ method: 'cash', amount: 100000 }, i)).status, 403);
      assert.equal((await pay({ method: 'none', amount: 0 }, 100 + i)).status, 403, 'something is due');
    }
    assert.equal(idempotency.size, 0);
    await loyalty.close();
  });

  test('the memory checkout store sweeps expired checkouts as new ones come', async () => {
    const { MemoryCheckoutStore } = await import('../../src/proxy/checkout/record.js');
    const store = new MemoryCheckoutStore(50);
    const record = (id: string) => ({ id, clientSecret: `${id}_secret_x`, status: 'open' as const, spend: 0, createdAt: Date.now() });
    for (let i = 0; i < 100; i++) await store.save(record(`old-${i}`));
    assert.equal(store.size, 100);
    await new Promise((resolve) => setTimeout(resolve, 60));
    // The next save sweeps (at most once a minute, or once per lifetime when shorter).
    await store.save(record('new'));
    assert.equal(await store.get('old-1'), undefined, 'an expired checkout reads as gone');
    assert.ok(store.size <= 1, `${store.size} kept`);
  });
});
