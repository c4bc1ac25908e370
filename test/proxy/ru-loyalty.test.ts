import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { listen, type RunningServer } from '../../src/node/listen.js';
import { ProblemError } from '../../src/proxy/problems.js';
import { buildCart } from '../../src/proxy/carts.js';
import { RuLoyaltyAdapter, RuLoyaltyOptions } from '../../src/proxy/providers/ru-loyalty/adapter.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../../src/simulators/ru-loyalty/simulator.js';

/** The ru-loyalty adapter against its simulator, over real HTTP. */
let clock = Date.now();
const simulator = createRuLoyaltySimulator({ now: () => clock });
let server: RunningServer;
let adapter: RuLoyaltyAdapter;
const cart = buildCart('c', 'RUB', [{ sku: 'a', name: 'A', quantity: 1, unitPrice: 99990 }]);

before(async () => {
  server = await listen(simulator.app);
  adapter = new RuLoyaltyAdapter(RuLoyaltyOptions.parse({ provider: 'ru-loyalty', baseUrl: server.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT }));
});
after(async () => {
  await adapter.close();
  await server.close();
});
beforeEach(async () => {
  clock = Date.now();
  await fetch(`${server.url}/__reset`, { method: 'POST' });
});

const rejects = (promise: Promise<unknown>, kind: string, field?: string) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ProblemError, String(error));
    assert.equal(error.kind, kind);
    if (field) assert.equal(error.errors?.[0]?.field, field);
    return true;
  });

test('identify by phone typed with punctuation, card and app code; PII beyond name and phone is dropped', async () => {
  const byPhone = await adapter.identify('+7 (920) 123-45-67', {});
  assert.equal(byPhone.providerId, '62a000000000000000000001');
  assert.equal(byPhone.phone, '79201234567');
  assert.equal((await adapter.identify('2000000000018', {})).providerId, byPhone.providerId);
  assert.equal((await adapter.identify('100003', {})).providerId, '62a000000000000000000003');
  const stored = JSON.stringify(byPhone);
  for (const dropped of ['birthday', 'photo', 'email', '1990-03-29']) assert.ok(!stored.includes(dropped), dropped);
  const search = simulator.journal.entries.find((e) => e.path === '/integration/general/client')!.body as { search: string; point: string };
  assert.deepEqual(search, { search: '79201234567', point: RU_DEMO_POINT });
});

test('an unknown client is a not-found problem on the query field, with the provider text', async () => {
  await rejects(adapter.identify('0000000', {}), 'not-found', 'query');
  await assert.rejects(adapter.identify('0000000', {}), /Client not found\./);
});

test('a wrong point or apikey is reported as our misconfiguration, not the shopper\'s', async () => {
  const wrongPoint = new RuLoyaltyAdapter(RuLoyaltyOptions.parse({ provider: 'ru-loyalty', baseUrl: server.url, apiKey: RU_DEMO_API_KEY, pointId: 'nope' }));
  await assert.rejects(wrongPoint.identify('2000000000018', {}), (e: ProblemError) => e.kind === 'upstream-unavailable' && /Point not found/.test(e.message));
  const wrongKey = new RuLoyaltyAdapter(RuLoyaltyOptions.parse({ provider: 'ru-loyalty', baseUrl: server.url, apiKey: 'bad', pointId: RU_DEMO_POINT }));
  await rejects(wrongKey.identify('2000000000018', {}), 'upstream-unavailable');
  await wrongPoint.close();
  await wrongKey.close();
});

test('quote: spend limited by maxSpendPercent and balance, earn = amount × percent, in minor units', async () => {
  const customer = await adapter.identify('2000000000018', {});
  const quote = await adapter.quote({ checkoutId: 'x', customer, cart, spend: 0 }, {});
  // 999.90 ₽ × 50 % = 499.95 → 499 whole points; balance 878.
  assert.deepEqual(quote.spendable, { min: { amount: 100, currency: 'RUB' }, max: { amount: 49900, currency: 'RUB' }, step: 100 });
  assert.deepEqual(quote.earn, { value: { amount: 9900, currency: 'RUB' }, points: 99 });
  assert.deepEqual(quote.balance, { value: { amount: 87800, currency: 'RUB' }, points: 878 });
  const recalc = simulator.journal.entries.find((e) => e.path === '/integration/general/recalc')!.body as { amount: number };
  assert.equal(recalc.amount, 999.9, 'amount sent in roubles');
  // With a spend, nothing is earned (the API credits only operations without spend).
  assert.equal((await adapter.quote({ checkoutId: 'x', customer, cart, spend: 10000 }, {})).earn, undefined);
});

test('discount level: balance 0, nothing to spend, the level discount applied', async () => {
  const customer = await adapter.identify('2000000000025', {});
  const quote = await adapter.quote({ checkoutId: 'x', customer, cart, spend: 0 }, {});
  assert.equal(quote.spendable.max.amount, 0);
  assert.equal(quote.discount.amount, 5000, '5 % of 999.90 = 49.995 → 50.00 ₽');
  assert.equal(quote.level?.type, 'discount');
});

test('hold for at most 10 minutes, expiring on its own; release clears it; a retail ends holds at the point', async () => {
  const customer = await adapter.identify('2000000000018', {});
  const hold = await adapter.hold({ checkoutId: 'x', customer, cart, spend: 30000 }, {});
  assert.equal(hold.amount.points, 300);
  assert.equal(Date.parse(hold.expiresAt) - Math.floor(clock / 1000) * 1000, 10 * 60_000);
  assert.equal(simulator.holds().length, 1);
  clock += 10 * 60_000 + 1000;
  assert.equal(simulator.holds().length, 0, 'expired after 10 minutes');

  await adapter.hold({ checkoutId: 'x', customer, cart, spend: 30000 }, {});
  await adapter.release({ checkoutId: 'x', customer, cart }, {});
  assert.equal(simulator.holds().length, 0);
  await adapter.release({ checkoutId: 'x', customer, cart }, {}); // no hold: still a success

  await adapter.hold({ checkoutId: 'x', customer, cart, spend: 30000 }, {});
  await adapter.recordSale({ checkoutId: 'x', customer, cart, spend: 30000, method: 'card', reference: 'r1', paid: { amount: 69990, currency: 'RUB' } }, {});
  assert.equal(simulator.holds().length, 0);
});

test('retail with spend, and retail with earn when spend is 0; balances follow', async () => {
  const spender = await adapter.identify('2000000000018', {});
  const spent = await adapter.recordSale({ checkoutId: 'x', customer: spender, cart, spend: 40000, method: 'card', reference: 'r1', paid: { amount: 59990, currency: 'RUB' } }, {});
  assert.deepEqual(spent.spent, { value: { amount: 40000, currency: 'RUB' }, points: 400 });
  assert.equal(spent.balanceAfter?.points, 478);
  assert.equal(simulator.client('62a000000000000000000001')!.balance, 478);

  const earner = await adapter.identify('2000000000032', {});
  const earned = await adapter.recordSale({ checkoutId: 'y', customer: earner, cart, spend: 0, method: 'cash', reference: 'r2', paid: cart.total }, {});
  assert.equal(earned.earned?.points, 49, '999.90 × 5 % = 49.995 → 49 points');
  assert.equal(simulator.client('62a000000000000000000003')!.balance, 49);
});

test('a spend above the limit is the provider\'s 422 text on the amount field', async () => {
  const customer = await adapter.identify('2000000000018', {});
  await assert.rejects(
    adapter.recordSale({ checkoutId: 'x', customer, cart, spend: 60000, method: 'card', reference: 'r', paid: cart.total }, {}),
    (e: ProblemError) => e.kind === 'rejected' && e.errors?.[0]?.field === 'amount' && e.errors[0].message === "Spend can't be more 499",
  );
  assert.equal(simulator.client('62a000000000000000000001')!.balance, 878, 'nothing spent');
});

test('a cart in another currency is refused before any call', async () => {
  const customer = await adapter.identify('2000000000018', {});
  const calls = simulator.journal.entries.length;
  await rejects(adapter.quote({ checkoutId: 'x', customer, cart: buildCart('e', 'EUR', [{ sku: 'a', name: 'A', quantity: 1, unitPrice: 100 }]), spend: 0 }, {}), 'validation', 'currency');
  assert.equal(simulator.journal.entries.length, calls);
});

test('the simulator checks the apikey header on every method', async () => {
  const response = await fetch(`${server.url}/integration/general/recalc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(response.status, 422);
  assert.deepEqual(await response.json(), { apikey: 'Invalid apikey.' });
});

test('app code as proof of ownership: only when the operator says so, and only for the same client', async () => {
  const ivan = await adapter.identify('+7 920 123-45-67', {});
  // Default: the code is not counted as proof, and no call is made for it.
  assert.equal(adapter.capabilities.proof, 'none');
  assert.equal(await adapter.verify(ivan, '100001', {}), false);
  const proving = new RuLoyaltyAdapter(RuLoyaltyOptions.parse({ provider: 'ru-loyalty', baseUrl: server.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT, appCodeProvesOwnership: true }));
  try {
    assert.equal(proving.capabilities.proof, 'app-code');
    assert.equal(await proving.verify(ivan, '100001', {}), true);
    // Another client's code, and a code that finds nobody, prove nothing.
    assert.equal(await proving.verify(ivan, '100002', {}), false);
    assert.equal(await proving.verify(ivan, '999999', {}), false);
  } finally {
    await proving.close();
  }
});

test('app code: the phone or card the member is found by is not their code, and is refused without asking the API', async () => {
  // The API's search also finds Ivan by his phone and card (txt:8), so without a format check these "proved" ownership.
  const proving = new RuLoyaltyAdapter(RuLoyaltyOptions.parse({ provider: 'ru-loyalty', baseUrl: server.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT, appCodeProvesOwnership: true }));
  const searches = () => simulator.journal.count('POST', '/integration/general/client');
  try {
    for (const query of ['+7 920 123-45-67', '2000000000018']) {
      const ivan = await proving.identify(query, {});
      const before = searches();
      for (const code of ['79201234567', '+7 920 123-45-67', '8 920 123-45-67', '9201234567', '2000000000018', ' 2000000000018 ', '', '10001', '1000011']) {
        assert.equal(await proving.verify(ivan, code, {}), false, `${JSON.stringify(code)} after a lookup by ${query}`);
      }
      assert.equal(searches(), before, 'none of them sent to the API');
      assert.equal(await proving.verify(ivan, ' 100001 ', {}), true, 'his app code still proves it');
    }
  } finally {
    await proving.close();
  }
});

test('app code: appCodePattern is honoured, anchored, and still never lets the lookup key through', async () => {
  const ivan = await adapter.identify('2000000000018', {});
  const withPattern = (appCodePattern: string) => new RuLoyaltyAdapter(RuLoyaltyOptions.parse({ provider: 'ru-loyalty', baseUrl: server.url, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT, appCodeProvesOwnership: true, appCodePattern }));
  const eightDigits = withPattern('^\\d{8}$');
  // Unanchored: still the whole code. And widened so far that a card would match: the lookup key is refused anyway.
  const loose = withPattern('\\d{6,13}');
  try {
    assert.equal(await eightDigits.verify(ivan, '100001', {}), false, 'six digits are not a code here');
    assert.equal(await loose.verify(ivan, 'x100001', {}), false);
    assert.equal(await loose.verify(ivan, '100001', {}), true);
    assert.equal(await loose.verify(ivan, '2000000000018', {}), false, 'the card he was found by');
    assert.equal(await loose.verify(ivan, '79201234567', {}), false, 'the phone the API answered with');
  } finally {
    await eightDigits.close();
    await loose.close();
  }
  assert.equal(RuLoyaltyOptions.parse({ provider: 'ru-loyalty', baseUrl: server.url, apiKey: 'k', pointId: 'p' }).appCodePattern, '^\\d{6}$');
  for (const bad of ['^\\d{6', '(', '']) {
    assert.equal(RuLoyaltyOptions.safeParse({ provider: 'ru-loyalty', baseUrl: server.url, apiKey: 'k', pointId: 'p', appCodePattern: bad }).success, false, bad);
  }
});
