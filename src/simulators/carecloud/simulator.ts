import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Hono, type Context } from 'hono';
import { readOffsetTime, readWallTime, wallTime } from './time.js';
import { attachFaults } from '../faults.js';
import { Journal } from '../journal.js';

/**
 * A simulator of the CareCloud enterprise interface v1.0, purchases part
 * (`shared/providers/carecloud-purchases.txt` and the CareCloud facts in `NOTES.md`): same base
 * path, `{data: …}` envelopes, 201 on send-purchase, and 400 bodies
 * `{error: {type, exception, title, detail, error_data: {invalid_params: [{name, reason, value, message}]}}}`
 * with the documented reasons (`bill_id/already_exists`, `credit_points/not_enough_points_for_payment`,
 * `card_number/card_is_blocked`, `max_points/customer_cant_pay_by_points`, voucher reasons…).
 *
 * Rules it enforces:
 * - auth: `POST /users/actions/login` → bearer token valid `tokenTtlMs` (7 h) with `valid_to` in
 *   project local time; the deprecated Basic auth is still accepted; anything else is 401;
 * - amounts are decimals in the bill currency (CZK by default), read from numbers or strings
 *   (the document writes both: `"total_price": "700"`, `"price": 4`) and computed exactly in hundredths;
 * - points are worth `pointValue` each and pay at most what is left of the bill after vouchers;
 *   a purchase earns one point per `earnPer` paid in money on items without `loyalty_off`
 *   (payment type `D` earns nothing);
 * - `accept-payment` computes and commits nothing; `send-purchase` commits points, vouchers and
 *   the purchase, and refuses a second bill with the same `bill_id` at the same store;
 * - point reservations (`reserve-points` / `free-points`) make points unavailable to other
 *   payments until freed or expired; `expiration_time` is read as project time or UTC
 *   (`reservationTimes`: the documents do not say which);
 * - times are read and written by its own code (`./time.ts`), never the adapter's;
 * - `GET /customers/{id}` (not in the documents) can answer 404, 403 or 405 (`customersEndpoint`).
 * The POS `bill_id` is kept as the purchase's `external_purchase_id` (the purchase examples show
 * POS numbers there), which is how a POS finds a bill it already sent.
 */
export const CARECLOUD_BASE_PATH = '/webservice/rest-api/enterprise-interface/v1.0';

/** The demo project's ids and credentials (the ids are the document's own example ids). */
export const CARECLOUD_DEMO = {
  externalAppId: '89d1a6111b3fb6e74665d948',
  login: 'checkout@demo.test',
  password: 'demo-carecloud-password',
  basicUser: 'enterprise_interface',
  basicPassword: 'demo-carecloud-basic',
  storeId: '8fd73167342d06899c4c015320',
  cashdeskNumber: 1,
  currency: 'CZK',
  currencyId: '8bed991c68a470eaaeffbf048',
  purchaseTypeId: '86e05affc7a7abefcd513ab400',
  purchaseItemTypeId: '89d3d403c86e8c559fe51b18a',
  categoryPluId: '8fbea1c1ea8eddca35e67f27Q',
  timeZone: 'Europe/Prague',
} as const;

export interface CarecloudSimCustomer {
  customerId: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  birthdate: string;
  card: { cardId: string; number: string; state: 0 | 1; validTo: string };
  /** Available points (decimals allowed). */
  points: number;
  /** Credit balance in the bill currency. */
  credit?: number;
  /** The customer's status allows paying with points (default true). */
  canPayByPoints?: boolean;
  /** Delay of the card lookup, for the "slow provider" demo identity. */
  slowMs?: number;
}

export interface CarecloudSimReward {
  code: string;
  name: string;
  description: string;
  priority: number;
  /** The PLU code (our SKU) the reward is bound to; `null` = not bound to a product. */
  plu: string | null;
  /** Discount on one unit of the matching item when the code is used as a benefit code. */
  discountPercent: number;
  automatic?: boolean;
}

export interface CarecloudSimVoucher {
  code: string;
  name: string;
  /** Fixed discount in the bill currency, as a decimal string. */
  discountValue: string;
  /** Only this customer may use it (`null` = anyone). */
  customerId: string | null;
  used?: boolean;
  /** Last valid day, YYYY-MM-DD (project time). */
  validTo: string;
}

export interface CarecloudSimulatorOptions {
  externalAppId?: string;
  login?: string;
  password?: string;
  /** Credentials of the deprecated Basic auth; `null` refuses Basic. */
  basic?: { user: string; password: string } | null;
  tokenTtlMs?: number;
  timeZone?: string;
  stores?: string[];
  /** CareCloud currency id → ISO code. */
  currencies?: Record<string, string>;
  purchaseTypes?: string[];
  purchaseItemTypes?: string[];
  /** Money value of one point, decimal string (default "1": 1 point = 1 CZK). */
  pointValue?: string;
  /** Money paid per point earned, decimal string (default "10": 1 point per 10 CZK). */
  earnPer?: string;
  customers?: CarecloudSimCustomer[];
  rewards?: CarecloudSimReward[];
  vouchers?: CarecloudSimVoucher[];
  /** Clock in milliseconds (tests move it to expire tokens and reservations). */
  now?: () => number;
  /**
   * `GET /customers/{id}`, which the documents do not list (NOTES.md § CareCloud lists only
   * `/customers/{id}/points`): `'on'` (default) answers the profile; the others answer as a
   * project where it is missing (404), forbidden to the integration user (403) or not allowed (405).
   */
  customersEndpoint?: CustomersEndpoint;
  /**
   * How the project reads a point reservation's `expiration_time` (NOTES.md § CareCloud gives
   * the field, no document says its zone): `'project'` (default) as a wall time in `timeZone`,
   * `'utc'` as UTC.
   */
  reservationTimes?: 'project' | 'utc';
}

export type CustomersEndpoint = 'on' | 'not-found' | 'forbidden' | 'method-not-allowed';

/**
 * Demo identities (listed on the demo page):
 * - 2001990001884 Jana Nováková: active card, 1 250 points (1 250 CZK), voucher SLEVA50 (50 CZK off);
 * - 2001990002294 Petr Svoboda: blocked card (has points, but the card is refused);
 * - 2001990003005 Eva Dvořáková: active card, zero points (earns only);
 * - 2001990004002 Tomáš Král: active card, 400 points, card lookup answers after 3 s (slow provider).
 */
export function carecloudDemoCustomers(): CarecloudSimCustomer[] {
  const base = { birthdate: '1988-05-17', credit: 0 };
  return [
    { ...base, customerId: '8bc8ea4c1466859cbba26e522f', firstName: 'Jana', lastName: 'Nováková', email: 'jana@example.test', phone: '420603123456', card: { cardId: '81a94c48474bc45c03d41f7016', number: '2001990001884', state: 1, validTo: '2059-07-05' }, points: 1250 },
    { ...base, customerId: '8bc8ea4c1466859cbba26e5230', firstName: 'Petr', lastName: 'Svoboda', email: 'petr@example.test', phone: '420603654321', card: { cardId: '81a94c48474bc45c03d41f7017', number: '2001990002294', state: 0, validTo: '2059-07-05' }, points: 300 },
    { ...base, customerId: '8bc8ea4c1466859cbba26e5231', firstName: 'Eva', lastName: 'Dvořáková', email: 'eva@example.test', phone: '420603000003', card: { cardId: '81a94c48474bc45c03d41f7018', number: '2001990003005', state: 1, validTo: '2059-07-05' }, points: 0 },
    { ...base, customerId: '8bc8ea4c1466859cbba26e5232', firstName: 'Tomáš', lastName: 'Král', email: 'tomas@example.test', phone: '420603000004', card: { cardId: '81a94c48474bc45c03d41f7019', number: '2001990004002', state: 1, validTo: '2059-07-05' }, points: 400, slowMs: 3000 },
  ];
}

export function carecloudDemoRewards(): CarecloudSimReward[] {
  return [
    { code: 'PTV138', name: 'Free coffee', description: 'One coffee for free', priority: 9, plu: 'coffee', discountPercent: 100 },
    { code: 'PTV140', name: '10 % off tea', description: '10 % off one tea', priority: 5, plu: 'tea', discountPercent: 10 },
    { code: 'PTV200', name: 'Birthday bonus', description: 'Applied automatically', priority: 1, plu: null, discountPercent: 0, automatic: true },
  ];
}

export function carecloudDemoVouchers(): CarecloudSimVoucher[] {
  return [
    { code: 'SLEVA50', name: '50 CZK off', discountValue: '50', customerId: '8bc8ea4c1466859cbba26e522f', validTo: '2099-12-31' },
    { code: 'OLD20', name: '20 CZK off (expired)', discountValue: '20', customerId: null, validTo: '2020-01-31' },
  ];
}

// ---------------------------------------------------------------- internal state

interface Customer {
  src: CarecloudSimCustomer;
  /** Points in hundredths (exact). */
  pointsH: number;
  earnedH: number;
  redeemedH: number;
  creditCents: number;
  canPayByPoints: boolean;
}

interface Reservation {
  points_reservation_id: string;
  customer_id: string;
  external_id: string;
  quantityH: number;
  expiresAt: number | null;
  expiration: string | null;
  deleted: boolean;
}

interface BillItem {
  id: string;
  plu: string[];
  name: string;
  quantity: number;
  paidCents: number;
  priceCents: number;
  loyaltyOff: boolean;
  raw: Record<string, unknown>;
}

interface Bill {
  billId: string;
  paymentTime: number;
  currencyId: string;
  totalCents: number;
  items: BillItem[];
}

interface PaymentVoucher {
  code: string;
  name: string;
  discount_value: number;
  discount_percent: number | null;
  bill_item_id: string | null;
}

interface Settlement {
  usedPointsH: number;
  pointsCents: number;
  creditCents: number;
  vouchers: PaymentVoucher[];
  earnedH: number;
}

interface Purchase {
  purchase_id: string;
  customer_id: string | null;
  store_id: string;
  external_purchase_id: string;
  payment_time: string;
  items_count: number;
  purchase_items: Array<Record<string, unknown>>;
  type_id: string;
  total_price: number;
  currency_id: string;
  card_number: string | null;
  cashdesk_number: number;
  last_change: string;
  summary: { earned_points: number; used_credits: number; used_points: number; used_points_total: number; used_vouchers: Array<Record<string, unknown>> };
}

interface InvalidParam {
  name: string;
  reason: string;
  value?: unknown;
  message: string;
}

/** A CareCloud error reply, thrown by handlers and rendered by `onError`. */
class SimError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`CareCloud simulator ${status}`);
  }
}

const badRequest = (name: string, reason: string, message: string, value?: unknown) =>
  new SimError(400, {
    error: {
      type: 'about:blank',
      exception: 'bad_request_exception',
      title: 'Bad Request',
      detail: null,
      error_data: { invalid_params: [{ name, reason, value: value === undefined ? '' : value, message } satisfies InvalidParam] },
    },
  });

const basicError = (status: number, exception: string, title: string, detail: string, error_data: Record<string, unknown> = {}) =>
  new SimError(status, { error: { type: 'about:blank', exception, title, detail, error_data } });

/** A decimal (number or string) → exact hundredths; `undefined` when not a decimal with ≤ 2 places. */
function hundredths(value: unknown): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    const scaled = Math.round(value * 100);
    return Math.abs(scaled - value * 100) < 1e-6 ? scaled : undefined;
  }
  if (typeof value === 'string') {
    const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(value.trim());
    if (!match) return undefined;
    const cents = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
    return match[1] ? -cents : cents;
  }
  return undefined;
}

/** Hundredths → the JSON number CareCloud answers with (1990 → 19.9). */
const decimal = (h: number) => h / 100;

const newId = () => randomBytes(13).toString('hex');

export function createCarecloudSimulator(options: CarecloudSimulatorOptions = {}) {
  const now = options.now ?? Date.now;
  const timeZone = options.timeZone ?? CARECLOUD_DEMO.timeZone;
  const tokenTtlMs = options.tokenTtlMs ?? 7 * 3600_000;
  let customersEndpoint: CustomersEndpoint = options.customersEndpoint ?? 'on';
  const reservationZone = options.reservationTimes === 'utc' ? 'UTC' : timeZone;
  const credentials = {
    externalAppId: options.externalAppId ?? CARECLOUD_DEMO.externalAppId,
    login: options.login ?? CARECLOUD_DEMO.login,
    password: options.password ?? CARECLOUD_DEMO.password,
  };
  const basic = options.basic === undefined ? { user: CARECLOUD_DEMO.basicUser, password: CARECLOUD_DEMO.basicPassword } : options.basic;
  const stores = new Set(options.stores ?? [CARECLOUD_DEMO.storeId]);
  const currencies = new Map(Object.entries(options.currencies ?? { [CARECLOUD_DEMO.currencyId]: CARECLOUD_DEMO.currency }));
  const purchaseTypes = new Set(options.purchaseTypes ?? [CARECLOUD_DEMO.purchaseTypeId]);
  const purchaseItemTypes = new Set(options.purchaseItemTypes ?? [CARECLOUD_DEMO.purchaseItemTypeId]);
  const pointValueCents = hundredths(options.pointValue ?? '1');
  const earnPerCents = hundredths(options.earnPer ?? '10');
  if (!pointValueCents || pointValueCents <= 0 || !earnPerCents || earnPerCents <= 0) throw new RangeError('pointValue and earnPer must be positive decimals with at most 2 places.');

  const customers = new Map<string, Customer>();
  for (const src of options.customers ?? carecloudDemoCustomers()) {
    const pointsH = hundredths(src.points) ?? 0;
    customers.set(src.customerId, {
      src: structuredClone(src),
      pointsH,
      earnedH: pointsH,
      redeemedH: 0,
      creditCents: hundredths(src.credit ?? 0) ?? 0,
      canPayByPoints: src.canPayByPoints ?? true,
    });
  }
  const rewards = (options.rewards ?? carecloudDemoRewards()).map((r) => ({ ...r }));
  const vouchers = new Map((options.vouchers ?? carecloudDemoVouchers()).map((v) => [v.code, { ...v, used: v.used ?? false }]));
  const tokens = new Map<string, number>();
  const purchases: Purchase[] = [];
  const reservations: Reservation[] = [];
  const failures: Array<{ method: string; path: string; status: number; times: number }> = [];

  const journal = new Journal();
  const app = new Hono();
  journal.attach(app);
  const faults = attachFaults(app);
  const at = (path: string) => `${CARECLOUD_BASE_PATH}${path}`;

  app.onError((error, c) => {
    if (error instanceof SimError) return c.json(error.body as object, error.status as 400);
    return c.json({ error: { type: 'about:blank', exception: 'internal_server_error', title: 'Internal Server Error', detail: String(error) } }, 500);
  });
  app.notFound((c) => c.json({ error: { type: 'about:blank', exception: 'not_found_exception', title: 'Not Found', detail: 'The resource was not found.', error_data: { resource_name: c.req.path } } }, 404));

  // `failNext` (tests): the next matching calls answer `status` with CareCloud's own error body,
  // without doing anything. `faults` (above) has the general kinds: latency, resets, commit-then-drop.
  app.use('*', async (c, next) => {
    const fault = failures.find((f) => f.method === c.req.method && c.req.path.endsWith(f.path));
    if (fault) {
      if (--fault.times <= 0) failures.splice(failures.indexOf(fault), 1);
      if (fault.status === 429) return c.body(null, 429, { 'retry-after': '2' });
      return c.json({ error: { type: 'about:blank', exception: 'internal_server_error', title: 'Service failure', detail: 'Injected failure.' } }, fault.status as 500);
    }
    await next();
  });

  // ------------------------------------------------------------ auth
  app.use(at('/*'), async (c, next) => {
    if (c.req.path === at('/users/actions/login')) return next();
    const header = c.req.header('authorization') ?? '';
    const [scheme, value = ''] = header.split(/\s+/, 2);
    if (scheme?.toLowerCase() === 'bearer') {
      const expiresAt = tokens.get(value);
      if (expiresAt !== undefined && expiresAt > now()) return next();
      throw basicError(401, 'unauthorized_exception', 'Unauthorized', 'The bearer token is invalid or expired.');
    }
    if (scheme?.toLowerCase() === 'basic' && basic) {
      // Deprecated by CareCloud, still accepted.
      const [user, ...rest] = Buffer.from(value, 'base64').toString('utf8').split(':');
      if (user === basic.user && rest.join(':') === basic.password) return next();
    }
    throw basicError(401, 'unauthorized_exception', 'Unauthorized', 'The client has invalid credentials or auth token.');
  });

  app.post(at('/users/actions/login'), async (c) => {
    const body = await jsonBody(c);
    if (body.user_external_application_id !== credentials.externalAppId || body.login !== credentials.login || body.password !== credentials.password) {
      throw basicError(403, 'forbidden_exception', 'Forbidden', 'Invalid login, password or external application.');
    }
    const token = randomBytes(20).toString('hex');
    const expiresAt = now() + tokenTtlMs;
    tokens.set(token, expiresAt);
    return c.json({ data: { bearer_token: token, valid_to: wallTime(expiresAt, timeZone), user: { user_id: 'user-checkout', login: credentials.login } } });
  });

  // ------------------------------------------------------------ cards and customers
  const cardView = (cu: Customer) => ({
    card_id: cu.src.card.cardId,
    customer_id: cu.src.customerId,
    card_type_id: '8bed991c68a470e7aaeffbf048',
    card_number: cu.src.card.number,
    valid_from: '2019-07-05',
    valid_to: cu.src.card.validTo,
    store_id: null,
    last_change: '2024-01-15 10:00:00',
    state: cu.src.card.state,
  });
  const byCard = (number: string) => [...customers.values()].find((cu) => cu.src.card.number === number);

  app.get(at('/cards'), async (c) => {
    const number = c.req.query('card_number');
    const customerId = c.req.query('customer_id');
    const found = [...customers.values()].filter((cu) => (number === undefined || cu.src.card.number === number) && (customerId === undefined || cu.src.customerId === customerId));
    const slow = Math.max(0, ...found.map((cu) => cu.src.slowMs ?? 0));
    if (slow) await sleep(slow);
    const { count, offset } = paging(c);
    return c.json({ data: { cards: found.slice(offset, offset + count).map(cardView), total_items: found.length } });
  });

  app.get(at('/cards/:card_id'), (c) => {
    const cu = [...customers.values()].find((x) => x.src.card.cardId === param(c, 'card_id'));
    if (!cu) throw notFound('cards', param(c, 'card_id'));
    return c.json({ data: cardView(cu) });
  });

  app.get(at('/customers/:customer_id'), (c) => {
    if (customersEndpoint === 'not-found') throw basicError(404, 'not_found_exception', 'Not Found', 'The resource was not found.', { resource_name: c.req.path });
    if (customersEndpoint === 'forbidden') throw basicError(403, 'forbidden_exception', 'Forbidden', 'The user has no permission for this resource.');
    if (customersEndpoint === 'method-not-allowed') throw basicError(405, 'method_not_allowed_exception', 'Method Not Allowed', 'The method is not allowed for this resource.');
    const cu = customerOr404(param(c, 'customer_id'));
    const s = cu.src;
    return c.json({
      data: {
        customer_id: s.customerId,
        personal_information: { gender: null, first_name: s.firstName, last_name: s.lastName, birthdate: s.birthdate, email: s.email, phone: s.phone, language_id: 'cs', store_id: null },
        last_change: '2024-01-15 10:00:00',
        state: 1,
      },
    });
  });

  app.get(at('/customers/:customer_id/points'), (c) => {
    const cu = customerOr404(param(c, 'customer_id'));
    const point = {
      point_id: `p-${cu.src.customerId}`,
      customer_id: cu.src.customerId,
      assigned_points: decimal(cu.earnedH),
      available_points: decimal(available(cu)),
      point_type_id: '86e05affc7a7abefcd513ab400',
      partner_id: '86e05affc7a7abefcd513ab400',
      valid_to: null,
      state: 1,
    };
    return c.json({ data: { points: [point], total_items: 1 } });
  });

  // date_from / date_to are accepted; the simulator keeps no point history, so they change nothing.
  app.get(at('/wallet/actions/points-overview'), (c) => {
    const id = c.req.query('customer_id');
    if (!id) throw badRequest('customer_id', 'required', 'The customer_id parameter is required.');
    const cu = customers.get(id);
    if (!cu) throw badRequest('customer_id', 'not_found', 'Customer not found.', id);
    const availableH = available(cu);
    return c.json({
      data: {
        earned_points: decimal(cu.earnedH),
        redeemed_points: decimal(cu.redeemedH),
        available_points: decimal(availableH),
        // Only when the customer's status allows paying with points, as the API documents.
        available_points_money_value: cu.canPayByPoints
          ? [...currencies.keys()].map((currency_id) => ({ currency_id, value: decimal(Math.floor((availableH * pointValueCents) / 100)) }))
          : [],
      },
    });
  });

  // ------------------------------------------------------------ point reservations
  const liveReservations = () => reservations.filter((r) => !r.deleted && (r.expiresAt === null || r.expiresAt > now()));
  /** Points a payment or a new reservation may use: balance minus live reservations. */
  const available = (cu: Customer) => cu.pointsH - liveReservations().filter((r) => r.customer_id === cu.src.customerId).reduce((sum, r) => sum + r.quantityH, 0);
  const reservationView = (r: Reservation) => ({
    points_reservation_id: r.points_reservation_id,
    customer_id: r.customer_id,
    external_id: r.external_id,
    quantity: decimal(r.quantityH),
    state: r.deleted ? 0 : r.expiresAt !== null && r.expiresAt <= now() ? 2 : 1,
    expiration: r.expiration,
  });

  app.post(at('/point-reservations/actions/reserve-points'), async (c) => {
    const body = await jsonBody(c);
    const cu = requiredCustomer(body.customer_id);
    const externalId = requiredString(body, 'external_id');
    const amountH = hundredths(body.amount);
    if (amountH === undefined || amountH <= 0) throw badRequest('amount', 'invalid_value_format', 'The amount must be a positive number of points.', body.amount);
    let expiresAt: number | null = null;
    if (body.expiration_time !== undefined && body.expiration_time !== null) {
      expiresAt = typeof body.expiration_time === 'string' ? (readWallTime(body.expiration_time, reservationZone) ?? null) : null;
      if (expiresAt === null) throw badRequest('expiration_time', 'invalid_value_format', 'Expected YYYY-MM-DD HH:MM:SS.', body.expiration_time);
    }
    if (liveReservations().some((r) => r.external_id === externalId)) throw badRequest('external_id', 'already_exists', 'A reservation with this external_id already exists.', externalId);
    if (amountH > available(cu)) throw badRequest('amount', 'not_enough_points', `The customer has only ${decimal(Math.max(0, available(cu)))} points available.`, body.amount);
    reservations.push({
      points_reservation_id: newId(),
      customer_id: cu.src.customerId,
      external_id: externalId,
      quantityH: amountH,
      expiresAt,
      expiration: expiresAt === null ? null : wallTime(expiresAt, reservationZone),
      deleted: false,
    });
    return c.body(null, 204);
  });

  app.post(at('/point-reservations/actions/free-points'), async (c) => {
    const body = await jsonBody(c);
    const externalId = requiredString(body, 'external_id');
    const live = liveReservations().filter((r) => r.external_id === externalId);
    if (!live.length) throw badRequest('external_id', 'not_found', 'No active reservation has this external_id.', externalId);
    for (const r of live) r.deleted = true;
    return c.body(null, 204);
  });

  app.get(at('/point-reservations'), (c) => {
    const customerId = c.req.query('customer_id');
    const externalId = c.req.query('external_id');
    const found = reservations.filter((r) => (customerId === undefined || r.customer_id === customerId) && (externalId === undefined || r.external_id === externalId));
    const { count, offset } = paging(c);
    return c.json({ data: { point_reservations: found.slice(offset, offset + count).map(reservationView), total_items: found.length } });
  });

  // ------------------------------------------------------------ purchases: actions
  app.post(at('/purchases/actions/recommended-best-rewards'), async (c) => {
    const body = await jsonBody(c);
    requireStore(body.store_id);
    requireCashdesk(body.cashdesk_number);
    const listType = body.reward_list_type;
    if (listType !== 'F' && listType !== 'C' && listType !== 'A') throw badRequest('reward_list_type', 'not_allowed_value', 'Possible values are F, C and A.', listType);
    buyer(body);
    const bill = readBill(body.bill, false);
    const list = rewards
      .filter((r) => listType === 'A' || !r.automatic)
      .map((r) => ({ r, maxCount: r.plu === null ? null : bill.items.filter((i) => !i.loyaltyOff && i.plu.includes(r.plu!)).reduce((n, i) => n + Math.floor(i.quantity), 0) }))
      .filter(({ maxCount }) => listType !== 'C' || maxCount !== 0)
      .sort((a, b) => b.r.priority - a.r.priority)
      .map(({ r, maxCount }) => ({
        code: r.code,
        name: r.name,
        reward_priority: r.priority,
        max_count: maxCount,
        description: r.description,
        reward_properties: { image: '', valid_from: '00:00:00', valid_to: '00:00:00' },
      }));
    return c.json({ data: { recommended_best_rewards: list, total_items: list.length } });
  });

  app.post(at('/purchases/actions/accept-payment'), async (c) => {
    const body = await jsonBody(c);
    requireStore(body.store_id);
    requireCashdesk(body.cashdesk_number);
    const paymentType = body.payment_type;
    if (!['S', 'A', 'C', 'D'].includes(paymentType as string)) throw badRequest('payment_type', 'not_allowed_value', 'Possible values are S, A, C and D.', paymentType);
    const cu = buyer(body);
    const bill = readBill(body.bill, false);
    const pointsH = optionalAmount(body, 'max_points');
    const creditCents = optionalAmount(body, 'max_credit');
    const codes = body.benefit_codes ?? [];
    if (!Array.isArray(codes) || codes.some((code) => typeof code !== 'string')) throw badRequest('benefit_codes', 'invalid_value_format', 'Expected a list of codes.', codes);
    const s = settle(cu, bill, pointsH, creditCents, codes as string[], paymentType as string);
    // Nothing is committed: this is the bill closure preview.
    return c.json({
      data: {
        accepted_payment: {
          recommended_discounts: [],
          credit_points: decimal(s.usedPointsH),
          price_of_credit_points: decimal(s.pointsCents),
          credit: decimal(s.creditCents),
          benefit_codes: s.vouchers,
          credit_points_of_this_transaction: decimal(s.earnedH),
          total_credit_points: cu ? decimal(cu.pointsH - s.usedPointsH + s.earnedH) : 0,
          total_credit: cu ? decimal(cu.creditCents - s.creditCents) : 0,
          messages: [],
        },
      },
    });
  });

  app.post(at('/purchases/actions/send-purchase'), async (c) => {
    const body = await jsonBody(c);
    const storeId = requireStore(body.store_id);
    const cashdesk = requireCashdesk(body.cashdesk_number);
    const bill = readBill(body.bill, true);
    const raw = body.bill as Record<string, unknown>;
    if (purchases.some((p) => p.store_id === storeId && p.external_purchase_id === bill.billId)) {
      throw badRequest('bill_id', 'already_exists', 'A bill with this bill_id was already sent from this store.', bill.billId);
    }
    if (raw.canceled === true) throw badRequest('canceled', 'not_allowed_value', 'The simulator does not take cancellation bills.', true);
    const cu = buyer(body);
    const recap = (raw.payment_recap ?? {}) as Record<string, unknown>;
    if (typeof recap !== 'object' || Array.isArray(recap)) throw badRequest('payment_recap', 'invalid_value_format', 'Expected an object.');
    const pointsH = optionalAmount(recap, 'credit_points');
    const creditCents = optionalAmount(recap, 'amount_for_credit');
    const recapVouchers = Array.isArray(recap.vouchers) ? recap.vouchers : [];
    const codes = recapVouchers.map((v) => (v && typeof v === 'object' ? (v as Record<string, unknown>).code : v)).filter((code): code is string => typeof code === 'string');
    const s = settle(cu, bill, pointsH, creditCents, codes, raw.payment_type as string);
    // Commit: points, credit, vouchers, then the purchase itself.
    if (cu) {
      cu.pointsH += s.earnedH - s.usedPointsH;
      cu.earnedH += s.earnedH;
      cu.redeemedH += s.usedPointsH;
      cu.creditCents -= s.creditCents;
    }
    for (const v of s.vouchers) {
      const voucher = vouchers.get(v.code);
      if (voucher) voucher.used = true;
    }
    const purchase: Purchase = {
      purchase_id: newId(),
      customer_id: cu?.src.customerId ?? null,
      store_id: storeId,
      external_purchase_id: bill.billId,
      payment_time: wallTime(bill.paymentTime, timeZone),
      items_count: bill.items.length,
      purchase_items: bill.items.map((i) => ({
        purchase_item_id: newId(),
        product_id: i.plu[0] ?? null,
        external_id: i.id,
        purchase_item_type_id: i.raw.purchase_item_type_id,
        price: decimal(i.priceCents),
        amount: i.quantity,
        vat_rate: i.raw.vat_rate ?? null,
        additional_properties: [],
      })),
      type_id: String(raw.purchase_type_id),
      total_price: decimal(bill.totalCents),
      currency_id: bill.currencyId,
      card_number: cu?.src.card.number ?? null,
      cashdesk_number: cashdesk,
      last_change: wallTime(now(), timeZone),
      summary: {
        earned_points: decimal(s.earnedH),
        used_credits: decimal(s.creditCents),
        used_points: decimal(s.usedPointsH),
        used_points_total: decimal(s.usedPointsH),
        used_vouchers: s.vouchers.map((v) => ({ voucher_id: `v-${v.code}`, code: v.code, name: v.name })),
      },
    };
    purchases.push(purchase);
    return c.json({ data: { purchase_id: purchase.purchase_id } }, 201);
  });

  app.post(at('/purchases/actions/assign-customer'), async (c) => {
    const body = await jsonBody(c);
    const storeId = requireStore(body.store_id);
    const externalId = requiredString(body, 'external_purchase_id');
    const purchase = purchases.find((p) => p.store_id === storeId && p.external_purchase_id === externalId);
    if (!purchase) throw badRequest('external_purchase_id', 'not_found', 'No purchase has this external id.', externalId);
    const cu = buyer(body);
    if (!cu) throw badRequest('card_number', 'required', 'Set card_number or customer_id.');
    if (purchase.customer_id !== null) throw badRequest('external_purchase_id', 'relation_already_exists', 'The purchase already has a customer.', externalId);
    // The customer collects the points the purchase would have earned.
    const earnedH = Math.floor(hundredths(purchase.total_price)! / earnPerCents) * 100;
    purchase.customer_id = cu.src.customerId;
    purchase.card_number = cu.src.card.number;
    purchase.summary.earned_points = decimal(earnedH);
    cu.pointsH += earnedH;
    cu.earnedH += earnedH;
    return c.body(null, 204);
  });

  // ------------------------------------------------------------ purchases: resources
  const purchaseView = (p: Purchase, withItems: boolean) => {
    const { summary: _summary, ...rest } = p;
    return { ...rest, purchase_items: withItems ? p.purchase_items : null };
  };

  app.get(at('/purchases'), (c) => {
    const q = (name: string) => c.req.query(name);
    const from = q('payment_time_from');
    const to = q('payment_time_to');
    let found = purchases.filter(
      (p) =>
        (q('store_id') === undefined || p.store_id === q('store_id')) &&
        (q('customer_id') === undefined || p.customer_id === q('customer_id')) &&
        (q('type_id') === undefined || p.type_id === q('type_id')) &&
        (from === undefined || p.payment_time >= from) &&
        (to === undefined || p.payment_time <= to),
    );
    const sortField = q('sort_field');
    if (sortField) {
      const direction = q('sort_direction')?.toUpperCase() === 'DESC' ? -1 : 1;
      // Stable sort; ties keep the order in which purchases were sent.
      found = found
        .map((p, index) => ({ p, index }))
        .sort((a, b) => {
          const x = String((a.p as unknown as Record<string, unknown>)[sortField] ?? '');
          const y = String((b.p as unknown as Record<string, unknown>)[sortField] ?? '');
          return (x < y ? -1 : x > y ? 1 : a.index - b.index) * direction;
        })
        .map(({ p }) => p);
    }
    const { count, offset } = paging(c);
    const withItems = q('purchase_items_extension') === 'true';
    return c.json({ data: { purchases: found.slice(offset, offset + count).map((p) => purchaseView(p, withItems)), total_items: found.length } });
  });

  const purchaseOr404 = (id: string) => {
    const p = purchases.find((x) => x.purchase_id === id);
    if (!p) throw notFound('purchases', id);
    return p;
  };
  app.get(at('/purchases/:purchase_id'), (c) => c.json({ data: purchaseView(purchaseOr404(param(c, 'purchase_id')), false) }));
  app.get(at('/purchases/:purchase_id/purchase-items'), (c) => {
    const p = purchaseOr404(param(c, 'purchase_id'));
    return c.json({ data: { purchase_items: p.purchase_items, total_items: p.purchase_items.length } });
  });
  app.get(at('/purchases/:purchase_id/vouchers'), (c) => {
    const p = purchaseOr404(param(c, 'purchase_id'));
    return c.json({ data: { vouchers: p.summary.used_vouchers, total_items: p.summary.used_vouchers.length } });
  });
  app.get(at('/purchases/:purchase_id/points'), (c) => {
    const p = purchaseOr404(param(c, 'purchase_id'));
    const points = p.summary.earned_points > 0 ? [{ point_id: `pp-${p.purchase_id}`, customer_id: p.customer_id, assigned_points: p.summary.earned_points, available_points: p.summary.earned_points, state: 1 }] : [];
    return c.json({ data: { points, total_items: points.length } });
  });
  app.get(at('/purchases/:purchase_id/actions/payment-summary'), (c) => c.json({ data: purchaseOr404(param(c, 'purchase_id')).summary }));

  // ------------------------------------------------------------ helpers (closures over the state)
  function customerOr404(id: string): Customer {
    const cu = customers.get(id);
    if (!cu) throw notFound('customers', id);
    return cu;
  }

  function requiredCustomer(id: unknown): Customer {
    if (id === undefined || id === null || id === '') throw badRequest('customer_id', 'required', 'The customer_id parameter is required.');
    const cu = customers.get(String(id));
    if (!cu) throw badRequest('customer_id', 'not_found', 'Customer not found.', id);
    return cu;
  }

  /** The customer a bill belongs to, by card number (refused when blocked) or customer id. */
  function buyer(body: Record<string, unknown>): Customer | undefined {
    if (body.card_number !== undefined && body.card_number !== null && body.card_number !== '') {
      const number = String(body.card_number);
      const cu = byCard(number);
      if (!cu) throw badRequest('card_number', 'not_found', 'No card has this number.', number);
      if (cu.src.card.state !== 1) throw badRequest('card_number', 'card_is_blocked', 'The card is blocked.', number);
      return cu;
    }
    if (body.customer_id !== undefined && body.customer_id !== null && body.customer_id !== '') return requiredCustomer(body.customer_id);
    return undefined;
  }

  function requireStore(value: unknown): string {
    if (value === undefined || value === null || value === '') throw badRequest('store_id', 'required', 'The store_id parameter is required.');
    if (!stores.has(String(value))) throw badRequest('store_id', 'not_found', 'Store not found.', value);
    return String(value);
  }

  /** The document types it as integer in one place and string ("1") in another: both are taken. */
  function requireCashdesk(value: unknown): number {
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw badRequest('cashdesk_number', value === undefined ? 'required' : 'invalid_value_format', 'Expected a cashdesk number.', value);
    return n;
  }

  function readBill(raw: unknown, final: boolean): Bill {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('bill', 'required', 'The bill structure is required.');
    const b = raw as Record<string, unknown>;
    if (b.bill_id === undefined || b.bill_id === null || b.bill_id === '') throw badRequest('bill_id', 'required', 'The bill_id parameter is required.');
    const paymentTime = typeof b.payment_time === 'string' ? readOffsetTime(b.payment_time) : undefined;
    if (paymentTime === undefined) throw badRequest('payment_time', 'invalid_value_format', 'Expected a date and time such as 2016-06-30T15:51:49+02:00.', b.payment_time ?? '');
    if (typeof b.currency_id !== 'string' || !currencies.has(b.currency_id)) throw badRequest('currency_id', b.currency_id ? 'not_found' : 'required', 'Currency not found.', b.currency_id ?? '');
    const totalCents = hundredths(b.total_price);
    if (totalCents === undefined || totalCents < 0) throw badRequest('total_price', 'invalid_value_format', 'Expected a decimal amount.', b.total_price ?? '');
    if (!Array.isArray(b.bill_items) || b.bill_items.length === 0) throw badRequest('bill_items', 'required', 'The bill needs at least one item.');
    const items = b.bill_items.map((rawItem): BillItem => {
      const i = (rawItem ?? {}) as Record<string, unknown>;
      if (i.bill_item_id === undefined || i.bill_item_id === null || i.bill_item_id === '') throw badRequest('bill_item_id', 'required', 'Every bill item needs a bill_item_id.');
      const id = String(i.bill_item_id);
      if (!Array.isArray(i.plu_ids) || i.plu_ids.length === 0) throw badRequest('plu_ids', 'required', 'Every bill item needs plu_ids.', id);
      const plu = i.plu_ids.map((p) => (p && typeof p === 'object' ? (p as Record<string, unknown>).code : undefined));
      if (plu.some((code) => typeof code !== 'string' || !code)) throw badRequest('code', 'required', 'Every PluId needs a code.', id);
      for (const name of ['plu_name', 'category_plu_id'] as const) {
        if (typeof i[name] !== 'string') throw badRequest(name, 'required', `The ${name} parameter is required.`, id);
      }
      if (typeof i.vat_rate !== 'number' && hundredths(i.vat_rate) === undefined) throw badRequest('vat_rate', 'invalid_value_format', 'Expected a number.', i.vat_rate ?? '');
      const quantity = typeof i.quantity === 'string' ? Number(i.quantity) : i.quantity;
      if (typeof quantity !== 'number' || !Number.isFinite(quantity) || quantity <= 0) throw badRequest('quantity', 'invalid_value_format', 'Expected a positive quantity.', i.quantity ?? '');
      const paidCents = hundredths(i.paid_amount);
      const priceCents = hundredths(i.price);
      if (paidCents === undefined || paidCents < 0) throw badRequest('paid_amount', 'invalid_value_format', 'Expected a decimal amount.', i.paid_amount ?? '');
      if (priceCents === undefined || priceCents < 0) throw badRequest('price', 'invalid_value_format', 'Expected a decimal amount.', i.price ?? '');
      // `price` may be the line value or the unit price (the examples show both): compare per line.
      if (priceCents * quantity + 1e-6 < paidCents) throw badRequest('bill_item_id', 'item_price_lower_than_paid_amount', 'The item price is lower than the paid amount.', id);
      if (typeof i.loyalty_off !== 'boolean') throw badRequest('loyalty_off', 'required', 'The loyalty_off parameter is required.', id);
      if (typeof i.purchase_item_type_id !== 'string' || !purchaseItemTypes.has(i.purchase_item_type_id)) {
        throw badRequest('purchase_item_type_id', 'not_allowed_value', 'Unknown purchase item type.', i.purchase_item_type_id ?? '');
      }
      return { id, plu: plu as string[], name: String(i.plu_name), quantity, paidCents, priceCents, loyaltyOff: i.loyalty_off, raw: i };
    });
    if (final) {
      for (const name of ['fiscal', 'canceled'] as const) {
        if (typeof b[name] !== 'boolean') throw badRequest(name, 'required', `The ${name} parameter is required.`);
      }
      if (typeof b.purchase_type_id !== 'string' || !purchaseTypes.has(b.purchase_type_id)) throw badRequest('purchase_type_id', 'not_allowed_value', 'Unknown purchase type.', b.purchase_type_id ?? '');
      if (!['S', 'P', 'C', 'D'].includes(b.payment_type as string)) throw badRequest('payment_type', 'not_allowed_value', 'Possible values are S, P, C and D.', b.payment_type ?? '');
    }
    return { billId: String(b.bill_id), paymentTime, currencyId: b.currency_id, totalCents, items };
  }

  /** What a bill closure does with points, credit and codes: the one computation behind accept and send. */
  function settle(cu: Customer | undefined, bill: Bill, pointsH: number, creditCents: number, codes: string[], paymentType: string): Settlement {
    const applied: PaymentVoucher[] = [];
    for (const code of codes) {
      if (applied.some((v) => v.code === code)) throw badRequest('benefit_codes', 'voucher_already_applied', 'The code is already applied to this bill.', code);
      const voucher = vouchers.get(code);
      const reward = rewards.find((r) => r.code === code && !r.automatic);
      if (voucher) {
        if (voucher.used) throw badRequest('benefit_codes', 'voucher_already_used', 'The voucher has already been used.', code);
        if (voucher.validTo < wallTime(now(), timeZone).slice(0, 10)) throw badRequest('benefit_codes', 'voucher_expired', 'The voucher has expired.', code);
        if (voucher.customerId !== null && voucher.customerId !== cu?.src.customerId) throw badRequest('benefit_codes', 'voucher_assigned_to_another_customer', 'The voucher belongs to another customer.', code);
        applied.push({ code, name: voucher.name, discount_value: decimal(hundredths(voucher.discountValue)!), discount_percent: null, bill_item_id: null });
      } else if (reward && reward.plu !== null) {
        const item = bill.items.find((i) => !i.loyaltyOff && i.plu.includes(reward.plu!));
        if (!item) throw badRequest('benefit_codes', 'not_enough_items_for_voucher', 'The bill has no item this reward applies to.', code);
        const unitCents = Math.round(item.paidCents / item.quantity);
        applied.push({ code, name: reward.name, discount_value: decimal(Math.round((unitCents * reward.discountPercent) / 100)), discount_percent: reward.discountPercent, bill_item_id: item.id });
      } else {
        throw badRequest('benefit_codes', 'not_found', 'No voucher or reward has this code.', code);
      }
    }
    const discountCents = Math.min(bill.totalCents, applied.reduce((sum, v) => sum + hundredths(v.discount_value)!, 0));
    let remaining = bill.totalCents - discountCents;

    let usedPointsH = 0;
    let pointsCents = 0;
    if (pointsH > 0) {
      if (!cu) throw badRequest('card_number', 'required', 'Paying with points needs the customer card.');
      if (!cu.canPayByPoints) throw badRequest('max_points', 'customer_cant_pay_by_points', 'The customer cannot pay with points.', decimal(pointsH));
      const availableH = available(cu);
      if (pointsH > availableH) {
        throw badRequest('credit_points', 'not_enough_points_for_payment', `The customer has only ${decimal(Math.max(0, availableH))} points available.`, decimal(pointsH));
      }
      usedPointsH = Math.min(pointsH, Math.floor((remaining * 100) / pointValueCents!));
      pointsCents = Math.round((usedPointsH * pointValueCents!) / 100);
      remaining -= pointsCents;
    }

    let usedCreditCents = 0;
    if (creditCents > 0) {
      if (!cu || cu.creditCents <= 0) throw badRequest('payment_type', 'customer_cant_pay_by_credits', 'The customer cannot pay with credits.', decimal(creditCents));
      if (creditCents > cu.creditCents) throw badRequest('max_credit', 'not_enough_credits', `The customer has only ${decimal(cu.creditCents)} credits.`, decimal(creditCents));
      usedCreditCents = Math.min(creditCents, remaining);
      remaining -= usedCreditCents;
    }

    // Points are earned on money paid for loyalty items; "D" (discount now) earns nothing.
    const loyaltyCents = Math.min(
      bill.totalCents,
      bill.items.filter((i) => !i.loyaltyOff).reduce((sum, i) => sum + i.paidCents, 0),
    );
    const earnable = Math.max(0, Math.min(remaining, loyaltyCents - discountCents - pointsCents - usedCreditCents));
    const earnedH = cu && paymentType !== 'D' ? Math.floor(earnable / earnPerCents!) * 100 : 0;
    return { usedPointsH, pointsCents, creditCents: usedCreditCents, vouchers: applied, earnedH };
  }

  return {
    app,
    journal,
    /** Injected failures (`faults.add({ kind: 'commit-then-drop', path: … })`). */
    faults,
    /** Available points of a customer (balance minus live reservations). */
    points: (customerId: string) => {
      const cu = customers.get(customerId);
      return cu ? decimal(available(cu)) : undefined;
    },
    /** Sets a customer's point balance (tests: points spent elsewhere meanwhile). */
    setPoints: (customerId: string, points: number) => {
      const cu = customers.get(customerId);
      if (!cu) throw new Error(`No customer ${customerId}`);
      cu.pointsH = hundredths(points) ?? Math.round(points * 100);
    },
    setCardState: (cardNumber: string, state: 0 | 1) => {
      const cu = byCard(cardNumber);
      if (!cu) throw new Error(`No card ${cardNumber}`);
      cu.src.card.state = state;
    },
    purchases: () => purchases.map((p) => structuredClone(p)),
    reservations: () => reservations.map(reservationView),
    voucher: (code: string) => (vouchers.has(code) ? { ...vouchers.get(code)! } : undefined),
    /** The next `times` calls to `method` on a path ending with `path` answer `status` (429 or 5xx) without effect. */
    failNext: (method: string, path: string, status: number, times = 1) => {
      failures.push({ method, path, status, times });
    },
    /** Switches `GET /customers/{id}` (see `customersEndpoint`). */
    setCustomersEndpoint: (mode: CustomersEndpoint) => {
      customersEndpoint = mode;
    },
    /** Forgets every bearer token (as when CareCloud revokes them before `valid_to`). */
    revokeTokens: () => tokens.clear(),
  };
}

/** A path parameter (the prefixed route strings lose Hono's typing of it). */
const param = (c: Context, name: string) => c.req.param(name) ?? '';

function notFound(resource: string, id: string): SimError {
  return basicError(404, 'not_found_exception', 'Not Found', `The ${resource} record ${id} was not found.`, { resource_name: resource, resource_id: id });
}

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw badRequest('body', 'invalid_value_format', 'The request body is not valid JSON.');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('body', 'invalid_value_format', 'The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

function requiredString(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (value === undefined || value === null || value === '') throw badRequest(name, 'required', `The ${name} parameter is required.`);
  if (typeof value !== 'string' && typeof value !== 'number') throw badRequest(name, 'invalid_value_format', `The ${name} parameter must be a string.`, value);
  return String(value);
}

/** An optional decimal amount (points or money) → hundredths, 0 when absent. */
function optionalAmount(body: Record<string, unknown>, name: string): number {
  const value = body[name];
  if (value === undefined || value === null || value === '') return 0;
  const h = hundredths(value);
  if (h === undefined || h < 0) throw badRequest(name, 'invalid_value_format', `The ${name} parameter must be a positive decimal number.`, value);
  return h;
}

function paging(c: Context): { count: number; offset: number } {
  const count = Number(c.req.query('count') ?? 100);
  const offset = Number(c.req.query('offset') ?? 0);
  if (!Number.isInteger(count) || count < 1) throw badRequest('count', 'invalid_value_format', 'The count must be a positive integer.', c.req.query('count'));
  if (!Number.isInteger(offset) || offset < 0) throw badRequest('offset', 'invalid_value_format', 'The offset must be a non-negative integer.', c.req.query('offset'));
  return { count, offset };
}
