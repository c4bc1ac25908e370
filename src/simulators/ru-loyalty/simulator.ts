import { Hono, type Context } from 'hono';
import { attachFaults, Faults } from '../faults.js';
import { Journal } from '../journal.js';

/**
 * A simulator of the Russian loyalty service's basic REST API
 * (`shared/providers/ru-loyalty-basic-rest-api.txt`): same paths, bodies and 422
 * `{field: message}` errors. Amounts are in roubles (decimals allowed), points are whole.
 *
 * Rules it enforces, from the document:
 * - every call needs the `apikey` header;
 * - `recalc.spend` = what may be spent: min(balance − points held by others, amount × maxSpendPercent %);
 * - `earn` = amount × level percent (cashback only), credited only when nothing is spent;
 * - `discount` levels have balance 0 and spend nothing;
 * - a hold lasts `duration` minutes (≤ 10), ends on release, on expiry, or when a new retail
 *   operation is created at the same point.
 */
export interface RuLevel {
  id: string;
  title: string;
  percent: number;
  type: 'cashback' | 'discount';
  maxSpendPercent: number;
}

export interface RuClient {
  id: string;
  name: string;
  phone: number;
  card: string;
  code: string;
  email: string;
  birthday: string;
  photo: string;
  balance: number;
  level: RuLevel;
}

export interface RuLoyaltySimulatorOptions {
  apiKey?: string;
  points?: string[];
  clients?: RuClient[];
  /** Clock in milliseconds (tests move it forward to expire holds). */
  now?: () => number;
}

export const RU_DEMO_API_KEY = 'demo-ru-apikey';
export const RU_DEMO_POINT = '62a0c1d2e3f4a5b6c7d8f4f4';

const cashback10: RuLevel = { id: '621a00000000000000000f23', title: 'Бонусы', percent: 10, type: 'cashback', maxSpendPercent: 50 };
const cashback5: RuLevel = { id: '621a00000000000000000f24', title: 'Старт', percent: 5, type: 'cashback', maxSpendPercent: 100 };
const discount5: RuLevel = { id: '621a00000000000000000f25', title: 'Скидка 5%', percent: 5, type: 'discount', maxSpendPercent: 0 };

/** Demo identities, listed on the demo page: cashback with points, discount level, zero balance. */
export function ruDemoClients(): RuClient[] {
  const base = { email: 'hidden@example.test', birthday: '1990-03-29', photo: 'https://example.test/photo.jpeg' };
  return [
    { ...base, id: '62a000000000000000000001', name: 'Иван Петров', phone: 79201234567, card: '2000000000018', code: '100001', balance: 878, level: cashback10 },
    { ...base, id: '62a000000000000000000002', name: 'Мария Соколова', phone: 79207654321, card: '2000000000025', code: '100002', balance: 0, level: discount5 },
    { ...base, id: '62a000000000000000000003', name: 'Олег Смирнов', phone: 79200000003, card: '2000000000032', code: '100003', balance: 0, level: cashback5 },
  ];
}

interface Hold {
  client: string;
  point: string;
  amount: number;
  until: number;
}

export function createRuLoyaltySimulator(options: RuLoyaltySimulatorOptions = {}) {
  const apiKey = options.apiKey ?? RU_DEMO_API_KEY;
  const points = new Set(options.points ?? [RU_DEMO_POINT]);
  const seed = options.clients ?? ruDemoClients();
  const clients = new Map(seed.map((c) => [c.id, structuredClone(c)]));
  const now = options.now ?? Date.now;
  let holds: Hold[] = [];
  const journal = new Journal();
  const faults = new Faults();
  const app = new Hono();
  // Tests start from the seeded state: clients, holds and journal as at start.
  app.post('/__reset', (c) => {
    clients.clear();
    for (const client of seed) clients.set(client.id, structuredClone(client));
    holds = [];
    journal.clear();
    faults.clear();
    return c.body(null, 204);
  });
  journal.attach(app);
  attachFaults(app, faults);

  const fail = (c: Context, field: string, message: string) => c.json({ [field]: message }, 422);
  const liveHolds = () => (holds = holds.filter((h) => h.until * 1000 > now()));
  const heldByOthers = (client: string, point: string) =>
    liveHolds()
      .filter((h) => h.client === client && h.point !== point)
      .reduce((sum, h) => sum + h.amount, 0);
  const maxSpend = (client: RuClient, point: string, amount: number) =>
    client.level.type === 'discount'
      ? 0
      : Math.max(0, Math.floor(Math.min(client.balance - heldByOthers(client.id, point), (amount * client.level.maxSpendPercent) / 100)));

  app.use('/integration/*', async (c, next) => {
    // The document says only that every method expects the key; errors are all 422 bodies.
    if (c.req.header('apikey') !== apiKey) return fail(c, 'apikey', 'Invalid apikey.');
    await next();
  });

  /** Parses the body and checks `point` (and `client` when asked): the first failing field wins. */
  async function read(c: Context, needClient: boolean) {
    let body: Record<string, unknown>;
    try {
      body = (await c.req.json()) as Record<string, unknown>;
    } catch {
      return { error: fail(c, 'body', 'Invalid JSON.') };
    }
    if (typeof body.point !== 'string' || !points.has(body.point)) return { error: fail(c, 'point', 'Point not found.') };
    const client = needClient ? clients.get(String(body.client)) : undefined;
    if (needClient && !client) return { error: fail(c, 'client', 'Client not found.') };
    return { body, point: body.point, client: client as RuClient };
  }

  const amountOf = (c: Context, value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fail(c, 'amount', 'Amount must be a positive number.');

  app.post('/integration/general/client', async (c) => {
    const r = await read(c, false);
    if (r.error) return r.error;
    const search = String(r.body.search ?? '').trim();
    if (!search) return fail(c, 'search', 'Search is required.');
    const digits = search.replace(/\D/g, '');
    const client = [...clients.values()].find((cl) => cl.card === search || cl.code === search || (digits.length >= 10 && String(cl.phone) === digits));
    if (!client) return fail(c, 'client', 'Client not found.');
    const { id, name, photo, birthday, level, phone, email, balance } = client;
    return c.json({ success: true, client: { id, name, photo, birthday, level, phone, email, balance } });
  });

  app.post('/integration/general/recalc', async (c) => {
    const r = await read(c, true);
    if (r.error) return r.error;
    const amount = amountOf(c, r.body.amount);
    if (typeof amount !== 'number') return amount;
    const { level } = r.client;
    const earn = level.type === 'cashback' ? Math.floor((amount * level.percent) / 100) : 0;
    return c.json({ success: true, recalc: { amount, percent: level.percent, type: level.type, spend: maxSpend(r.client, r.point, amount), earn } });
  });

  app.post('/integration/general/bonuses/hold', async (c) => {
    const r = await read(c, true);
    if (r.error) return r.error;
    const amount = r.body.amount;
    const duration = r.body.duration ?? 10;
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount <= 0) return fail(c, 'amount', 'Amount must be a positive integer.');
    if (typeof duration !== 'number' || duration <= 0 || duration > 10) return fail(c, 'duration', "Duration can't be more 10");
    const available = r.client.balance - heldByOthers(r.client.id, '');
    if (amount > available) return fail(c, 'amount', `Amount can't be more ${Math.max(0, available)}`);
    const until = Math.floor(now() / 1000) + Math.round(duration * 60);
    holds.push({ client: r.client.id, point: r.point, amount, until });
    return c.json({ success: true, held: { until, amount } });
  });

  app.post('/integration/general/bonuses/release', async (c) => {
    const r = await read(c, true);
    if (r.error) return r.error;
    holds = holds.filter((h) => !(h.client === r.client.id && h.point === r.point));
    return c.json({ success: true });
  });

  app.post('/integration/general/retail', async (c) => {
    const r = await read(c, true);
    if (r.error) return r.error;
    const amount = amountOf(c, r.body.amount);
    if (typeof amount !== 'number') return amount;
    const spend = r.body.spend ?? 0;
    if (typeof spend !== 'number' || !Number.isInteger(spend) || spend < 0) return fail(c, 'spend', 'Spend must be a positive integer.');
    // A new operation at this point ends the holds made there.
    holds = holds.filter((h) => h.point !== r.point);
    const max = maxSpend(r.client, r.point, amount);
    if (spend > max) return fail(c, 'spend', `Spend can't be more ${max}`);
    const { level } = r.client;
    const discount = level.type === 'discount' ? Math.round(amount * level.percent) / 100 : 0;
    if (spend > 0) {
      r.client.balance -= spend;
      return c.json({ success: true, retail: { amount, total: round2(amount - spend), percent: level.percent, type: level.type, spend } });
    }
    const earn = level.type === 'cashback' ? Math.floor((amount * level.percent) / 100) : 0;
    r.client.balance += earn;
    return c.json({ success: true, retail: { amount, total: round2(amount - discount), percent: level.percent, type: level.type, earn } });
  });

  return {
    app,
    journal,
    /** Injected failures (`faults.add({kind: 'commit-then-drop', path: '/integration/general/retail'})`). */
    faults,
    /** Test access to the seeded state. */
    client: (id: string) => clients.get(id),
    holds: () => liveHolds().slice(),
  };
}

const round2 = (value: number) => Math.round(value * 100) / 100;
