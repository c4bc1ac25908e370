import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { attachFaults } from '../faults.js';
import { Journal } from '../journal.js';

/**
 * A simulator of the CRM.COM rewards Web API v2 as a POS uses it
 * (`shared/providers/crmcom-rewards-pos.txt`, plus the CRM.COM part of `NOTES.md`).
 * Paths live under `/crmapi/rest/v2/`; every call is a POST whose JSON body carries `token`;
 * every reply is `{data, status: {code, message, description}}` and `status.code != "OK"` is an
 * error, usually on HTTP 200. Amounts are decimals in the system currency (EUR, two decimals).
 *
 * Rules it enforces (the document's worked example comes out exactly with the seeded programme):
 * - `authentication/token` issues a JWT-shaped token valid 2 h; a missing, forged or expired
 *   token is refused with `INVALID_TOKEN` on HTTP 200 (bad credentials get HTTP 401);
 * - award = `awardPercent` % of the net amount of every product not in `excludedProducts`,
 *   rounded half up to the cent (1 % of the "Soft Drinks" net 8 → 0.08, "Sandwiches" excluded);
 * - additional spend (what a spend request may take) = min(wallet balance, maximum per
 *   transaction, purchase total), or 0 when that is below the minimum per transaction
 *   (min(10.00, 7.90, 30) → 7.9);
 * - `purchases/create` credits the award at once; `spend_requests/create` refuses a request
 *   larger than the wallet balance and spends at most what the purchase allows (asked 10 → 7.9);
 * - cancels reverse the award or the spend;
 * - an access token is also found by its `identifier` + `pass_code`, or by a `one_time_password`
 *   (NOTES.md § CRM.COM, identifier forms): a wrong pass code or password gets the same
 *   `NOT_FOUND` refusal as an unknown participant, so a caller cannot tell which part was wrong.
 *
 * The document names no error codes. The codes here are this simulator's own:
 * `INVALID_TOKEN`, `AUTHENTICATION_FAILED`, `MANDATORY_FIELD`, `INVALID_VALUE`, `NOT_FOUND`,
 * `INSUFFICIENT_BALANCE`, `INVALID_STATE`, `INVALID_REQUEST`.
 */

export interface CrmcomUser {
  username: string;
  password: string;
  organisation: string;
}

export interface CrmcomParticipant {
  id: string;
  /** The rewards participant's own number (identification by `number`). */
  number: string;
  /** Authentication codes of the participant's access tokens: card numbers, phone digits, e-mails. */
  accessTokens: string[];
  /**
   * The pass code that goes with any of the access tokens (`identifier` + `pass_code`, NOTES.md
   * § CRM.COM). The documents do not say whether each token has its own: one per participant here.
   */
  passCode?: string;
  /**
   * One-time passwords that identify this participant (`one_time_password`, NOTES.md § CRM.COM).
   * The documents do not say when one lapses: they stay valid here, used or not.
   */
  oneTimePasswords?: string[];
  owner: { title: string; firstName: string; lastName: string; email?: string; phone?: string };
  account: { id: string; number: string };
  wallet: { id: string; number: string; balance: string };
}

export interface CrmcomProgramme {
  /** Percent of the net amount awarded on eligible products ("1" = 1 %). */
  awardPercent: string;
  /** Product codes that earn nothing. */
  excludedProducts: string[];
  minimumSpendPerTransaction: string;
  maximumSpendPerTransaction: string;
}

export interface CrmcomSimulatorOptions {
  users?: CrmcomUser[];
  /** Unit names accepted in `performed_by_unit_identifier`. */
  units?: string[];
  participants?: CrmcomParticipant[];
  programme?: CrmcomProgramme;
  /** Clock in milliseconds (tests move it forward to expire tokens). */
  now?: () => number;
  tokenLifetimeMs?: number;
}

export const CRMCOM_API_PATH = '/crmapi/rest/v2';
export const CRMCOM_DEMO_USER: CrmcomUser = { username: 'pos-demo', password: 'demo-crmcom-password', organisation: 'DEMO' };
export const CRMCOM_DEMO_UNIT = 'Unit';
/** The demo participants' pass codes and one-time passwords, by authentication code (listed on the demo page). */
export const CRMCOM_DEMO_PROOFS = {
  '22265577': { passCode: '1234', oneTimePassword: '700001' },
  '22265578': { passCode: '2345', oneTimePassword: '700002' },
  '22265579': { passCode: '3456', oneTimePassword: '700003' },
} as const;
/** An authentication code that no participant holds: the "unknown customer" demo case. */
export const CRMCOM_UNKNOWN_CODE = '99999999';
export const CRMCOM_TOKEN_LIFETIME_MS = 2 * 60 * 60 * 1000;

/** The programme that reproduces the document's worked example. */
export function crmcomDemoProgramme(): CrmcomProgramme {
  return { awardPercent: '1', excludedProducts: ['Sandwiches'], minimumSpendPerTransaction: '1.00', maximumSpendPerTransaction: '7.90' };
}

/**
 * Demo identities, listed on the demo page:
 * - John Doe: the document's participant (code 22265577, wallet 10.00, account 400);
 * - Maria Georgiou: zero balance (earns, cannot spend);
 * - Andreas Christou: 0.50, below the 1.00 minimum spend (earns, cannot spend yet).
 * Each has a pass code and a one-time password (`CRMCOM_DEMO_PROOFS`).
 */
export function crmcomDemoParticipants(): CrmcomParticipant[] {
  return [
    {
      id: 'RP-0001',
      number: '1001',
      accessTokens: ['22265577', '35799000001', 'john.doe@example.test'],
      passCode: CRMCOM_DEMO_PROOFS['22265577'].passCode,
      oneTimePasswords: [CRMCOM_DEMO_PROOFS['22265577'].oneTimePassword],
      owner: { title: 'Mr', firstName: 'John', lastName: 'Doe', email: 'john.doe@example.test', phone: '+35799000001' },
      account: { id: '123456789', number: '400' },
      wallet: { id: 'WAL-0001', number: 'W0000000001', balance: '10.00' },
    },
    {
      id: 'RP-0002',
      number: '1002',
      accessTokens: ['22265578', '35799000002', 'maria.georgiou@example.test'],
      passCode: CRMCOM_DEMO_PROOFS['22265578'].passCode,
      oneTimePasswords: [CRMCOM_DEMO_PROOFS['22265578'].oneTimePassword],
      owner: { title: 'Ms', firstName: 'Maria', lastName: 'Georgiou', email: 'maria.georgiou@example.test', phone: '+35799000002' },
      account: { id: '123456790', number: '401' },
      wallet: { id: 'WAL-0002', number: 'W0000000002', balance: '0.00' },
    },
    {
      id: 'RP-0003',
      number: '1003',
      accessTokens: ['22265579', '35799000003', 'andreas.christou@example.test'],
      passCode: CRMCOM_DEMO_PROOFS['22265579'].passCode,
      oneTimePasswords: [CRMCOM_DEMO_PROOFS['22265579'].oneTimePassword],
      owner: { title: 'Mr', firstName: 'Andreas', lastName: 'Christou', email: 'andreas.christou@example.test', phone: '+35799000003' },
      account: { id: '123456791', number: '402' },
      wallet: { id: 'WAL-0003', number: 'W0000000003', balance: '0.50' },
    },
  ];
}

interface ParticipantState extends CrmcomParticipant {
  balanceCents: number;
}

interface PurchaseEvent {
  number: string;
  participant: ParticipantState;
  reference: string;
  totalCents: number;
  awardCents: number;
  /** What spend requests may still take from this purchase. */
  additionalCents: number;
  cancelled: boolean;
}

interface SpendRequestEvent {
  number: string;
  purchase: PurchaseEvent;
  spentCents: number;
  cancelled: boolean;
}

/** A refusal, sent as `status.code != "OK"` (HTTP 200 unless said otherwise). */
class CrmError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly description: string | null = null,
    readonly http: 200 | 400 | 401 | 404 = 200,
  ) {
    super(message);
  }
}

type Body = Record<string, unknown>;

export function createCrmcomSimulator(options: CrmcomSimulatorOptions = {}) {
  const users = options.users ?? [CRMCOM_DEMO_USER];
  const units = new Set(options.units ?? [CRMCOM_DEMO_UNIT]);
  const programme = options.programme ?? crmcomDemoProgramme();
  const now = options.now ?? Date.now;
  const tokenLifetimeMs = options.tokenLifetimeMs ?? CRMCOM_TOKEN_LIFETIME_MS;
  const participants: ParticipantState[] = (options.participants ?? crmcomDemoParticipants()).map((p) => ({
    ...structuredClone(p),
    balanceCents: cents(p.wallet.balance, 'wallet.balance'),
  }));
  const awardBasisPoints = BigInt(cents(programme.awardPercent, 'awardPercent'));
  const minSpendCents = cents(programme.minimumSpendPerTransaction, 'minimumSpendPerTransaction');
  const maxSpendCents = cents(programme.maximumSpendPerTransaction, 'maximumSpendPerTransaction');
  const purchases = new Map<string, PurchaseEvent>();
  const spendRequests = new Map<string, SpendRequestEvent>();
  // Event numbers start where the document's examples are, so its replies come out verbatim.
  let nextPurchase = 111;
  let nextSpendRequest = 294;
  let nextRewardTransaction = 205;
  let secret = randomBytes(32);

  const journal = new Journal();
  const app = new Hono();
  journal.attach(app);
  const faults = attachFaults(app);

  const ok = (c: Context, data: unknown) => c.json({ data, status: { message: null, description: null, code: 'OK' } });
  const refuse = (c: Context, e: CrmError) => c.json({ data: null, status: { message: e.message, description: e.description, code: e.code } }, e.http);

  /** One POST method: parses the body, checks the token (unless `open`), maps refusals to replies. */
  function method(path: string, handler: (body: Body) => unknown, open = false): void {
    app.post(`${CRMCOM_API_PATH}/${path}`, async (c) => {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return refuse(c, new CrmError('INVALID_REQUEST', 'The request body is not valid JSON.', null, 400));
      }
      try {
        if (!body || typeof body !== 'object' || Array.isArray(body)) throw new CrmError('INVALID_REQUEST', 'The request body must be a JSON object.', null, 400);
        if (!open) checkToken((body as Body).token);
        return ok(c, handler(body as Body));
      } catch (error) {
        if (error instanceof CrmError) return refuse(c, error);
        throw error;
      }
    });
  }

  app.notFound((c) => c.json({ data: null, status: { message: 'Unknown method.', description: c.req.path, code: 'NOT_FOUND' } }, 404));

  // ------------------------------------------------------------------ tokens
  function issueToken(user: CrmcomUser, unit: string | undefined): string {
    const iat = Math.floor(now() / 1000);
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = b64url(JSON.stringify({ sub: user.username, org: user.organisation, ...(unit ? { unit } : {}), iat, exp: iat + Math.floor(tokenLifetimeMs / 1000) }));
    return `${header}.${payload}.${sign(`${header}.${payload}`)}`;
  }

  function sign(input: string): string {
    return createHmac('sha256', secret).update(input).digest('base64url');
  }

  function checkToken(token: unknown): void {
    if (typeof token !== 'string' || token === '') throw new CrmError('INVALID_TOKEN', 'The token is mandatory.');
    const [header, payload, signature, extra] = token.split('.');
    const expected = header && payload ? Buffer.from(sign(`${header}.${payload}`)) : undefined;
    if (extra !== undefined || !expected || !signature || Buffer.from(signature).length !== expected.length || !timingSafeEqual(Buffer.from(signature), expected)) {
      throw new CrmError('INVALID_TOKEN', 'The token is not valid.');
    }
    const { exp } = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as { exp: number };
    if (exp * 1000 <= now()) throw new CrmError('INVALID_TOKEN', 'The token has expired.', 'Tokens expire two hours after they are issued; retrieve a new one.');
  }

  method(
    'authentication/token',
    (body) => {
      const user = users.find((u) => u.username === body.username && u.password === body.password && u.organisation === body.organisation);
      if (!user) throw new CrmError('AUTHENTICATION_FAILED', 'Invalid username, password or organisation.', null, 401);
      return { token: issueToken(user, typeof body.unit === 'string' ? body.unit : undefined) };
    },
    true,
  );

  // ------------------------------------------------------------------ participants
  function participantBy(identifier: unknown, what: string): ParticipantState {
    if (!identifier || typeof identifier !== 'object') throw new CrmError('MANDATORY_FIELD', `${what} is mandatory.`);
    const { id, number, access_token_identifier: accessToken } = identifier as Body;
    let found: ParticipantState | undefined;
    if (typeof id === 'string' || typeof number === 'string') {
      found = participants.find((p) => (id === undefined || p.id === id) && (number === undefined || p.number === number));
    } else if (accessToken && typeof accessToken === 'object') {
      found = byAccessToken(accessToken as Body);
    } else {
      throw new CrmError('MANDATORY_FIELD', `${what} needs an id, a number or an access_token_identifier.`);
    }
    if (!found) throw new CrmError('NOT_FOUND', 'Rewards participant not found.', `No rewards participant matches the specified ${what}.`);
    return found;
  }

  /**
   * The access token forms (crmcom-rewards-pos.txt:4-5 and :20-21: `authentication_code`;
   * NOTES.md § CRM.COM: or `identifier` + `pass_code`, or `one_time_password`).
   */
  function byAccessToken(token: Body): ParticipantState | undefined {
    const { authentication_code: code, identifier, pass_code: passCode, one_time_password: password } = token;
    const given = (value: unknown) => typeof value === 'string' && value !== '';
    if (given(code)) return participants.find((p) => p.accessTokens.includes(code as string));
    if (given(identifier)) {
      if (!given(passCode)) throw new CrmError('MANDATORY_FIELD', 'access_token_identifier.pass_code is mandatory with an identifier.');
      return participants.find((p) => p.accessTokens.includes(identifier as string) && p.passCode !== undefined && p.passCode === passCode);
    }
    if (given(password)) return participants.find((p) => p.oneTimePasswords?.includes(password as string));
    throw new CrmError('MANDATORY_FIELD', 'access_token_identifier needs an authentication_code, an identifier and a pass_code, or a one_time_password.');
  }

  function accountHolder(identifier: unknown): ParticipantState {
    if (!identifier || typeof identifier !== 'object') throw new CrmError('MANDATORY_FIELD', 'accounts_receivable_identifier is mandatory.');
    const { id, number } = identifier as Body;
    if (typeof id !== 'string' && typeof number !== 'string') throw new CrmError('MANDATORY_FIELD', 'accounts_receivable_identifier needs an id or a number.');
    const found = participants.find((p) => (id === undefined || p.account.id === id) && (number === undefined || p.account.number === number));
    if (!found) throw new CrmError('NOT_FOUND', 'Accounts receivable not found.', 'No accounts receivable matches the specified accounts_receivable_identifier.');
    return found;
  }

  /** The document's preview names the customer by rewards participant, create and spend by account: both work everywhere. */
  function customerOf(body: Body): ParticipantState {
    if (body.accounts_receivable_identifier !== undefined) return accountHolder(body.accounts_receivable_identifier);
    if (body.rewards_participant_identifier !== undefined) return participantBy(body.rewards_participant_identifier, 'rewards_participant_identifier');
    throw new CrmError('MANDATORY_FIELD', 'accounts_receivable_identifier or rewards_participant_identifier is mandatory.');
  }

  function participantView(p: ParticipantState) {
    const owner = `${p.owner.firstName} ${p.owner.lastName}`;
    return {
      id: p.id,
      number: p.number,
      life_cycle_state: 'ACTIVE',
      wallet: { id: p.wallet.id, number: p.wallet.number, balance: formatBalance(p.balanceCents), life_cycle_state: 'EFFECTIVE' },
      accounts_receivable: {
        life_cycle_state: 'ACTIVE',
        number: p.account.number,
        name: owner,
        id: p.account.id,
        account_owner: {
          name: owner,
          first_name: p.owner.firstName,
          last_name: p.owner.lastName,
          life_cycle_state: 'FINANCIAL',
          title: p.owner.title,
          type: 'PERSON',
          ...(p.owner.email ? { email: p.owner.email } : {}),
          ...(p.owner.phone ? { phone: p.owner.phone } : {}),
        },
      },
    };
  }

  method('rewards_participants/show', (body) => {
    const p = participantBy(body.rewards_participant_identifier, 'rewards_participant_identifier');
    return pick(participantView(p), body.fields_set);
  });

  // ------------------------------------------------------------------ purchases
  interface Sale {
    participant: ParticipantState;
    totalCents: number;
    awardCents: number;
    additionalCents: number;
  }

  function readSale(body: Body, needReference: boolean): Sale {
    const participant = customerOf(body);
    const unit = (body.performed_by_unit_identifier as Body | undefined)?.name;
    if (typeof unit !== 'string' || unit === '') throw new CrmError('MANDATORY_FIELD', 'performed_by_unit_identifier is mandatory.');
    if (!units.has(unit)) throw new CrmError('NOT_FOUND', 'Unit not found.', `No unit is named "${unit}".`);
    readDate(body.performed_on, 'performed_on');
    if (needReference && (typeof body.reference_number !== 'string' || body.reference_number === '')) throw new CrmError('MANDATORY_FIELD', 'reference_number is mandatory.');
    const products = body.products_set;
    if (!Array.isArray(products) || products.length === 0) throw new CrmError('MANDATORY_FIELD', 'products_set is mandatory.');
    let totalCents = 0;
    let eligibleNetCents = 0;
    products.forEach((item: unknown, i) => {
      const line = (item ?? {}) as Body;
      const code = (line.product_identifier as Body | undefined)?.code;
      // Unknown codes go to the default product (the document's note): any code is accepted.
      if (typeof code !== 'string' || code === '') throw new CrmError('MANDATORY_FIELD', `products_set[${i}].product_identifier.code is mandatory.`);
      if (typeof line.quantity !== 'number' || !(line.quantity > 0)) throw new CrmError('INVALID_VALUE', `products_set[${i}].quantity must be a positive number.`);
      const total = amount(line.total_amount, `products_set[${i}].total_amount`);
      const vat = line.vat_amount === undefined ? 0 : amount(line.vat_amount, `products_set[${i}].vat_amount`);
      // Net and VAT are taken as sent: the document's own example has net + VAT ≠ total.
      const net = line.net_amount === undefined ? total - vat : amount(line.net_amount, `products_set[${i}].net_amount`);
      totalCents += total;
      if (!programme.excludedProducts.includes(code)) eligibleNetCents += net;
    });
    const awardCents = Number((BigInt(eligibleNetCents) * awardBasisPoints + 5000n) / 10000n);
    const cap = Math.min(participant.balanceCents, maxSpendCents, totalCents);
    return { participant, totalCents, awardCents, additionalCents: cap >= minSpendCents ? cap : 0 };
  }

  const spendLimits = (p: ParticipantState) => ({
    minimum_spend_amount_per_transaction: formatAmount(minSpendCents),
    maximum_spend_amount_per_transaction: formatAmount(maxSpendCents),
    wallet_balance: formatAmount(p.balanceCents),
  });

  method('customer_events/purchases/preview', (body) => {
    const sale = readSale(body, false);
    return pick(
      {
        total_additional_spend_amount: formatAmount(sale.additionalCents),
        total_automatic_spend_amount: 0,
        total_instant_spend_amount: 0,
        total_award_amount: formatAmount(sale.awardCents),
        reduction_method: 'FRONT_END_REDUCTION',
        ...spendLimits(sale.participant),
      },
      body.fields_set,
    );
  });

  method('customer_events/purchases/create', (body) => {
    const sale = readSale(body, true);
    const purchase: PurchaseEvent = {
      number: String(nextPurchase++),
      participant: sale.participant,
      reference: body.reference_number as string,
      totalCents: sale.totalCents,
      awardCents: sale.awardCents,
      additionalCents: sale.additionalCents,
      cancelled: false,
    };
    purchases.set(purchase.number, purchase);
    // Always processed immediately here (the document: "in most cases processing is immediately").
    sale.participant.balanceCents += sale.awardCents;
    return pick(
      {
        number: purchase.number,
        reference_number: purchase.reference,
        life_cycle_state: 'POSTED',
        // The example reply names it `total_awarded_amount`; the closing step says `total_award_amount`.
        total_awarded_amount: formatAmount(sale.awardCents),
        total_award_amount: formatAmount(sale.awardCents),
        total_spend_amount: 0,
        total_instant_spend_amount: 0,
        total_automatic_spend_amount: 0,
        total_additional_spend_amount: formatAmount(sale.additionalCents),
        reduction_method: 'FRONT_END_REDUCTION',
      },
      body.fields_set,
    );
  });

  method('customer_events/purchases/cancel', (body) => {
    const purchase = purchases.get(eventNumber(body.customer_event_identifier, 'customer_event_identifier'));
    if (!purchase) throw new CrmError('NOT_FOUND', 'Purchase customer event not found.');
    if (purchase.cancelled) throw new CrmError('INVALID_STATE', 'The purchase customer event is already cancelled.');
    if ([...spendRequests.values()].some((s) => s.purchase === purchase && !s.cancelled)) {
      throw new CrmError('INVALID_STATE', 'Cancel the spend requests of this purchase first.');
    }
    purchase.cancelled = true;
    purchase.participant.balanceCents -= purchase.awardCents;
    return { number: purchase.number, life_cycle_state: 'CANCELLED' };
  });

  // ------------------------------------------------------------------ spend requests
  method('customer_events/spend_requests/create', (body) => {
    const participant = customerOf(body);
    const unit = (body.performed_by_unit_identifier as Body | undefined)?.name;
    if (typeof unit !== 'string' || !units.has(unit)) throw new CrmError(unit ? 'NOT_FOUND' : 'MANDATORY_FIELD', unit ? 'Unit not found.' : 'performed_by_unit_identifier is mandatory.');
    readDate(body.performed_on, 'performed_on');
    const requested = amount(body.spend_amount, 'spend_amount');
    if (requested <= 0) throw new CrmError('INVALID_VALUE', 'spend_amount must be greater than zero.');
    const purchase = purchases.get(eventNumber(body.purchase_customer_request_identifier, 'purchase_customer_request_identifier'));
    if (!purchase || purchase.participant !== participant) throw new CrmError('NOT_FOUND', 'Purchase customer event not found.');
    if (purchase.cancelled) throw new CrmError('INVALID_STATE', 'The purchase customer event is cancelled.');
    if (requested > participant.balanceCents) {
      throw new CrmError('INSUFFICIENT_BALANCE', 'The wallet balance is not enough.', `Requested ${formatBalance(requested)}, wallet balance ${formatBalance(participant.balanceCents)}.`);
    }
    if (requested < minSpendCents) {
      throw new CrmError('INVALID_VALUE', `The minimum spend amount per transaction is ${formatBalance(minSpendCents)}.`);
    }
    // The document: the actual amount spent "might be different than the amount that was requested".
    const spent = Math.min(requested, purchase.additionalCents);
    if (spent <= 0) throw new CrmError('INVALID_STATE', 'Nothing can be spent on this purchase.');
    purchase.additionalCents -= spent;
    participant.balanceCents -= spent;
    const request: SpendRequestEvent = { number: String(nextSpendRequest++), purchase, spentCents: spent, cancelled: false };
    spendRequests.set(request.number, request);
    return pick(
      {
        number: request.number,
        spend_amount: formatAmount(requested),
        reduction_method: 'FRONT_END_REDUCTION',
        spend_reward_transaction: {
          number: String(nextRewardTransaction++),
          total_amount: formatAmount(spent),
          // The document's example reply spells it `total_number`; both are sent.
          total_number: formatAmount(spent),
          net_amount: formatAmount(spent),
          vat_amount: 0,
          life_cycle_state: 'POSTED',
        },
      },
      body.fields_set,
    );
  });

  method('customer_events/spend_requests/cancel', (body) => {
    const request = spendRequests.get(eventNumber(body.customer_event_identifier, 'customer_event_identifier'));
    if (!request) throw new CrmError('NOT_FOUND', 'Spend request customer event not found.');
    if (request.cancelled) throw new CrmError('INVALID_STATE', 'The spend request is already cancelled.');
    request.cancelled = true;
    request.purchase.additionalCents += request.spentCents;
    request.purchase.participant.balanceCents += request.spentCents;
    return { number: request.number, life_cycle_state: 'CANCELLED' };
  });

  const find = (code: string) => participants.find((p) => p.accessTokens.includes(code) || p.number === code || p.id === code);

  return {
    app,
    journal,
    /** Injected failures (`faults.add({ kind: 'commit-then-drop', path: … })`). */
    faults,
    /** Test access: a participant's wallet balance as the API writes it ("10.00"), by code, number or id. */
    balance: (code: string) => {
      const p = find(code);
      return p ? formatBalance(p.balanceCents) : undefined;
    },
    /** Test access: sets a wallet balance (another till spent it meanwhile). */
    setBalance: (code: string, balance: string) => {
      const p = find(code);
      if (!p) throw new Error(`No participant ${code}`);
      p.balanceCents = cents(balance, 'balance');
    },
    purchases: () => [...purchases.values()].map(({ participant, ...rest }) => ({ ...rest, participant: participant.id })),
    spendRequests: () => [...spendRequests.values()].map(({ purchase, ...rest }) => ({ ...rest, purchase: purchase.number })),
    /** Invalidates every token issued so far (a server restart): the next call gets `INVALID_TOKEN`. */
    revokeTokens: () => {
      secret = randomBytes(32);
    },
  };
}

// ------------------------------------------------------------------ decimals (integer cents inside)
const DECIMAL = /^\d+(\.\d{1,2})?$/;

/** Configuration decimals ("10.00", "1") → cents; a bad seed is a programming error. */
function cents(value: string, what: string): number {
  if (!DECIMAL.test(value)) throw new Error(`Bad decimal for ${what}: ${value}`);
  const [whole, fraction = ''] = value.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/**
 * A request amount → cents. Numbers or strings with at most two decimals are accepted; float
 * noise such as 0.30000000000000004 is refused, as a system that stores cents would.
 */
function amount(value: unknown, field: string): number {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined) throw new CrmError(value === undefined ? 'MANDATORY_FIELD' : 'INVALID_VALUE', value === undefined ? `${field} is mandatory.` : `${field} must be a decimal amount.`);
  if (!DECIMAL.test(text)) throw new CrmError('INVALID_VALUE', `${field} must be a positive amount with at most two decimals.`, `Received ${text}.`);
  return cents(text, field);
}

/** Cents → the JSON number the API writes (790 → 7.9, 8 → 0.08). */
function formatAmount(value: number): number {
  return value / 100;
}

/** Cents → the wallet's string form ("10.00"). */
function formatBalance(value: number): string {
  const sign = value < 0 ? '-' : '';
  const abs = String(Math.abs(value)).padStart(3, '0');
  return `${sign}${abs.slice(0, -2)}.${abs.slice(-2)}`;
}

function readDate(value: unknown, field: string): void {
  if (value === undefined) throw new CrmError('MANDATORY_FIELD', `${field} is mandatory.`);
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(value)) {
    throw new CrmError('INVALID_VALUE', `${field} must be a date and time such as 2017-06-22T15:00:00.`);
  }
}

function eventNumber(identifier: unknown, field: string): string {
  const number = identifier && typeof identifier === 'object' ? (identifier as Body).number : undefined;
  if (typeof number !== 'string' || number === '') throw new CrmError('MANDATORY_FIELD', `${field}.number is mandatory.`);
  return number;
}

/** `fields_set`: a comma-separated list (the document's examples wrap it over lines) of top-level fields to return. */
function pick<T extends Record<string, unknown>>(data: T, fieldsSet: unknown): Partial<T> {
  if (typeof fieldsSet !== 'string' || fieldsSet.trim() === '') return data;
  const wanted = new Set(fieldsSet.split(',').map((f) => f.trim()).filter(Boolean));
  return Object.fromEntries(Object.entries(data).filter(([key]) => wanted.has(key))) as Partial<T>;
}

function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
