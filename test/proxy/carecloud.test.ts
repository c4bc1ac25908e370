import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Cart } from '../../src/protocol/index.js';
import { listen, type RunningServer } from '../../src/node/listen.js';
import { ProblemError } from '../../src/proxy/problems.js';
import { CarecloudAdapter, CarecloudOptions, type CarecloudQuote } from '../../src/proxy/providers/carecloud/adapter.js';
import type { CustomerRecord, RecordSaleInput } from '../../src/proxy/providers/provider.js';
import { CARECLOUD_BASE_PATH, CARECLOUD_DEMO, createCarecloudSimulator } from '../../src/simulators/carecloud/simulator.js';
import { startProxy } from '../support/start-proxy.js';

const JANA = { card: '2001990001884', id: '8bc8ea4c1466859cbba26e522f' };
const PETR_BLOCKED = '2001990002294';
const EVA_ZERO = '2001990003005';
const HOUR = 3600_000;

/** A CZK cart from [sku, name, quantity, unit price in haléř]. */
function cart(id: string, lines: Array<[string, string, number, number]>): Cart {
  const cartLines = lines.map(([sku, name, quantity, unit]) => ({
    sku,
    name,
    quantity,
    unitPrice: { amount: unit, currency: 'CZK' },
    total: { amount: unit * quantity, currency: 'CZK' },
  }));
  return { id, currency: 'CZK', lines: cartLines, total: { amount: cartLines.reduce((sum, l) => sum + l.total.amount, 0), currency: 'CZK' } };
}

function options(url: string, overrides: Record<string, unknown> = {}) {
  return CarecloudOptions.parse({
    provider: 'carecloud',
    baseUrl: url + CARECLOUD_BASE_PATH,
    auth: { mode: 'bearer', externalAppId: CARECLOUD_DEMO.externalAppId, login: CARECLOUD_DEMO.login, password: CARECLOUD_DEMO.password },
    storeId: CARECLOUD_DEMO.storeId,
    currencyId: CARECLOUD_DEMO.currencyId,
    purchaseTypeId: CARECLOUD_DEMO.purchaseTypeId,
    purchaseItemTypeId: CARECLOUD_DEMO.purchaseItemTypeId,
    categoryPluId: CARECLOUD_DEMO.categoryPluId,
    pointValue: 100, // the demo project: 1 point = 1 CZK
    ...overrides,
  });
}

/** Runs `fn` and returns the ProblemError it throws (fails when it resolves or throws anything else). */
async function problem(fn: () => Promise<unknown>): Promise<ProblemError> {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof ProblemError, `expected a ProblemError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ProblemError');
}

function sale(checkoutId: string, customer: CustomerRecord, c: Cart, spend: number, extra: Record<string, unknown> = {}): RecordSaleInput {
  const discount = (extra.discount as number | undefined) ?? 0;
  return {
    checkoutId,
    customer,
    cart: c,
    spend,
    method: 'card',
    reference: `co-${checkoutId}`,
    paid: { amount: Math.max(0, c.total.amount - discount - spend), currency: 'CZK' },
    ...extra,
  };
}

/** Runs `fn` with an adapter of its own (its log lines collected), closed afterwards. */
async function withAdapter(url: string, overrides: Record<string, unknown>, fn: (adapter: CarecloudAdapter, logs: string[]) => Promise<void>) {
  const logs: string[] = [];
  const adapter = new CarecloudAdapter(options(url, overrides), { log: (m) => logs.push(m) });
  try {
    await fn(adapter, logs);
  } finally {
    await adapter.close();
  }
}

describe('CareCloud adapter against the simulator (demo setup: 1 point = 1 CZK, 1 point per 10 CZK paid)', () => {
  let clock = Date.parse('2025-03-10T09:00:00Z');
  const sim = createCarecloudSimulator({ now: () => clock });
  let server: RunningServer;
  let adapter: CarecloudAdapter;
  const calls = (method: string, suffix: string) => sim.journal.entries.filter((e) => e.method === method && e.path.endsWith(suffix));

  before(async () => {
    server = await listen(sim.app);
    adapter = new CarecloudAdapter(options(server.url), { now: () => clock });
  });
  after(async () => {
    await adapter.close();
    await server.close();
  });
  beforeEach(() => sim.journal.clear());

  test('identify → quote → recordSale: points spent, points earned, one purchase with our bill_id', async () => {
    const customer = await adapter.identify('2001 9900 0188 4', {});
    // The documented card lookup alone identifies; the name is not in it (profile read is opt-in).
    assert.equal(customer.name, 'Card holder');
    assert.equal(customer.providerId, JANA.id);
    assert.equal(customer.card, JANA.card);
    assert.equal(calls('GET', '/cards').length, 1);
    assert.equal(calls('GET', `/customers/${JANA.id}`).length, 0);

    const c = cart('c-flow', [
      ['coffee', 'Coffee', 2, 6500],
      ['cake', 'Cake', 1, 8990],
    ]); // 219.90 CZK
    const first = (await adapter.quote({ checkoutId: 'flow', customer, cart: c, spend: 0 }, {})) as CarecloudQuote;
    assert.deepEqual(first.balance, { value: { amount: 125_000, currency: 'CZK' }, points: 1250 });
    // 219 whole points fit the 219.90 bill.
    assert.deepEqual(first.spendable, { min: { amount: 100, currency: 'CZK' }, max: { amount: 21_900, currency: 'CZK' }, step: 100 });
    assert.deepEqual(first.earn, { value: { amount: 2100, currency: 'CZK' }, points: 21 });
    assert.deepEqual(first.discount, { amount: 0, currency: 'CZK' });
    // Condensed list: the coffee reward applies twice; the tea reward is not on this bill.
    assert.deepEqual(
      first.rewards.map((r) => [r.code, r.maxCount]),
      [['PTV138', 2]],
    );
    const rewardsCall = calls('POST', '/purchases/actions/recommended-best-rewards')[0]!.body as { card_number: string; reward_list_type: string; bill: { total_price: string } };
    assert.equal(rewardsCall.card_number, JANA.card);
    assert.equal(rewardsCall.reward_list_type, 'C');
    assert.equal(rewardsCall.bill.total_price, '219.90');

    const chosen = await adapter.quote({ checkoutId: 'flow', customer, cart: c, spend: 10_000 }, {});
    assert.equal(chosen.spendPoints, 100);
    assert.deepEqual(chosen.earn, { value: { amount: 1100, currency: 'CZK' }, points: 11 }); // floor(119.90 / 10)

    sim.journal.clear();
    const record = await adapter.recordSale(sale('flow', customer, c, 10_000), {});
    assert.deepEqual(record, {
      reference: 'co-flow',
      discount: { amount: 0, currency: 'CZK' },
      spent: { value: { amount: 10_000, currency: 'CZK' }, points: 100 },
      earned: { value: { amount: 1100, currency: 'CZK' }, points: 11 },
      balanceAfter: { value: { amount: 116_100, currency: 'CZK' }, points: 1161 },
    });
    assert.equal(sim.points(JANA.id), 1161);
    const accept = calls('POST', '/purchases/actions/accept-payment');
    assert.equal(accept.length, 1);
    assert.equal((accept[0]!.body as { max_points: string }).max_points, '100');
    const sent = calls('POST', '/purchases/actions/send-purchase');
    assert.deepEqual(sent.map((e) => e.status), [201]);
    const sentBill = (sent[0]!.body as { bill: { bill_id: string; payment_recap: { credit_points: number }; payment_time: string } }).bill;
    assert.equal(sentBill.bill_id, 'co-flow');
    assert.equal(sentBill.payment_recap.credit_points, 100);
    assert.match(sentBill.payment_time, /^2025-03-10T10:00:00\+01:00$/); // project time, Europe/Prague
    assert.equal(calls('GET', '/actions/payment-summary').length, 1);
    const purchases = sim.purchases().filter((p) => p.external_purchase_id === 'co-flow');
    assert.equal(purchases.length, 1);
    assert.equal(purchases[0]!.total_price, 219.9);
  });

  test('a blocked card is refused on the query field, an unknown card is not found', async () => {
    const blocked = await problem(() => adapter.identify(PETR_BLOCKED, {}));
    assert.equal(blocked.kind, 'rejected');
    assert.equal(blocked.errors?.[0]?.field, 'query');
    assert.match(blocked.message, /blocked/);
    assert.equal(calls('GET', '/customers/8bc8ea4c1466859cbba26e5230').length, 0, 'no profile read for a blocked card');

    const unknown = await problem(() => adapter.identify('9999999999999', {}));
    assert.equal(unknown.kind, 'not-found');
    assert.equal(unknown.errors?.[0]?.field, 'query');
  });

  test('a card blocked after identification is refused by CareCloud itself (card_is_blocked → query)', async () => {
    const customer = await adapter.identify(JANA.card, {});
    sim.setCardState(JANA.card, 0);
    try {
      const refused = await problem(() => adapter.quote({ checkoutId: 'blocked-later', customer, cart: cart('c', [['cake', 'Cake', 1, 8990]]), spend: 0 }, {}));
      assert.equal(refused.kind, 'rejected');
      assert.deepEqual(refused.errors?.map((e) => e.field), ['query']);
    } finally {
      sim.setCardState(JANA.card, 1);
    }
  });

  test('not enough points: refused on the amount field, before anything is sent', async () => {
    const customer = await adapter.identify(JANA.card, {});
    const big = cart('c-big', [['tv', 'Television', 1, 2_999_000]]);
    const balance = sim.points(JANA.id)!;
    const overQuote = await problem(() => adapter.quote({ checkoutId: 'over', customer, cart: big, spend: (balance + 1) * 100 }, {}));
    assert.equal(overQuote.kind, 'rejected');
    assert.deepEqual(overQuote.errors?.map((e) => e.field), ['amount']);
    assert.match(overQuote.message, /enough points/);

    // Points spent elsewhere between the quote and the payment.
    const c = cart('c-gone', [['cake', 'Cake', 2, 8990]]);
    await adapter.quote({ checkoutId: 'gone', customer, cart: c, spend: 10_000 }, {});
    sim.setPoints(JANA.id, 50);
    sim.journal.clear();
    try {
      const refused = await problem(() => adapter.recordSale(sale('gone', customer, c, 10_000), {}));
      assert.equal(refused.kind, 'rejected');
      assert.deepEqual(refused.errors?.map((e) => e.field), ['amount']);
      assert.equal(calls('POST', '/send-purchase').length, 0);
      assert.equal(calls('GET', '/purchases').length, 1, 'checked whether this bill was already recorded');
      assert.equal(sim.points(JANA.id), 50);
    } finally {
      sim.setPoints(JANA.id, balance);
    }
  });

  test('zero points: nothing to spend, the purchase still earns', async () => {
    const customer = await adapter.identify(EVA_ZERO, {});
    const quote = await adapter.quote({ checkoutId: 'zero', customer, cart: cart('c', [['cake', 'Cake', 3, 8990]]), spend: 0 }, {});
    assert.deepEqual(quote.balance, { value: { amount: 0, currency: 'CZK' }, points: 0 });
    assert.deepEqual(quote.spendable, { min: { amount: 0, currency: 'CZK' }, max: { amount: 0, currency: 'CZK' }, step: 100 });
    assert.equal(quote.earn?.points, 26); // floor(269.70 / 10)
    assert.equal(calls('POST', '/accept-payment').length, 1, 'no "all points" preview when there are none');
  });

  test('duplicate bill_id, second line of defence: the same reference twice records one purchase', async () => {
    const customer = await adapter.identify(JANA.card, {});
    const c = cart('c-dup', [['cake', 'Cake', 1, 8990]]);
    const before = sim.points(JANA.id)!;
    const first = await adapter.recordSale(sale('dup', customer, c, 5000), {});
    // As if the proxy's idempotency store had been lost (another instance, a restart).
    const second = await adapter.recordSale(sale('dup', customer, c, 5000), {});
    assert.deepEqual(second, first);
    assert.deepEqual(first.spent, { value: { amount: 5000, currency: 'CZK' }, points: 50 });
    assert.equal(sim.purchases().filter((p) => p.external_purchase_id === 'co-dup').length, 1);
    assert.deepEqual(calls('POST', '/send-purchase').map((e) => e.status), [201, 400]);
    assert.equal(sim.points(JANA.id), before - 50 + 3); // 39.90 paid → 3 points, once

    // Concurrent twins: one 201, one already_exists, the same result.
    const c2 = cart('c-twin', [['cake', 'Cake', 2, 8990]]);
    sim.journal.clear();
    const [a, b] = await Promise.all([adapter.recordSale(sale('twin', customer, c2, 2000), {}), adapter.recordSale(sale('twin', customer, c2, 2000), {})]);
    assert.deepEqual(a, b);
    assert.equal(sim.purchases().filter((p) => p.external_purchase_id === 'co-twin').length, 1);
    assert.deepEqual(calls('POST', '/send-purchase').map((e) => e.status).sort(), [201, 400]);
  });

  test('duplicate after the points are gone: accept-payment refuses, the recorded sale is returned', async () => {
    const customer = await adapter.identify(JANA.card, {});
    const balance = sim.points(JANA.id)!;
    sim.setPoints(JANA.id, 30);
    try {
      const c = cart('c-all', [['cake', 'Cake', 1, 3000]]);
      const first = await adapter.recordSale(sale('all', customer, c, 3000), {});
      assert.equal(first.balanceAfter?.points, 0);
      sim.journal.clear();
      const again = await adapter.recordSale(sale('all', customer, c, 3000), {});
      assert.deepEqual(again, first);
      assert.deepEqual(calls('POST', '/accept-payment').map((e) => e.status), [400]);
      assert.equal(calls('POST', '/send-purchase').length, 0);
      assert.equal(sim.purchases().filter((p) => p.external_purchase_id === 'co-all').length, 1);
    } finally {
      sim.setPoints(JANA.id, balance);
    }
  });

  test('send-purchase answering 500 without recording: not unknown, the same bill again records it once', async () => {
    // Before: this encoded "any 5xx on send-purchase is unknown". CareCloud's bill_id guard settles it.
    const customer = await adapter.identify(JANA.card, {});
    const c = cart('c-500', [['cake', 'Cake', 1, 8990]]);
    sim.failNext('POST', '/purchases/actions/send-purchase', 500);
    const record = await adapter.recordSale(sale('five', customer, c, 1000), {});
    assert.equal(record.spent.points, 10);
    assert.deepEqual(calls('POST', '/send-purchase').map((e) => e.status), [500, 201]);
    assert.equal(sim.purchases().filter((p) => p.external_purchase_id === 'co-five').length, 1);

    sim.failNext('GET', '/cards', 429);
    const limited = await problem(() => adapter.identify(JANA.card, {}));
    assert.equal(limited.kind, 'rate-limited');
    assert.equal(limited.headers?.['retry-after'], '2');
  });

  test('hold = point reservation: reserved, freed on release, freed again before the payment', async () => {
    const customer = await adapter.identify(JANA.card, {});
    const c = cart('c-hold', [['cake', 'Cake', 2, 8990]]);
    const input = { checkoutId: 'hold', customer, cart: c, spend: 4000 };
    const before = sim.points(JANA.id)!;
    const held = await adapter.hold(input, {});
    assert.deepEqual(held.amount, { value: { amount: 4000, currency: 'CZK' }, points: 40 });
    assert.equal(held.expiresAt, new Date(clock + 15 * 60_000).toISOString());
    const reservation = sim.reservations().find((r) => r.external_id === 'hold-hold');
    assert.deepEqual(reservation && { quantity: reservation.quantity, state: reservation.state, expiration: reservation.expiration }, {
      quantity: 40,
      state: 1,
      expiration: '2025-03-10 10:15:00', // Prague wall time of clock + 15 min
    });
    assert.equal(sim.points(JANA.id), before - 40);

    // A hold that survived a failed release is replaced, not doubled.
    await adapter.hold(input, {});
    assert.equal(sim.reservations().filter((r) => r.external_id === 'hold-hold' && r.state === 1).length, 1);

    await adapter.release(input, {});
    assert.equal(sim.points(JANA.id), before);
    await adapter.release(input, {}); // nothing to free is fine

    await adapter.hold(input, {});
    const record = await adapter.recordSale(sale('hold', customer, c, 4000), {});
    assert.equal(record.spent.points, 40);
    assert.equal(sim.reservations().filter((r) => r.external_id === 'hold-hold' && r.state === 1).length, 0);
  });

  test('benefit codes: a voucher discounts the bill once; used or unknown codes are refused on benefitCodes', async () => {
    const customer = await adapter.identify(JANA.card, {});
    const c = cart('c-code', [['cake', 'Cake', 2, 8990]]); // 179.80
    const quote = await adapter.quote({ checkoutId: 'code', customer, cart: c, spend: 0, benefitCodes: ['SLEVA50'] } as never, {});
    assert.deepEqual(quote.discount, { amount: 5000, currency: 'CZK' });
    assert.equal(quote.spendable.max.amount, 12_900); // 129.80 left → 129 points
    const record = await adapter.recordSale(sale('code', customer, c, 0, { benefitCodes: ['SLEVA50'], discount: 5000 }), {});
    assert.deepEqual(record.discount, { amount: 5000, currency: 'CZK' });
    assert.equal(sim.voucher('SLEVA50')?.used, true);

    const used = await problem(() => adapter.quote({ checkoutId: 'code2', customer, cart: c, spend: 0, benefitCodes: ['SLEVA50'] } as never, {}));
    assert.deepEqual(used.errors, [{ field: 'benefitCodes', message: 'This code has already been used.' }]);
    const unknown = await problem(() => adapter.quote({ checkoutId: 'code3', customer, cart: c, spend: 0, benefitCodes: ['NOPE'] } as never, {}));
    assert.deepEqual(unknown.errors, [{ field: 'benefitCodes', message: 'This code does not exist.' }]);
  });

  test('token: one login for concurrent callers, renewed once before valid_to, renewed once after a 401', async () => {
    const fresh = new CarecloudAdapter(options(server.url), { now: () => clock });
    try {
      await Promise.all(Array.from({ length: 8 }, () => fresh.identify(JANA.card, {})));
      assert.equal(calls('POST', '/users/actions/login').length, 1);

      // Two minutes before the 7-hour valid_to (written in Prague time): renew first, once.
      clock += 7 * HOUR - 2 * 60_000;
      await Promise.all(Array.from({ length: 8 }, () => fresh.identify(JANA.card, {})));
      assert.equal(calls('POST', '/users/actions/login').length, 2);
      assert.equal(sim.journal.entries.filter((e) => e.status === 401).length, 0, 'no call was made with an expired token');

      // CareCloud drops the token early: every caller gets 401, one login serves them all.
      sim.revokeTokens();
      await Promise.all(Array.from({ length: 8 }, () => fresh.identify(JANA.card, {})));
      assert.equal(calls('POST', '/users/actions/login').length, 3);
      assert.equal(sim.journal.entries.filter((e) => e.status === 401).length, 8);
    } finally {
      await fresh.close();
    }
  });

  test('Basic auth (deprecated) still works; wrong credentials are a configuration problem without the secret', async () => {
    const basic = new CarecloudAdapter(options(server.url, { auth: { mode: 'basic', user: CARECLOUD_DEMO.basicUser, password: CARECLOUD_DEMO.basicPassword } }));
    const wrong = new CarecloudAdapter(options(server.url, { auth: { mode: 'bearer', externalAppId: CARECLOUD_DEMO.externalAppId, login: CARECLOUD_DEMO.login, password: 'hunter2-wrong' } }));
    try {
      assert.equal((await basic.identify(JANA.card, {})).providerId, JANA.id);
      assert.equal(calls('POST', '/users/actions/login').length, 0);
      const refused = await problem(() => wrong.identify(JANA.card, {}));
      assert.equal(refused.kind, 'upstream-unavailable');
      assert.equal(refused.retryable, false);
      assert.doesNotMatch(JSON.stringify({ message: refused.message, problem: refused.toProblem() }), /hunter2/);
    } finally {
      await basic.close();
      await wrong.close();
    }
  });

  test('options are validated at start', () => {
    const bad = CarecloudOptions.safeParse({ provider: 'carecloud', baseUrl: 'not a url', auth: { mode: 'bearer' }, timeZone: 'Mars/Olympus' });
    assert.equal(bad.success, false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    for (const path of ['baseUrl', 'auth.externalAppId', 'storeId', 'currencyId', 'purchaseTypeId', 'pointValue', 'timeZone']) assert.ok(paths.includes(path), `${path} reported (got ${paths.join(', ')})`);
  });
});

describe('CareCloud exact decimals (1 point = 0.10 CZK)', () => {
  const clock = Date.parse('2025-07-01T12:00:00Z');
  const sim = createCarecloudSimulator({
    now: () => clock,
    pointValue: '0.10',
    customers: [
      {
        customerId: 'c-dec',
        firstName: 'Dana',
        lastName: 'Desetinná',
        email: 'd@example.test',
        phone: '420600000001',
        birthdate: '1990-01-01',
        card: { cardId: 'card-dec', number: '2001990005009', state: 1, validTo: '2059-01-01' },
        points: 5000,
      },
    ],
  });
  let server: RunningServer;
  let adapter: CarecloudAdapter;
  before(async () => {
    server = await listen(sim.app);
    adapter = new CarecloudAdapter(options(server.url, { pointValue: 10 }), { now: () => clock });
  });
  after(async () => {
    await adapter.close();
    await server.close();
  });

  test('0.10 × 3 + 0.20 + 19.99 × 7 = 140.43 exactly, points priced to the haléř', async () => {
    const customer = await adapter.identify('2001990005009', {});
    const c = cart('c-dec', [
      ['straw', 'Straw', 3, 10],
      ['bag', 'Bag', 1, 20],
      ['book', 'Book', 7, 1999],
    ]);
    assert.equal(c.total.amount, 14_043);
    const quote = await adapter.quote({ checkoutId: 'dec', customer, cart: c, spend: 0 }, {});
    assert.deepEqual(quote.balance, { value: { amount: 50_000, currency: 'CZK' }, points: 5000 });
    // 1404.3 points would pay the whole 140.43; the checkout spends whole points (0.10 CZK steps).
    assert.deepEqual(quote.spendable.max, { amount: 14_040, currency: 'CZK' });
    assert.equal(quote.spendable.step, 10);

    const bill = (sim.journal.entries.find((e) => e.path.endsWith('/accept-payment'))!.body as { bill: { total_price: string; bill_items: Array<{ paid_amount: number; price: number }> } }).bill;
    assert.equal(bill.total_price, '140.43');
    assert.deepEqual(bill.bill_items.map((i) => i.paid_amount), [0.3, 0.2, 139.93]);

    const spend = 1990; // 199 points
    const chosen = await adapter.quote({ checkoutId: 'dec', customer, cart: c, spend }, {});
    assert.equal(chosen.spendPoints, 199);
    assert.deepEqual(chosen.earn, { value: { amount: 120, currency: 'CZK' }, points: 12 }); // floor(120.53 / 10)

    const record = await adapter.recordSale(sale('dec', customer, c, spend), {});
    assert.deepEqual(record.spent, { value: { amount: 1990, currency: 'CZK' }, points: 199 });
    assert.deepEqual(record.earned, { value: { amount: 120, currency: 'CZK' }, points: 12 });
    assert.deepEqual(record.balanceAfter, { value: { amount: 48_130, currency: 'CZK' }, points: 4813 });
    assert.equal(sim.purchases()[0]!.total_price, 140.43);
  });

  test('a spend that is not a whole number of points is refused on amount', async () => {
    const customer = await adapter.identify('2001990005009', {});
    const refused = await problem(() => adapter.quote({ checkoutId: 'odd', customer, cart: cart('c', [['book', 'Book', 1, 1999]]), spend: 15 }, {}));
    assert.equal(refused.kind, 'validation');
    assert.equal(refused.errors?.[0]?.field, 'amount');
  });
});

describe('CareCloud unknown outcomes settle through the bill_id guard (exactly one purchase)', () => {
  const sim = createCarecloudSimulator();
  let server: RunningServer;
  let adapter: CarecloudAdapter;
  let customer: CustomerRecord;
  const SEND = `${CARECLOUD_BASE_PATH}/purchases/actions/send-purchase`;
  const sends = () => sim.journal.entries.filter((e) => e.path === SEND).map((e) => e.status);
  const purchasesOf = (reference: string) => sim.purchases().filter((p) => p.external_purchase_id === reference);
  const c = cart('c-settle', [['cake', 'Cake', 2, 8990]]); // 179.80 CZK: 40 points spent, 139.80 paid → 13 earned
  before(async () => {
    server = await listen(sim.app);
    adapter = new CarecloudAdapter(options(server.url));
    customer = await adapter.identify(JANA.card, {});
  });
  after(async () => {
    await adapter.close();
    await server.close();
  });
  beforeEach(() => {
    sim.journal.clear();
    sim.faults.clear();
  });

  test('a plain 503 on send-purchase where nothing was recorded is not unknown: the same bill again records it, once', async () => {
    const before = sim.points(JANA.id)!;
    sim.faults.add({ kind: 'status', status: 503, method: 'POST', path: SEND, times: 1 });
    const record = await adapter.recordSale(sale('plain-503', customer, c, 4000), {});
    assert.deepEqual(record.spent, { value: { amount: 4000, currency: 'CZK' }, points: 40 });
    assert.deepEqual(sends(), [503, 201]);
    assert.equal(purchasesOf('co-plain-503').length, 1);
    assert.equal(sim.points(JANA.id), before - 40 + 13);
  });

  test('commit-then-drop: recorded but the reply lost; the same bill again answers already_exists → the recorded sale, one purchase', async () => {
    const before = sim.points(JANA.id)!;
    sim.faults.add({ kind: 'commit-then-drop', method: 'POST', path: SEND, times: 1 });
    const record = await adapter.recordSale(sale('dropped', customer, c, 4000), {});
    assert.deepEqual(record, {
      reference: 'co-dropped',
      discount: { amount: 0, currency: 'CZK' },
      spent: { value: { amount: 4000, currency: 'CZK' }, points: 40 },
      earned: { value: { amount: 1300, currency: 'CZK' }, points: 13 },
      balanceAfter: { value: { amount: (before - 40 + 13) * 100, currency: 'CZK' }, points: before - 40 + 13 },
    });
    assert.deepEqual(sends(), [201, 400]); // the first committed (its reply never arrived), the second refused as a duplicate
    assert.equal(purchasesOf('co-dropped').length, 1);
    assert.equal(sim.points(JANA.id), before - 40 + 13);
  });

  test('both answers lost (commit-then-drop, then a reset): unknown; saleOutcome settles it as recorded, still one purchase', async () => {
    const before = sim.points(JANA.id)!;
    const input = sale('lost-twice', customer, c, 4000);
    sim.faults.add({ kind: 'commit-then-drop', method: 'POST', path: SEND, times: 1 }, { kind: 'reset', method: 'POST', path: SEND, times: 1 });
    const unknown = await problem(() => adapter.recordSale(input, {}));
    assert.equal(unknown.kind, 'payment-outcome-unknown');
    assert.equal(unknown.retryable, false);
    assert.equal(purchasesOf('co-lost-twice').length, 1);

    const outcome = await adapter.saleOutcome(input, {});
    assert.equal(outcome.state, 'recorded');
    assert.deepEqual(outcome.state === 'recorded' && outcome.sale.spent, { value: { amount: 4000, currency: 'CZK' }, points: 40 });
    // Asked again (another instance, a second status read): the same answer, never a second purchase.
    assert.equal((await adapter.saleOutcome(input, {})).state, 'recorded');
    assert.equal(purchasesOf('co-lost-twice').length, 1);
    assert.equal(sim.points(JANA.id), before - 40 + 13);
    assert.deepEqual(sends().slice(2), [400, 400]);
  });

  test('nothing recorded and both answers lost (503 twice): unknown; saleOutcome records this very bill, once', async () => {
    const input = sale('never-sent', customer, c, 4000);
    sim.faults.add({ kind: 'status', status: 503, method: 'POST', path: SEND, times: 2 });
    assert.equal((await problem(() => adapter.recordSale(input, {}))).kind, 'payment-outcome-unknown');
    assert.equal(purchasesOf('co-never-sent').length, 0);
    const outcome = await adapter.saleOutcome(input, {});
    assert.equal(outcome.state, 'recorded');
    assert.equal((await adapter.saleOutcome(input, {})).state, 'recorded');
    assert.equal(purchasesOf('co-never-sent').length, 1);
    assert.deepEqual(sends(), [503, 503, 201, 400]);
  });

  test('saleOutcome after this very bill used up the points: accept-payment refuses, the purchase is read back → recorded', async () => {
    const balance = sim.points(JANA.id)!;
    sim.setPoints(JANA.id, 40);
    try {
      const input = sale('all-points', customer, c, 4000);
      sim.faults.add({ kind: 'commit-then-drop', method: 'POST', path: SEND, times: 1 }, { kind: 'status', status: 502, method: 'POST', path: SEND, times: 1 });
      assert.equal((await problem(() => adapter.recordSale(input, {}))).kind, 'payment-outcome-unknown');
      sim.journal.clear();
      const outcome = await adapter.saleOutcome(input, {});
      assert.equal(outcome.state, 'recorded');
      assert.deepEqual(sim.journal.entries.filter((e) => e.path.endsWith('/accept-payment')).map((e) => e.status), [400]);
      assert.equal(sends().length, 0);
      assert.equal(purchasesOf('co-all-points').length, 1);
    } finally {
      sim.setPoints(JANA.id, balance);
    }
  });

  test('saleOutcome when the bill can no longer be closed and is not found: unknown (a refusal does not prove the first send failed)', async () => {
    const balance = sim.points(JANA.id)!;
    try {
      const input = sale('gone-elsewhere', customer, c, 4000);
      sim.faults.add({ kind: 'reset', method: 'POST', path: SEND, times: 2 });
      assert.equal((await problem(() => adapter.recordSale(input, {}))).kind, 'payment-outcome-unknown');
      sim.setPoints(JANA.id, 10); // spent elsewhere meanwhile
      assert.deepEqual(await adapter.saleOutcome(input, {}), { state: 'unknown' });
      assert.equal(purchasesOf('co-gone-elsewhere').length, 0);
    } finally {
      sim.setPoints(JANA.id, balance);
    }
  });

  test('through the proxy: a payment whose answers were both lost is unknown, and the next status read settles it as paid (one purchase)', async () => {
    const proxy = await startProxy({
      loyalty: options(server.url),
      carts: { 'cc-settle': { currency: 'CZK', lines: [{ sku: 'cake', name: 'Cake', quantity: 2, unitPrice: 8990 }] } },
    });
    try {
      // The shop's server vouches for Jana; its PSP takes the rest and it confirms the payment.
      const checkout = await proxy.checkout({ cartId: 'cc-settle', customer: { query: JANA.card } });
      const id = checkout.id;
      assert.equal((await checkout.page('PUT', '/spend', { amount: 4000 })).status, 200);
      sim.faults.add({ kind: 'commit-then-drop', method: 'POST', path: SEND, times: 1 }, { kind: 'reset', method: 'POST', path: SEND, times: 1 });
      const paid = await proxy.server('POST', `/checkouts/${id}/payments`, { method: 'external', amount: { amount: 13980, currency: 'CZK' }, pspReference: 'psp-1' }, { 'Idempotency-Key': `pay-${id}` });
      assert.equal(paid.status, 502);
      assert.match(String(paid.body.type), /payment-outcome-unknown/);
      const read = await checkout.page('GET', '');
      assert.equal(read.body.status, 'paid');
      assert.deepEqual(read.body.receipt.spent, { value: { amount: 4000, currency: 'CZK' }, points: 40 });
      assert.equal(purchasesOf(`co-${id}`).length, 1);
    } finally {
      await proxy.close();
    }
  });

  test('429 on send-purchase: definite (rate-limited, Retry-After kept), nothing sent again, nothing recorded', async () => {
    sim.faults.add({ kind: 'rate-limit', retryAfter: 7, method: 'POST', path: SEND, times: 1 });
    const limited = await problem(() => adapter.recordSale(sale('limited', customer, c, 4000), {}));
    assert.equal(limited.kind, 'rate-limited');
    assert.equal(limited.headers?.['retry-after'], '7');
    assert.deepEqual(sends(), [429]);
    assert.equal(purchasesOf('co-limited').length, 0);
  });

  test('429 on the login keeps Retry-After; a 503 on a read is upstream-unavailable, retryable, with its Retry-After', async () => {
    const fresh = new CarecloudAdapter(options(server.url));
    try {
      sim.faults.add({ kind: 'rate-limit', retryAfter: 9, method: 'POST', path: `${CARECLOUD_BASE_PATH}/users/actions/login`, times: 1 });
      const login = await problem(() => fresh.identify(JANA.card, {}));
      assert.deepEqual([login.kind, login.headers?.['retry-after']], ['rate-limited', '9']);
      sim.faults.add({ kind: 'status', status: 503, retryAfter: 30, method: 'GET', path: `${CARECLOUD_BASE_PATH}/cards`, times: 1 });
      const read = await problem(() => fresh.identify(JANA.card, {}));
      assert.deepEqual([read.kind, read.retryable, read.headers?.['retry-after']], ['upstream-unavailable', true, '30']);
    } finally {
      await fresh.close();
    }
  });
});

describe('CareCloud point value: configured, and checked against CareCloud\'s own figures (1 point = 0.50 CZK)', () => {
  const sim = createCarecloudSimulator({ pointValue: '0.50' });
  let server: RunningServer;
  before(async () => {
    server = await listen(sim.app);
  });
  after(() => server.close());
  beforeEach(() => sim.journal.clear());
  const c = cart('c-half', [['cake', 'Cake', 2, 8990]]); // 179.80 CZK

  test('pointValue has no default: a programme where a point is worth 0.50 is not silently priced at 1 CZK', () => {
    const parsed = CarecloudOptions.safeParse({ ...options('http://x.test'), pointValue: undefined });
    assert.equal(parsed.success, false);
    assert.deepEqual(parsed.error!.issues.map((i) => i.path.join('.')), ['pointValue']);
  });

  test('pointValue 50 agrees with CareCloud: balance, steps and spend at 0.50 CZK a point', async () => {
    await withAdapter(server.url, { pointValue: 50 }, async (adapter, logs) => {
        const customer = await adapter.identify(JANA.card, {});
        const quote = await adapter.quote({ checkoutId: 'half', customer, cart: c, spend: 0 }, {});
        assert.deepEqual(quote.balance, { value: { amount: 62_500, currency: 'CZK' }, points: 1250 });
        assert.deepEqual(quote.spendable, { min: { amount: 50, currency: 'CZK' }, max: { amount: 17_950, currency: 'CZK' }, step: 50 });
        const chosen = await adapter.quote({ checkoutId: 'half', customer, cart: c, spend: 5000 }, {});
        assert.equal(chosen.spendPoints, 100);
        const record = await adapter.recordSale(sale('half', customer, c, 5000), {});
        assert.deepEqual(record.spent, { value: { amount: 5000, currency: 'CZK' }, points: 100 });
        assert.deepEqual(logs, []);
    });
  });

  test('pointValue 100 contradicts the points overview: logged, refused, and refused again for a customer without points', async () => {
    await withAdapter(server.url, { pointValue: 100 }, async (adapter, logs) => {
        const customer = await adapter.identify(JANA.card, {});
        const refused = await problem(() => adapter.quote({ checkoutId: 'wrong', customer, cart: c, spend: 0 }, {}));
        assert.equal(refused.kind, 'upstream-unavailable');
        assert.equal(refused.retryable, false);
        assert.match(refused.message, /pointValue/);
        assert.equal(logs.length, 1);
        assert.match(logs[0]!, /pointValue is 100 \(1\.00 CZK a point\), but the points overview values \d+ points at [\d.]+ CZK \(about 0\.50 CZK a point\)/);
        // Eva has no points, so no figure of her own: the known contradiction still refuses.
        const eva = await adapter.identify(EVA_ZERO, {});
        assert.equal((await problem(() => adapter.quote({ checkoutId: 'wrong-eva', customer: eva, cart: c, spend: 0 }, {}))).kind, 'upstream-unavailable');
        sim.journal.clear();
        assert.equal((await problem(() => adapter.recordSale(sale('wrong', customer, c, 0), {}))).kind, 'upstream-unavailable');
        assert.equal((await problem(() => adapter.hold({ checkoutId: 'wrong', customer, cart: c, spend: 1000 }, {}))).kind, 'upstream-unavailable');
        assert.equal(sim.journal.entries.length, 0, 'nothing sent once the contradiction is known');
    });
  });

  test('pointValue 100 contradicts accept-payment\'s price of the points: a sale (no overview read) is refused before anything is sent', async () => {
    await withAdapter(server.url, { pointValue: 100 }, async (adapter, logs) => {
        const customer = await adapter.identify(JANA.card, {});
        const purchases = sim.purchases().length;
        const refused = await problem(() => adapter.recordSale(sale('wrong-accept', customer, c, 10_000), {}));
        assert.equal(refused.kind, 'upstream-unavailable');
        assert.equal(logs.length, 1);
        assert.match(logs[0]!, /accept-payment values 100 points at 50\.00 CZK/);
        assert.equal(sim.journal.count('POST', /send-purchase$/), 0);
        assert.equal(sim.purchases().length, purchases);
    });
  });
});

describe('CareCloud lookup: the card identifies; the undocumented profile read is opt-in and best-effort', () => {
  const sim = createCarecloudSimulator();
  let server: RunningServer;
  before(async () => {
    server = await listen(sim.app);
  });
  after(() => server.close());
  beforeEach(() => {
    sim.journal.clear();
    sim.setCustomersEndpoint('on');
  });
  const profileReads = () => sim.journal.entries.filter((e) => e.method === 'GET' && /\/customers\/[^/]+$/.test(e.path));

  test('customerProfile on: name and phone from GET /customers/{id}', async () => {
    await withAdapter(server.url, { customerProfile: true }, async (adapter, logs) => {
      const customer = await adapter.identify(JANA.card, {});
      assert.deepEqual([customer.name, customer.phone, customer.providerId], ['Jana Nováková', '420603123456', JANA.id]);
      assert.equal(profileReads().length, 1);
      assert.deepEqual(logs, []);
    });
  });

  for (const [mode, status] of [['not-found', 404], ['forbidden', 403], ['method-not-allowed', 405]] as const) {
    test(`GET /customers/{id} answering ${status}: the shopper is identified by card, under the neutral name, and it is logged once`, async () => {
      sim.setCustomersEndpoint(mode);
      await withAdapter(server.url, { customerProfile: true, anonymousName: 'Držitel karty' }, async (adapter, logs) => {
        const first = await adapter.identify(JANA.card, {});
        assert.deepEqual([first.name, first.providerId, first.card, first.phone], ['Držitel karty', JANA.id, JANA.card, undefined]);
        const second = await adapter.identify(EVA_ZERO, {});
        assert.equal(second.name, 'Držitel karty');
        // 403 and 405 refuse the call itself: not asked again; a 404 may be one customer's.
        assert.equal(profileReads().length, status === 404 ? 2 : 1);
        assert.equal(logs.length, 1);
        assert.match(logs[0]!, new RegExp(`HTTP ${status}.*customerProfile`));
        // The rest of the flow needs nothing from the profile.
        const quote = await adapter.quote({ checkoutId: `anon-${status}`, customer: first, cart: cart('c', [['cake', 'Cake', 1, 8990]]), spend: 0 }, {});
        assert.equal(quote.balance.points, sim.points(JANA.id));
      });
    });
  }

  test('customerProfile off (default): no profile read at all, even where the project has it', async () => {
    await withAdapter(server.url, {}, async (adapter) => {
      assert.equal((await adapter.identify(JANA.card, {})).name, 'Card holder');
      assert.equal(profileReads().length, 0);
    });
  });

  test('a blocked card is still refused before any profile read', async () => {
    await withAdapter(server.url, { customerProfile: true }, async (adapter) => {
      assert.equal((await problem(() => adapter.identify(PETR_BLOCKED, {}))).kind, 'rejected');
      assert.equal(profileReads().length, 0);
    });
  });
});

describe('CareCloud times: the simulator reads them its own way; expiration_time zone is configuration', () => {
  test('the simulator imports nothing from the adapter but types (its own time code can catch the adapter misreading times)', async () => {
    const dir = new URL('../../src/simulators/carecloud/', import.meta.url);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ts'));
    assert.ok(files.includes('simulator.ts') && files.includes('time.ts'));
    for (const file of files) {
      const source = await readFile(new URL(file, dir), 'utf8');
      const imports = [...source.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^;]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
      assert.deepEqual(imports.filter((path) => path.includes('proxy/')), [], `${file} imports adapter code`);
    }
  });

  /** A hold made at `start` in a Prague project, read back at `start + minutes`. */
  async function holdLasts(adapterSetting: 'project' | 'utc', simSetting: 'project' | 'utc', start: number) {
    let clock = start;
    const sim = createCarecloudSimulator({ now: () => clock, reservationTimes: simSetting });
    const server = await listen(sim.app);
    const adapter = new CarecloudAdapter(options(server.url, { reservationTimes: adapterSetting }), { now: () => clock });
    try {
      const customer = await adapter.identify(JANA.card, {});
      const before = sim.points(JANA.id)!;
      const held = await adapter.hold({ checkoutId: 'tz', customer, cart: cart('c', [['cake', 'Cake', 1, 8990]]), spend: 4000 }, {});
      const sent = (sim.journal.entries.find((e) => e.path.endsWith('/reserve-points'))!.body as { expiration_time: string }).expiration_time;
      const heldAt = (minutes: number) => {
        clock = start + minutes * 60_000;
        return before - sim.points(JANA.id)!;
      };
      return { sent, expiresAt: held.expiresAt, atOnce: heldAt(0), at14: heldAt(14), at16: heldAt(16) };
    } finally {
      await adapter.close();
      await server.close();
    }
  }

  test('project (default): expiration_time is Prague wall time, across the spring DST change; the hold lasts 15 min', async () => {
    assert.equal(options('http://x.test').reservationTimes, 'project');
    const start = Date.parse('2025-03-30T00:50:00Z'); // 01:50 CET; +15 min = 03:05 CEST
    const held = await holdLasts('project', 'project', start);
    assert.equal(held.sent, '2025-03-30 03:05:00');
    assert.equal(held.expiresAt, '2025-03-30T01:05:00.000Z');
    assert.deepEqual([held.atOnce, held.at14, held.at16], [40, 40, 0]);
  });

  test('utc: expiration_time is UTC wall time; the hold lasts 15 min', async () => {
    const held = await holdLasts('utc', 'utc', Date.parse('2025-07-01T12:00:00Z'));
    assert.equal(held.sent, '2025-07-01 12:15:00');
    assert.deepEqual([held.atOnce, held.at14, held.at16], [40, 40, 0]);
  });

  test('a wrong setting shows: UTC times in a project that reads Prague time lapse before they are made', async () => {
    const held = await holdLasts('utc', 'project', Date.parse('2025-07-01T12:00:00Z'));
    assert.equal(held.sent, '2025-07-01 12:15:00'); // read as 10:15 UTC
    assert.equal(held.atOnce, 0, 'no points held');
  });
});
