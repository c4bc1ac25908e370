import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it, type TestContext } from 'node:test';
import { listen } from '../../src/node/listen.js';
import { buildCart, type CartLineInput } from '../../src/proxy/carts.js';
import { ProblemError } from '../../src/proxy/problems.js';
import {
  CrmcomAdapter,
  CrmcomOptions,
  STATUS_CODE_TABLE,
  authenticationCode,
  fromCrmAmount,
  splitVat,
  toCrmAmount,
} from '../../src/proxy/providers/crmcom/adapter.js';
import type { CustomerRecord } from '../../src/proxy/providers/provider.js';
import { CRMCOM_API_PATH, CRMCOM_DEMO_PROOFS, CRMCOM_DEMO_USER, CRMCOM_UNKNOWN_CODE, createCrmcomSimulator } from '../../src/simulators/crmcom/simulator.js';

const HOUR = 60 * 60 * 1000;
const TOKEN = `${CRMCOM_API_PATH}/authentication/token`;
const SHOW = `${CRMCOM_API_PATH}/rewards_participants/show`;
const PREVIEW = `${CRMCOM_API_PATH}/customer_events/purchases/preview`;
const PURCHASE = `${CRMCOM_API_PATH}/customer_events/purchases/create`;
const PURCHASE_CANCEL = `${CRMCOM_API_PATH}/customer_events/purchases/cancel`;
const SPEND = `${CRMCOM_API_PATH}/customer_events/spend_requests/create`;
const SPEND_CANCEL = `${CRMCOM_API_PATH}/customer_events/spend_requests/cancel`;

/** The document's preview cart: Soft Drinks 10 (net 8 + VAT 2), 10 Sandwiches 20 (VAT 25 %). */
const DOC_LINES: CartLineInput[] = [
  { sku: 'Soft Drinks', name: 'Soft drinks', quantity: 1, unitPrice: 1000 },
  { sku: 'Sandwiches', name: 'Sandwiches', quantity: 10, unitPrice: 200 },
];

/**
 * Replaces the reply to the next `times` requests to `path`: `reply` gets the request's body
 * and `forward`, which hands the request to the simulator (it commits) and returns its reply.
 */
interface Intercept {
  path: string;
  times: number;
  reply: (forward: () => Promise<Response>, body: any) => Promise<Response> | Response;
}

/** A CRM.COM-shaped reply (`{data, status}`) with any HTTP status and headers. */
function crmReply(http: number, code: string, message: string | null = null, headers: Record<string, string> = {}): Response {
  return Response.json({ data: null, status: { code, message, description: null } }, { status: http, headers });
}

/** A simulator on real HTTP (behind a front that can intercept replies), an adapter pointed at it, and one clock both read. */
async function setup(t: TestContext, overrides: Partial<CrmcomOptions> = {}) {
  const clock = { now: Date.parse('2024-05-01T10:00:00Z') };
  const sim = createCrmcomSimulator({ now: () => clock.now });
  const intercepts: Intercept[] = [];
  const front = new Hono();
  front.all('*', async (c) => {
    const hit = intercepts.find((i) => i.path === c.req.path && i.times > 0);
    if (!hit) return sim.app.fetch(c.req.raw, c.env);
    hit.times--;
    const body = await c.req.raw.clone().json().catch(() => undefined);
    return hit.reply(() => sim.app.fetch(c.req.raw, c.env), body);
  });
  const server = await listen(front);
  const logs: string[] = [];
  const adapter = new CrmcomAdapter(
    CrmcomOptions.parse({
      provider: 'crmcom',
      baseUrl: server.url,
      username: CRMCOM_DEMO_USER.username,
      password: CRMCOM_DEMO_USER.password,
      organisation: CRMCOM_DEMO_USER.organisation,
      unit: 'Unit',
      vatPercent: 25,
      ...overrides,
    }),
    { now: () => clock.now, log: (message) => logs.push(message) },
  );
  const intercept = (path: string, reply: Intercept['reply'], times = 1) => intercepts.push({ path, reply, times });
  t.after(async () => {
    await adapter.close();
    await server.close();
  });
  const cart = (lines: CartLineInput[] = DOC_LINES, currency = 'EUR') => buildCart('cart-1', currency, lines);
  const quoteInput = (customer: CustomerRecord, lines?: CartLineInput[], spend = 0) => ({ checkoutId: 'co-1', customer, cart: cart(lines), spend });
  const saleInput = (customer: CustomerRecord, spend: number, lines?: CartLineInput[]) => {
    const c = cart(lines);
    return { checkoutId: 'co-1', customer, cart: c, spend, method: 'card' as const, reference: 'co-co-1', paid: { amount: c.total.amount - spend, currency: 'EUR' } };
  };
  return { sim, server, adapter, clock, cart, quoteInput, saleInput, intercept, logs };
}

async function post(url: string, body: unknown) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { http: response.status, body: (await response.json()) as { data: any; status: { code: string; message: string | null; description: string | null } } };
}

async function rejects(promise: Promise<unknown>): Promise<ProblemError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProblemError, `expected a ProblemError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

describe('CRM.COM simulator: the document, call by call', () => {
  let sim: ReturnType<typeof createCrmcomSimulator>;
  let base: string;
  let close: () => Promise<void>;
  before(async () => {
    sim = createCrmcomSimulator();
    const server = await listen(sim.app);
    base = server.url;
    close = server.close;
  });
  after(() => close());

  it('reproduces the worked example: 10.00 + 0.08 awarded − 7.9 spent = 2.18', async () => {
    const login = await post(base + TOKEN, CRMCOM_DEMO_USER);
    assert.equal(login.body.status.code, 'OK');
    const token = login.body.data.token as string;
    assert.equal(token.split('.').length, 3, 'a JWT-shaped token');
    assert.ok(token.length > 32);

    // Step 1: identification, the document's body verbatim.
    const shown = await post(base + SHOW, {
      token,
      rewards_participant_identifier: { access_token_identifier: { authentication_code: '22265577' } },
      fields_set: 'accounts_receivable,wallet',
    });
    assert.equal(shown.http, 200);
    assert.deepEqual(shown.body.status, { message: null, description: null, code: 'OK' });
    assert.deepEqual(Object.keys(shown.body.data).sort(), ['accounts_receivable', 'wallet'], 'fields_set is honoured');
    assert.equal(shown.body.data.wallet.number, 'W0000000001');
    assert.equal(shown.body.data.wallet.balance, '10.00');
    assert.equal(shown.body.data.accounts_receivable.account_owner.name, 'John Doe');
    assert.equal(shown.body.data.accounts_receivable.number, '400');
    assert.equal(shown.body.data.accounts_receivable.id, '123456789');

    // Step 2: preview, the document's body verbatim (its fields_set wraps over lines, net 26 typo included).
    const products = [
      { product_identifier: { code: 'Soft Drinks' }, quantity: 1, total_amount: 10, net_amount: 8, vat_amount: 2 },
      { product_identifier: { code: 'Sandwiches' }, quantity: 10, total_amount: 20, net_amount: 26, vat_amount: 4 },
    ];
    const preview = await post(base + PREVIEW, {
      token,
      rewards_participant_identifier: { access_token_identifier: { authentication_code: '22265577' } },
      reference_number: 'REF0001',
      performed_by_unit_identifier: { name: 'Unit' },
      performed_on: '2017-06-22T15:00:00',
      products_set: products,
      fields_set: 'total_additional_spend_amount,\ntotal_automatic_spend_amount,reduction_method,\ntotal_instant_spend_amount,\ntotal_award_amount',
    });
    assert.deepEqual(preview.body, {
      data: {
        total_additional_spend_amount: 7.9,
        total_automatic_spend_amount: 0,
        total_instant_spend_amount: 0,
        total_award_amount: 0.08,
        reduction_method: 'FRONT_END_REDUCTION',
      },
      status: { message: null, description: null, code: 'OK' },
    });

    // Step 3: the purchase event for the same sale (the account number is the one step 1 returned).
    const purchase = await post(base + PURCHASE, {
      token,
      accounts_receivable_identifier: { number: '400' },
      performed_by_unit_identifier: { name: 'Unit' },
      performed_on: '2017-05-22T16:05:00',
      process_immediately: true,
      external_system: 'POSID01',
      reference_number: 'REF00001',
      products_set: products,
      fields_set: 'number,total_awarded_amount,reference_number',
    });
    assert.deepEqual(purchase.body.data, { number: '111', total_awarded_amount: 0.08, reference_number: 'REF00001' });

    // Step 4: spend 10 on it; 7.9 is what the purchase allows, and what is spent.
    const spend = await post(base + SPEND, {
      token,
      accounts_receivable_identifier: { number: '400' },
      performed_by_unit_identifier: { name: 'Unit' },
      performed_on: '2017-05-12T11:41:00',
      external_system: 'POSID01',
      process_immediately: true,
      spend_amount: 10,
      purchase_customer_request_identifier: { number: purchase.body.data.number },
      fields_set: 'number,\nspend_amount,\nreduction_method,\nspend_reward_transaction',
    });
    assert.equal(spend.body.status.code, 'OK');
    assert.equal(spend.body.data.number, '294');
    assert.equal(spend.body.data.spend_amount, 10);
    assert.equal(spend.body.data.reduction_method, 'FRONT_END_REDUCTION');
    assert.deepEqual(spend.body.data.spend_reward_transaction, {
      number: '205',
      total_amount: 7.9,
      total_number: 7.9,
      net_amount: 7.9,
      vat_amount: 0,
      life_cycle_state: 'POSTED',
    });

    // Step 5: new balance = initial + awarded − redemption.
    const after = await post(base + SHOW, { token, rewards_participant_identifier: { number: '1001' }, fields_set: 'wallet' });
    assert.equal(after.body.data.wallet.balance, '2.18');
    assert.equal(sim.balance('22265577'), '2.18');
  });

  it('refuses float noise in amounts (HTTP 200, status INVALID_VALUE)', async () => {
    const { body } = await post(base + TOKEN, CRMCOM_DEMO_USER);
    const reply = await post(base + PREVIEW, {
      token: body.data.token,
      accounts_receivable_identifier: { number: '401' },
      performed_by_unit_identifier: { name: 'Unit' },
      performed_on: '2024-05-01T10:00:00',
      products_set: [{ product_identifier: { code: 'Coffee' }, quantity: 1, total_amount: 0.1 + 0.2 }],
    });
    assert.equal(reply.http, 200);
    assert.equal(reply.body.status.code, 'INVALID_VALUE');
    assert.match(reply.body.status.message ?? '', /total_amount/);
  });

  it('refuses a missing or forged token and bad credentials', async () => {
    const missing = await post(base + SHOW, { rewards_participant_identifier: { number: '1001' } });
    assert.equal(missing.http, 200);
    assert.equal(missing.body.status.code, 'INVALID_TOKEN');
    const forged = await post(base + SHOW, { token: 'eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjk5OTk5OTk5OTl9.bad', rewards_participant_identifier: { number: '1001' } });
    assert.equal(forged.body.status.code, 'INVALID_TOKEN');
    const wrong = await post(base + TOKEN, { ...CRMCOM_DEMO_USER, password: 'nope' });
    assert.equal(wrong.http, 401);
    assert.equal(wrong.body.status.code, 'AUTHENTICATION_FAILED');
  });

  it('finds an access token by identifier + pass code or by one-time password (NOTES), and refuses wrong ones alike', async () => {
    const { body } = await post(base + TOKEN, CRMCOM_DEMO_USER);
    const show = (accessToken: Record<string, string>) =>
      post(base + SHOW, { token: body.data.token, rewards_participant_identifier: { access_token_identifier: accessToken }, fields_set: 'id' });
    const john = CRMCOM_DEMO_PROOFS['22265577'];
    assert.deepEqual((await show({ identifier: 'john.doe@example.test', pass_code: john.passCode })).body.data, { id: 'RP-0001' });
    assert.deepEqual((await show({ one_time_password: john.oneTimePassword })).body.data, { id: 'RP-0001' });
    const refusals = [await show({ identifier: '22265577', pass_code: '0000' }), await show({ identifier: '00000000', pass_code: john.passCode }), await show({ one_time_password: '000000' })];
    for (const refusal of refusals) {
      assert.equal(refusal.http, 200);
      assert.deepEqual(refusal.body.status, { code: 'NOT_FOUND', message: 'Rewards participant not found.', description: 'No rewards participant matches the specified rewards_participant_identifier.' });
    }
    assert.equal((await show({ identifier: '22265577' })).body.status.code, 'MANDATORY_FIELD');
  });
});

describe('CRM.COM adapter over HTTP', () => {
  it('runs the worked example through identify, quote and recordSale', async (t) => {
    const { adapter, sim, quoteInput, saleInput } = await setup(t);
    const customer = await adapter.identify('22265577', {});
    assert.equal(customer.name, 'John Doe');
    assert.equal(customer.card, '22265577');
    assert.equal(customer.data?.accountNumber, '400');
    assert.equal(customer.data?.walletNumber, 'W0000000001');
    assert.equal(customer.data?.walletBalance, 1000);

    const quote = await adapter.quote(quoteInput(customer), {});
    assert.deepEqual(quote.balance, { value: { amount: 1000, currency: 'EUR' } });
    assert.deepEqual(quote.spendable, { min: { amount: 100, currency: 'EUR' }, max: { amount: 790, currency: 'EUR' }, step: 1 });
    assert.deepEqual(quote.earn, { value: { amount: 8, currency: 'EUR' } });
    assert.deepEqual(quote.discount, { amount: 0, currency: 'EUR' });

    // The preview was built from the server cart: totals, and net/VAT from the 25 % rate.
    const previewBody = sim.journal.entries.find((e) => e.path === PREVIEW)!.body as any;
    assert.deepEqual(previewBody.products_set, [
      { product_identifier: { code: 'Soft Drinks' }, quantity: 1, total_amount: 10, net_amount: 8, vat_amount: 2 },
      { product_identifier: { code: 'Sandwiches' }, quantity: 10, total_amount: 20, net_amount: 16, vat_amount: 4 },
    ]);
    assert.deepEqual(previewBody.performed_by_unit_identifier, { name: 'Unit' });
    assert.equal(previewBody.performed_on, '2024-05-01T10:00:00');

    sim.journal.clear();
    const sale = await adapter.recordSale(saleInput(customer, 790), {});
    assert.deepEqual(sale, {
      reference: 'co-co-1',
      discount: { amount: 0, currency: 'EUR' },
      spent: { value: { amount: 790, currency: 'EUR' } },
      earned: { value: { amount: 8, currency: 'EUR' } },
      balanceAfter: { value: { amount: 218, currency: 'EUR' } },
    });
    assert.equal(sim.balance('22265577'), '2.18', 'the simulator agrees with the receipt');
    assert.equal(sim.journal.count('POST', PURCHASE), 1);
    assert.equal(sim.journal.count('POST', SPEND), 1);
    assert.equal(sim.journal.count('POST', TOKEN), 0, 'the cached token is reused');
    const spendBody = sim.journal.entries.find((e) => e.path === SPEND)!.body as any;
    assert.equal(spendBody.spend_amount, 7.9);
    assert.deepEqual(spendBody.purchase_customer_request_identifier, { number: '111' });
    const purchaseBody = sim.journal.entries.find((e) => e.path === PURCHASE)!.body as any;
    assert.equal(purchaseBody.reference_number, 'co-co-1');
    assert.equal(purchaseBody.process_immediately, true);
  });

  it('never reopens a sale whose purchase is recorded: a failed spend request is an unknown outcome', async (t) => {
    const { adapter, sim, saleInput } = await setup(t);
    const customer = await adapter.identify('22265577', {});
    // The spend request answers with an error that is neither a refusal nor a dropped line (a
    // 500, whatever its body says): nothing says whether to undo the purchase.
    sim.faults.add({ kind: 'reply', path: SPEND, times: 1, status: 500, body: { data: null, status: { code: 'GENERAL_ERROR', message: 'Unexpected error', description: null } } });
    await assert.rejects(adapter.recordSale(saleInput(customer, 790), {}), (error: ProblemError) => {
      assert.equal(error.kind, 'payment-outcome-unknown', 'a retry must not record a second purchase');
      assert.match(error.message, /Purchase 111 is recorded/);
      return true;
    });
    assert.equal(sim.journal.count('POST', PURCHASE), 1);
    assert.equal(sim.journal.count('POST', PURCHASE_CANCEL), 0);
    // A refused spend whose purchase cannot be cancelled is an unknown outcome too.
    sim.faults.add({ kind: 'status', path: PURCHASE_CANCEL, status: 503, times: 1 });
    await assert.rejects(adapter.recordSale(saleInput(customer, 5000), {}), (error: ProblemError) => error.kind === 'payment-outcome-unknown' && /could not be cancelled/.test(error.message));
  });

  it('records a sale without spend as one purchase event and no spend request', async (t) => {
    const { adapter, sim, saleInput } = await setup(t);
    const customer = await adapter.identify('22265577', {});
    const sale = await adapter.recordSale(saleInput(customer, 0), {});
    assert.deepEqual(sale.spent, { value: { amount: 0, currency: 'EUR' } });
    assert.deepEqual(sale.balanceAfter, { value: { amount: 1008, currency: 'EUR' } });
    assert.equal(sim.journal.count('POST', PURCHASE), 1);
    assert.equal(sim.journal.count('POST', SPEND), 0);
    assert.equal(sim.balance('22265577'), '10.08');
  });

  it('finds participants by phone, e-mail, card and number', async (t) => {
    const { adapter, sim } = await setup(t);
    const byPhone = await adapter.identify('+357 99 000001', {});
    assert.equal(byPhone.name, 'John Doe');
    assert.equal(byPhone.phone, '35799000001');
    assert.equal(byPhone.card, undefined);
    const byEmail = await adapter.identify(' John.Doe@Example.test ', {});
    assert.equal(byEmail.providerId, byPhone.providerId);
    assert.equal(byEmail.email, 'john.doe@example.test');
    const byCard = await adapter.identify('2226 5578', {});
    assert.equal(byCard.name, 'Maria Georgiou');
    sim.journal.clear();
    const byNumber = await adapter.identify('1003', {});
    assert.equal(byNumber.name, 'Andreas Christou');
    assert.equal(sim.journal.count('POST', SHOW), 2, 'access token first, then participant number');
  });

  it('maps an unknown participant (status on HTTP 200) to not-found on the query field', async (t) => {
    const { adapter, sim } = await setup(t);
    const problem = await rejects(adapter.identify(CRMCOM_UNKNOWN_CODE, {}));
    assert.equal(problem.kind, 'not-found');
    assert.equal(problem.status, 404);
    assert.equal(problem.errors?.[0]?.field, 'query');
    assert.match(problem.errors?.[0]?.message ?? '', /not found/i);
    const shows = sim.journal.entries.filter((e) => e.path === SHOW);
    assert.equal(shows.length, 2);
    assert.ok(shows.every((e) => e.status === 200), 'the refusal came on HTTP 200');
  });

  it('quotes nothing to spend for a zero balance and for a balance under the minimum, but still the award', async (t) => {
    const { adapter, quoteInput } = await setup(t);
    const maria = await adapter.identify('22265578', {});
    const q1 = await adapter.quote(quoteInput(maria), {});
    assert.equal(q1.balance.value.amount, 0);
    assert.deepEqual([q1.spendable.min.amount, q1.spendable.max.amount], [0, 0]);
    assert.equal(q1.earn?.value.amount, 8);
    const andreas = await adapter.identify('22265579', {});
    const q2 = await adapter.quote(quoteInput(andreas), {});
    assert.equal(q2.balance.value.amount, 50);
    assert.deepEqual([q2.spendable.min.amount, q2.spendable.max.amount], [0, 0]);
  });

  it('maps insufficient balance to rejected on the amount field and cancels the purchase event', async (t) => {
    const { adapter, sim, quoteInput, saleInput } = await setup(t);
    const customer = await adapter.identify('22265577', {});
    const quote = await adapter.quote(quoteInput(customer), {});
    assert.equal(quote.spendable.max.amount, 790);
    // Another till spent the wallet between the quote and the payment.
    sim.setBalance('22265577', '0.00');
    sim.journal.clear();
    const problem = await rejects(adapter.recordSale(saleInput(customer, 790), {}));
    assert.equal(problem.kind, 'rejected');
    assert.equal(problem.status, 422);
    assert.equal(problem.errors?.[0]?.field, 'amount');
    assert.match(problem.message, /not enough/);
    assert.equal(sim.journal.entries.find((e) => e.path === SPEND)?.status, 200, 'the refusal came on HTTP 200');
    assert.equal(sim.journal.count('POST', PURCHASE), 1);
    assert.equal(sim.journal.count('POST', SPEND), 1);
    assert.equal(sim.journal.count('POST', PURCHASE_CANCEL), 1);
    assert.equal(sim.purchases()[0]?.cancelled, true);
    assert.equal(sim.balance('22265577'), '0.00', 'the award was reversed with the purchase');
  });

  it('undoes a spend that came out lower than asked, so the amount due stays right', async (t) => {
    const { adapter, sim, saleInput } = await setup(t);
    const customer = await adapter.identify('22265577', {});
    sim.journal.clear();
    // 10.00 asked, but the purchase allows 7.90 (the document's own example).
    const problem = await rejects(adapter.recordSale(saleInput(customer, 1000), {}));
    assert.equal(problem.kind, 'rejected');
    assert.equal(problem.errors?.[0]?.field, 'amount');
    assert.match(problem.message, /Only 7\.9 EUR/);
    assert.equal(sim.journal.count('POST', SPEND), 1);
    assert.equal(sim.journal.count('POST', SPEND_CANCEL), 1);
    assert.equal(sim.journal.count('POST', PURCHASE_CANCEL), 1);
    assert.equal(sim.balance('22265577'), '10.00');
  });

  it('renews the token before its 2 h expiry, once for concurrent callers', async (t) => {
    const { adapter, sim, server, clock, quoteInput } = await setup(t);
    const customer = await adapter.identify('22265577', {});
    assert.equal(sim.journal.count('POST', TOKEN), 1);
    const firstToken = (sim.journal.entries.find((e) => e.path === SHOW)!.body as any).token as string;

    clock.now += HOUR;
    await adapter.quote(quoteInput(customer), {});
    assert.equal(sim.journal.count('POST', TOKEN), 1, 'still valid after 1 h');

    // Two minutes before expiry: renewed ahead of time, never refused.
    clock.now += HOUR - 2 * 60 * 1000;
    await adapter.quote(quoteInput(customer), {});
    assert.equal(sim.journal.count('POST', TOKEN), 2);

    // Past expiry of the second token: five concurrent calls share one login.
    clock.now += 2 * HOUR + 1000;
    const quotes = await Promise.all(Array.from({ length: 5 }, () => adapter.quote(quoteInput(customer), {})));
    assert.equal(quotes.length, 5);
    assert.equal(sim.journal.count('POST', TOKEN), 3);
    assert.ok(sim.journal.entries.filter((e) => e.path === PREVIEW).every((e) => e.status === 200));

    // The simulator enforces the expiry: the first token is refused now.
    const stale = await post(server.url + SHOW, { token: firstToken, rewards_participant_identifier: { number: '1001' } });
    assert.equal(stale.http, 200);
    assert.equal(stale.body.status.code, 'INVALID_TOKEN');
    assert.match(stale.body.status.message ?? '', /expired/);
  });

  it('logs in again once when a token is refused (server restarted)', async (t) => {
    const { adapter, sim, quoteInput } = await setup(t);
    const customer = await adapter.identify('22265577', {});
    sim.revokeTokens();
    sim.journal.clear();
    const quote = await adapter.quote(quoteInput(customer), {});
    assert.equal(quote.spendable.max.amount, 790);
    assert.equal(sim.journal.count('POST', TOKEN), 1);
    assert.equal(sim.journal.count('POST', PREVIEW), 2, 'refused once, then repeated with the new token');
  });

  it('reports refused credentials without leaking them', async (t) => {
    const { adapter, sim } = await setup(t, { password: 'wrong-secret-123' });
    const problem = await rejects(adapter.identify('22265577', {}));
    assert.equal(problem.kind, 'upstream-unavailable');
    assert.equal(problem.retryable, false);
    assert.doesNotMatch(JSON.stringify(problem.toProblem()) + problem.message, /wrong-secret-123|pos-demo/);
    assert.equal(sim.journal.entries[0]?.status, 401);
    assert.equal(sim.journal.count('POST', SHOW), 0);
  });

  it('sends awkward amounts exactly: 0.10 + 0.20 and 3 × 19.99', async (t) => {
    const { adapter, sim, quoteInput, saleInput } = await setup(t, { vatPercent: undefined });
    const customer = await adapter.identify('22265577', {});
    const lines = [
      { sku: 'Coffee', name: 'Coffee', quantity: 1, unitPrice: 10 },
      { sku: 'Water', name: 'Water', quantity: 1, unitPrice: 20 },
      { sku: 'Wine', name: 'Wine', quantity: 3, unitPrice: 1999 },
    ];
    const quote = await adapter.quote(quoteInput(customer, lines), {});
    const body = sim.journal.entries.findLast((e) => e.path === PREVIEW)!.body as any;
    assert.deepEqual(
      body.products_set.map((p: any) => [p.total_amount, p.net_amount, p.vat_amount]),
      [
        [0.1, 0.1, 0],
        [0.2, 0.2, 0],
        [59.97, 59.97, 0],
      ],
    );
    // 1 % of 60.27 = 0.6027 → 0.60.
    assert.equal(quote.earn?.value.amount, 60);
    const sale = await adapter.recordSale(saleInput(customer, 100, lines), {});
    assert.equal(sale.balanceAfter?.value.amount, 1000 + 60 - 100);
    assert.equal(sim.balance('22265577'), '9.60');
  });

  it('refuses a cart in another currency before any call', async (t) => {
    const { adapter, sim, cart } = await setup(t);
    const customer = await adapter.identify('22265577', {});
    sim.journal.clear();
    const problem = await rejects(adapter.quote({ checkoutId: 'co-1', customer, cart: cart(DOC_LINES, 'USD'), spend: 0 }, {}));
    assert.equal(problem.kind, 'validation');
    assert.equal(problem.errors?.[0]?.field, 'currency');
    assert.equal(sim.journal.entries.length, 0);
  });

  it('declares its capabilities', async (t) => {
    const { adapter } = await setup(t);
    assert.deepEqual(adapter.capabilities, {
      provider: 'crmcom',
      lookup: { kinds: ['phone', 'email', 'card', 'number'] },
      spend: true,
      hold: false,
      earn: true,
      debt: false,
      catalog: false,
      paymentMethods: ['card', 'cash', 'external'],
      proof: 'none',
    });
  });
});

describe('CRM.COM adapter: which replies are clean refusals', () => {
  const committedThen = (http: number, code: string) => async (forward: () => Promise<Response>) => {
    await forward();
    return crmReply(http, code, 'Unexpected error');
  };

  it('reads a 500 after purchases/create committed as an unknown outcome, never a refusal, and cannot settle it', async (t) => {
    const { adapter, sim, saleInput, intercept } = await setup(t);
    const customer = await adapter.identify('22265577', {});
    intercept(PURCHASE, committedThen(500, 'GENERAL_ERROR'));
    const input = saleInput(customer, 790);
    const problem = await rejects(adapter.recordSale(input, {}));
    assert.equal(problem.kind, 'payment-outcome-unknown', 'a retry with a new key would award the purchase twice');
    assert.equal(problem.retryable, false);
    assert.match(problem.message, /reference number co-co-1/, 'the operator finds it by our reference');
    assert.equal(sim.purchases().length, 1, 'it was recorded');
    assert.equal(sim.journal.count('POST', SPEND), 0);
    assert.equal(sim.journal.count('POST', PURCHASE_CANCEL), 0);
    // No documented read finds a purchase by its reference: the outcome stays unknown, and
    // settling it sends nothing.
    sim.journal.clear();
    assert.deepEqual(await adapter.saleOutcome(input, {}), { state: 'unknown' });
    assert.equal(sim.journal.entries.length, 0);
  });

  it('reads a 500 after spend_requests/create committed as an unknown outcome, and cancels nothing', async (t) => {
    const { adapter, sim, saleInput, intercept } = await setup(t);
    const customer = await adapter.identify('22265577', {});
    intercept(SPEND, committedThen(503, 'INSUFFICIENT_BALANCE'));
    const problem = await rejects(adapter.recordSale(saleInput(customer, 790), {}));
    assert.equal(problem.kind, 'payment-outcome-unknown', 'a retry would debit the wallet twice');
    assert.match(problem.message, /Purchase 111 is recorded/);
    assert.equal(sim.spendRequests().length, 1, 'the spend was recorded');
    assert.equal(sim.journal.count('POST', SPEND_CANCEL), 0);
    assert.equal(sim.journal.count('POST', PURCHASE_CANCEL), 0, 'cancelling the purchase alone could leave the spend standing');
    assert.equal(sim.balance('22265577'), '2.18');
  });

  it('shows an outage on a read as upstream-unavailable, not as a refusal on the query field', async (t) => {
    const { adapter, intercept } = await setup(t);
    // Every attempt of the (retried) read gets a 503 with a status in its body.
    intercept(SHOW, () => crmReply(503, 'SERVICE_UNAVAILABLE', 'The system is under maintenance', { 'retry-after': '120' }), 3);
    const problem = await rejects(adapter.identify('22265577', {}));
    assert.equal(problem.kind, 'upstream-unavailable');
    assert.equal(problem.status, 502);
    assert.equal(problem.retryable, true);
    assert.equal(problem.errors, undefined, 'nothing on the shopper’s field');
    assert.deepEqual(problem.headers, { 'Retry-After': '120' });
  });

  it('keeps a 429’s Retry-After, on a read and on a purchase (refused before it ran: nothing recorded)', async (t) => {
    const { adapter, sim, saleInput, intercept } = await setup(t);
    intercept(SHOW, () => crmReply(429, 'TOO_MANY_REQUESTS', 'Slow down', { 'retry-after': '30' }));
    const read = await rejects(adapter.identify('22265577', {}));
    assert.equal(read.kind, 'rate-limited');
    assert.deepEqual(read.headers, { 'Retry-After': '30' });
    assert.equal(read.errors, undefined);

    const customer = await adapter.identify('22265577', {});
    intercept(PURCHASE, () => crmReply(429, 'TOO_MANY_REQUESTS', 'Slow down', { 'retry-after': '30' }));
    const write = await rejects(adapter.recordSale(saleInput(customer, 790), {}));
    assert.equal(write.kind, 'rate-limited');
    assert.equal(write.status, 429);
    assert.deepEqual(write.headers, { 'Retry-After': '30' });
    assert.equal(sim.purchases().length, 0);
  });

  it('takes a status on a 4xx as a clean refusal, and undoes the purchase', async (t) => {
    const { adapter, sim, saleInput, intercept } = await setup(t);
    const customer = await adapter.identify('22265577', {});
    intercept(SPEND, () => crmReply(400, 'INSUFFICIENT_BALANCE', 'The wallet balance is not enough.'));
    const problem = await rejects(adapter.recordSale(saleInput(customer, 790), {}));
    assert.equal(problem.kind, 'rejected');
    assert.equal(problem.errors?.[0]?.field, 'amount');
    assert.equal(sim.purchases()[0]?.cancelled, true);
    assert.equal(sim.balance('22265577'), '10.00');
  });

  it('treats a purchase that never left (connection refused) as definite, not unknown', async (t) => {
    const clock = { now: Date.parse('2024-05-01T10:00:00Z') };
    const sim = createCrmcomSimulator({ now: () => clock.now });
    let server: Server | undefined;
    // After the wallet read (the last call before the purchase), the server stops listening.
    const front = new Hono();
    front.all('*', async (c) => {
      const body = await c.req.raw.clone().json().catch(() => ({}));
      const response = await sim.app.fetch(c.req.raw, c.env);
      if (c.req.path === SHOW && body.fields_set === 'wallet' && server!.listening) {
        server!.close();
        return new Response(response.body, { status: response.status, headers: { 'content-type': 'application/json', connection: 'close' } });
      }
      return response;
    });
    const url = await new Promise<string>((resolve) => {
      server = serve({ fetch: front.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}`)) as Server;
    });
    const options = { provider: 'crmcom', baseUrl: url, username: CRMCOM_DEMO_USER.username, password: CRMCOM_DEMO_USER.password, organisation: CRMCOM_DEMO_USER.organisation, unit: 'Unit' };
    const adapter = new CrmcomAdapter(CrmcomOptions.parse(options), { now: () => clock.now, log: () => {} });
    t.after(async () => {
      await adapter.close();
      if (server!.listening) server!.close();
      server!.closeAllConnections();
    });
    const customer = await adapter.identify('22265577', {});
    const cart = buildCart('cart-1', 'EUR', DOC_LINES);
    const problem = await rejects(adapter.recordSale({ checkoutId: 'co-1', customer, cart, spend: 0, method: 'card', reference: 'co-co-1', paid: cart.total }, {}));
    assert.equal(problem.kind, 'upstream-unavailable', 'nothing was sent: the checkout may be paid again');
    assert.match(problem.message, /nothing was sent/);
    assert.equal(sim.journal.count('POST', PURCHASE), 0);
  });
});

describe('CRM.COM adapter: refused tokens and logins', () => {
  it('renews the token on HTTP 401 and 403 and on any code the table says means authentication, once', async (t) => {
    const { adapter, sim, quoteInput, saleInput, intercept } = await setup(t, { statusCodes: { authentication: ['SESSION_EXPIRED'] } as CrmcomOptions['statusCodes'] });
    const customer = await adapter.identify('22265577', {});
    sim.journal.clear();
    intercept(PREVIEW, () => crmReply(401, 'UNAUTHORIZED', 'Not authenticated'));
    assert.equal((await adapter.quote(quoteInput(customer), {})).spendable.max.amount, 790);
    assert.equal(sim.journal.count('POST', TOKEN), 1, 'logged in again');

    // A code configured as "authentication", on HTTP 200.
    intercept(PREVIEW, () => crmReply(200, 'SESSION_EXPIRED', 'Session expired'));
    assert.equal((await adapter.quote(quoteInput(customer), {})).spendable.max.amount, 790);
    assert.equal(sim.journal.count('POST', TOKEN), 2);

    // On a purchase too: the refused attempt recorded nothing, the second one records once.
    intercept(PURCHASE, () => crmReply(403, 'FORBIDDEN'));
    const sale = await adapter.recordSale(saleInput(customer, 790), {});
    assert.equal(sale.balanceAfter?.value.amount, 218);
    assert.equal(sim.journal.count('POST', TOKEN), 3);
    assert.equal(sim.purchases().length, 1);
  });

  it('reports a token refused again after a new login as the operator’s problem: 502, logged', async (t) => {
    const { adapter, sim, quoteInput, intercept, logs } = await setup(t);
    const customer = await adapter.identify('22265577', {});
    sim.journal.clear();
    intercept(PREVIEW, () => crmReply(401, 'UNAUTHORIZED'), 2);
    const problem = await rejects(adapter.quote(quoteInput(customer), {}));
    assert.equal(problem.kind, 'upstream-unavailable');
    assert.equal(problem.status, 502);
    assert.equal(problem.retryable, false);
    assert.equal(sim.journal.count('POST', TOKEN), 1, 'one new login, not a loop');
    assert.match(logs.join('\n'), /refused a fresh session token on customer_events\/purchases\/preview \(HTTP 401, status UNAUTHORIZED\)/);
  });

  it('reports any refused login as a 502 with a log line, never a 422 on the shopper’s field, and no secret', async (t) => {
    const { adapter, intercept, logs } = await setup(t);
    intercept(TOKEN, () => crmReply(200, 'USER_LOCKED', `User ${CRMCOM_DEMO_USER.username} is locked`));
    const problem = await rejects(adapter.identify('22265577', {}));
    assert.equal(problem.kind, 'upstream-unavailable');
    assert.equal(problem.status, 502);
    assert.equal(problem.errors, undefined);
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /refused the configured login \(HTTP 200, status USER_LOCKED\)/);
    const said = JSON.stringify(problem.toProblem()) + problem.message + logs.join();
    assert.doesNotMatch(said, new RegExp(`${CRMCOM_DEMO_USER.username}|${CRMCOM_DEMO_USER.password}`));
    // The next call logs in again (a refused login is not remembered).
    assert.equal((await adapter.identify('22265577', {})).name, 'John Doe');
  });
});

describe('CRM.COM adapter: proof of ownership', () => {
  const john = CRMCOM_DEMO_PROOFS['22265577'];
  const maria = CRMCOM_DEMO_PROOFS['22265578'];

  it('proves nothing and calls nothing by default', async (t) => {
    const { adapter, sim } = await setup(t);
    const customer = await adapter.identify('22265577', {});
    sim.journal.clear();
    assert.equal(adapter.capabilities.proof, 'none');
    assert.equal(await adapter.verify(customer, john.passCode, {}), false);
    assert.equal(sim.journal.entries.length, 0);
  });

  it('checks a pass code with the access token the shopper was found by', async (t) => {
    const { adapter, sim } = await setup(t, { proof: 'pass-code' });
    assert.equal(adapter.capabilities.proof, 'pass-code');
    const customer = await adapter.identify('22265577', {});
    sim.journal.clear();
    assert.equal(await adapter.verify(customer, ` ${john.passCode} `, {}), true);
    const sent = sim.journal.entries.find((e) => e.path === SHOW)!;
    assert.deepEqual((sent.body as any).rewards_participant_identifier, { access_token_identifier: { identifier: '22265577', pass_code: john.passCode } });
    // A wrong code, and another participant's code: refused (HTTP 200, NOT_FOUND) → false.
    assert.equal(await adapter.verify(customer, '0000', {}), false);
    assert.equal(await adapter.verify(customer, maria.passCode, {}), false);
    assert.equal(sim.journal.entries.at(-1)?.status, 200);
    // Found by e-mail: the e-mail is the access token.
    assert.equal(await adapter.verify(await adapter.identify('John.Doe@example.test', {}), john.passCode, {}), true);
    // Found by participant number: no access token to pair the code with, no call.
    const byNumber = await adapter.identify('1001', {});
    sim.journal.clear();
    assert.equal(await adapter.verify(byNumber, john.passCode, {}), false);
    assert.equal(sim.journal.entries.length, 0);
  });

  it('checks a one-time password: true only for the same participant', async (t) => {
    const { adapter, sim } = await setup(t, { proof: 'one-time-password' });
    assert.equal(adapter.capabilities.proof, 'one-time-password');
    const customer = await adapter.identify('+357 99 000001', {});
    sim.journal.clear();
    assert.equal(await adapter.verify(customer, john.oneTimePassword, {}), true);
    assert.deepEqual((sim.journal.entries[0]!.body as any).rewards_participant_identifier, { access_token_identifier: { one_time_password: '[redacted]' } });
    assert.equal(await adapter.verify(customer, maria.oneTimePassword, {}), false, 'Maria’s password finds Maria, not John');
    assert.equal(await adapter.verify(customer, '123456', {}), false);
    assert.equal(await adapter.verify(customer, '   ', {}), false);
  });

  it('throws when the provider fails, rather than calling the code wrong', async (t) => {
    const { adapter, intercept } = await setup(t, { proof: 'pass-code' });
    const customer = await adapter.identify('22265577', {});
    intercept(SHOW, () => crmReply(500, 'GENERAL_ERROR'), 3);
    const problem = await rejects(adapter.verify(customer, john.passCode, {}));
    assert.equal(problem.kind, 'upstream-unavailable');
  });
});

describe('CRM.COM conversions and options', () => {
  it('converts minor units to exact decimals and back', () => {
    assert.equal(toCrmAmount(10 + 20, 'EUR'), 0.3);
    assert.equal(JSON.stringify(toCrmAmount(30, 'EUR')), '0.3');
    assert.equal(JSON.stringify(toCrmAmount(1999 * 3, 'EUR')), '59.97');
    assert.equal(fromCrmAmount(7.9, 'EUR'), 790);
    assert.equal(fromCrmAmount(0.08, 'EUR'), 8);
    assert.equal(fromCrmAmount('10.00', 'EUR'), 1000);
    assert.equal(fromCrmAmount(0.1 + 0.2, 'EUR'), 30);
    // Half a cent rounds away from zero, never down by float error.
    assert.equal(fromCrmAmount('0.125', 'EUR'), 13);
    assert.equal(fromCrmAmount(0.005, 'EUR'), 1);
    assert.equal(fromCrmAmount('2.344', 'EUR'), 234);
  });

  it('splits VAT-inclusive totals in integers, rounding half up', () => {
    assert.deepEqual(splitVat(1000, 25), { net: 800, vat: 200 });
    assert.deepEqual(splitVat(2000, 25), { net: 1600, vat: 400 });
    assert.deepEqual(splitVat(3, 20), { net: 3, vat: 0 }, '2.5 cents of net rounds up');
    assert.deepEqual(splitVat(5997, 19), { net: 5039, vat: 958 });
    assert.deepEqual(splitVat(5997, undefined), { net: 5997, vat: 0 });
  });

  it('normalises what the shopper typed into an authentication code', () => {
    assert.equal(authenticationCode('+357 99-000 001'), '35799000001');
    assert.equal(authenticationCode(' Jane@Example.TEST '), 'jane@example.test');
    assert.equal(authenticationCode('RP-12A'), 'RP-12A');
  });

  it('validates its options with defaults', () => {
    const parsed = CrmcomOptions.parse({ provider: 'crmcom', baseUrl: 'https://acme.crm.com', username: 'u', password: 'p', organisation: 'o', unit: 'Shop 1' });
    assert.equal(parsed.currency, 'EUR');
    assert.equal(parsed.apiPath, '/crmapi/rest/v2');
    assert.equal(parsed.timeoutMs, 8000);
    assert.equal(parsed.proof, 'none');
    // Every guessed code of the one table is the default of its row set, and only those.
    assert.deepEqual(parsed.statusCodes, {
      authentication: ['INVALID_TOKEN', 'AUTHENTICATION_FAILED'],
      notFound: ['NOT_FOUND'],
      insufficientBalance: ['INSUFFICIENT_BALANCE'],
      invalidValue: ['INVALID_VALUE', 'MANDATORY_FIELD'],
    });
    assert.deepEqual(STATUS_CODE_TABLE.filter((row) => !row.source.startsWith('guessed')).map((row) => row.code), ['OK']);
    assert.equal(CrmcomOptions.parse({ provider: 'crmcom', baseUrl: 'https://acme.crm.com', username: 'u', password: 'p', organisation: 'o', unit: 'x', statusCodes: { notFound: ['NO_SUCH'] } }).statusCodes.authentication.length, 2);
    assert.equal(CrmcomOptions.safeParse({ provider: 'crmcom', baseUrl: 'https://acme.crm.com', username: 'u', password: 'p', organisation: 'o', unit: 'x', proof: 'app-code' }).success, false);
    assert.equal(CrmcomOptions.safeParse({ provider: 'crmcom', baseUrl: 'https://acme.crm.com', username: 'u', organisation: 'o', unit: 'x' }).success, false);
    assert.equal(CrmcomOptions.safeParse({ provider: 'crmcom', baseUrl: 'not a url', username: 'u', password: 'p', organisation: 'o', unit: 'x' }).success, false);
  });
});
