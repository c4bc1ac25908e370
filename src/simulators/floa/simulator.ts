import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { attachFaults } from '../faults.js';
import { Journal } from '../journal.js';
import { floaDemoOutcomes, type FloaOutcome } from './demo-customers.js';
import { KO, readEligibilityRequest, type ReadRequest } from './rules.js';

export { KO as FLOA_KO } from './rules.js';
export { floaDemoIdentities, floaDemoOutcomes, type FloaDemoIdentity, type FloaOutcome } from './demo-customers.js';

/**
 * A simulator of FLOA's buy-now-pay-later API (`shared/providers/floa-eligibility.txt`,
 * NOTES.md § FLOA), served by one Hono app (FLOA splits it over an eligibility host and a
 * payment gateway host; only base URLs differ):
 *
 * - `GET /v1/auth/token`, `authorization: base64(login:password)` (a "Basic " prefix is
 *   refused, as NOTES says there is none) → a JSON string token (32 hex), valid 48 h. Every
 *   other API call needs it in `authToken` (401 otherwise).
 * - `POST /api/{v1|v4}/eligibilities?merchantId=&merchantSiteIds=` (one or several sites,
 *   comma-separated or repeated) → `{eligibilities: [...]}`, one entry per site: OK (token,
 *   totalAmount, paymentOptionReference, links), not eligible (`hasAgreement: false`) or KO
 *   (`purchaseType: "Undefined"`, `errors[]`, from the document's per-country rules; see rules.ts).
 *   The outcome of a valid request is decided by the customer's e-mail (`outcomes`):
 *   eligible, not eligible, KO or slow; an amount outside a site's range is not eligible.
 * - Links: `create-payment-session`, the card payment links of the example (not simulated:
 *   501), `get-eligibility-installment-plan`, and for 10X `continue-long-term-consumer-credit-process`
 *   (a payment page, since 10X has no payment session).
 * - `POST /v1/payment-sessions` → `{operationSucceeded, paymentSessionUrl, paymentSessionId}`;
 *   the token must be an eligible one of that site and the amount its totalAmount.
 * - The payment page (`paymentSessionUrl`) with pay / refuse / cancel: posts the signed form
 *   notification to `notificationUrl` (retried up to 4 times until HTTP 200), then sends the
 *   shopper to `merchantReturnUrl` (the same form, POSTed by the browser) or, on cancel, to
 *   `merchantBackUrl`.
 * - `GET /v1/payment-sessions/{id}/paymentResult/` → `{returnCode, amount, orderRef, …}`
 *   (names as in the notification; the reply's shape is not documented: `resultFields`).
 * - Not FLOA's: `GET /simulated/long-term-results/{merchantId}/{merchantSiteId}/{orderRef}`, a
 *   10X result in the same shape (the documents give no way to read one back).
 *
 * Fees and schedules (ours, deterministic): fees = financed amount × the site's rate, paid with
 * the first instalment; instalments a month apart; pay later due `reportDelayInDays` later.
 * Amounts are integer cents (floa-eligibility.txt:41, NOTES). Each route and rule below names
 * the line of floa-eligibility.txt or the NOTES.md § FLOA fact it follows, or says it is ours.
 * Nothing here is shared with the adapter but types: its sealing, rules and replies are its own.
 */

export interface FloaSite {
  id: string;
  purchaseType: string;
  paymentOptionRef: '81' | '63' | '98' | '94';
  instalments: number;
  /** Fees in hundredths of a percent of the financed amount (220 = 2.2 %). */
  feesBps: number;
  /** Financed amount range in cents; outside it the customer is not eligible. */
  minAmount: number;
  maxAmount: number;
  /**
   * The country the site serves (ours: the documents do not say how FLOA ties sites to
   * countries). When set, a request whose home address is in another country is KO, so a
   * shopper sent to another country's site shows up in tests.
   */
  country?: string;
}

export interface FloaSimulatorOptions {
  login?: string;
  password?: string;
  merchantId?: string;
  sites?: FloaSite[];
  /**
   * Merchant secret sealing notifications. NOTES says "HMAC-SHA1 with the merchant secret" and
   * not how it becomes a key: both are served. The demo merchant's 40 hex digits are used as
   * 20 bytes (`hex`, the default here); `utf8` uses the secret's text, the adapter's default.
   */
  hmacSecret?: string;
  hmacKeyEncoding?: 'hex' | 'utf8';
  /** Lower-case e-mail → outcome of a valid eligibility request. */
  outcomes?: Record<string, FloaOutcome>;
  /** Outcome for e-mails not in `outcomes` (default: eligible). */
  defaultOutcome?: FloaOutcome;
  /** Error texts of a KO outcome (default: an identity check failure). */
  koErrors?: string[];
  /** How long a slow outcome makes the eligibility call wait. */
  slowMs?: number;
  tokenTtlMs?: number;
  /** Clock in milliseconds (tests move it to expire tokens). */
  now?: () => number;
  /**
   * Field names of the installment plan reply, which the document does not show (default
   * `{list: 'schedules', date: 'date', amount: 'amount'}`, the adapter's defaults).
   */
  installmentPlanFields?: { list: string; date: string; amount: string };
  /** Field names of the payment result reply (not documented; default: the notification's names). */
  resultFields?: { returnCode: string; amount: string; orderRef: string };
  /** Absolute base of the links and payment pages; default: the request's origin. */
  publicUrl?: string;
  notificationRetryDelayMs?: number;
}

export const FLOA_DEMO_LOGIN = 'demo-floa-login';
export const FLOA_DEMO_PASSWORD = 'demo-floa-password';
export const FLOA_DEMO_MERCHANT_ID = '38';
export const FLOA_DEMO_HMAC_SECRET = 'B1A2C3D4E5F60718293A4B5C6D7E8F9001122334';
/** The simulator's stand-in for a 10X result read-back (`longTermResultPath`): not a FLOA path. */
export const FLOA_SIM_LONG_TERM_RESULT_PATH = '/simulated/long-term-results/{merchantId}/{merchantSiteId}/{orderRef}';

/**
 * Proxy `instalments` settings that talk to this simulator with its demo merchant: per
 * country, one site per offer (3x, 4x; in France also 10x and pay later). Used by the demo and
 * the tests; `overrides` win.
 */
export function floaDemoOptions(baseUrl: string, overrides: Record<string, unknown> = {}) {
  return {
    provider: 'floa' as const,
    baseUrl,
    login: FLOA_DEMO_LOGIN,
    password: FLOA_DEMO_PASSWORD,
    merchantId: FLOA_DEMO_MERCHANT_ID,
    sites: floaDemoSiteConfig(),
    hmacSecret: FLOA_DEMO_HMAC_SECRET,
    // The demo merchant's secret is used as hex bytes (the simulator's default, `hmacKeyEncoding`).
    hmacKeyEncoding: 'hex',
    longTermResultPath: FLOA_SIM_LONG_TERM_RESULT_PATH,
    ...overrides,
  };
}

/** The demo sites as the adapter's `sites` option: country → payment option → site id. */
export function floaDemoSiteConfig(): Record<string, Record<string, string>> {
  const config: Record<string, Record<string, string>> = {};
  for (const site of floaDemoSites()) (config[site.country!] ??= {})[site.paymentOptionRef] = site.id;
  return config;
}

/** The demo merchant's sites, one per country and payment option (7017 is the document's Cb4X site, floa-eligibility.txt:353). */
export function floaDemoSites(): FloaSite[] {
  const split = (country: string, prefix: string): FloaSite[] => [
    { id: `${prefix}13`, purchaseType: 'Cb3X', paymentOptionRef: '81', instalments: 3, feesBps: 145, minAmount: 5000, maxAmount: 300000, country },
    { id: `${prefix}17`, purchaseType: 'Cb4X', paymentOptionRef: '63', instalments: 4, feesBps: 220, minAmount: 5000, maxAmount: 300000, country },
  ];
  return [
    ...split('FR', '70'),
    // 10X is French only (floa-eligibility.txt:97-100: its URLs are "NA" elsewhere).
    { id: '7110', purchaseType: 'Lcc10X', paymentOptionRef: '98', instalments: 10, feesBps: 600, minAmount: 30000, maxAmount: 800000, country: 'FR' },
    { id: '7194', purchaseType: 'Cb1XD', paymentOptionRef: '94', instalments: 1, feesBps: 100, minAmount: 3000, maxAmount: 150000, country: 'FR' },
    ...split('ES', '72'),
    ...split('IT', '73'),
    ...split('PT', '74'),
    ...split('BE', '75'),
  ];
}

interface PlanItem {
  rank: number;
  date: string;
  amount: number;
}

interface EligibilityRecord {
  token: string;
  requestId: number;
  site: FloaSite;
  request: ReadRequest;
  fees: number;
  totalAmount: number;
  plan: PlanItem[];
  /** 10X: its page (no payment session). */
  longTermSessionId?: string;
}

type SessionState = 'open' | 'paid' | 'refused' | 'cancelled';

export interface FloaSimSession {
  id: string;
  kind: 'session' | 'long-term';
  site: FloaSite;
  orderRef: string;
  amount: number;
  fees: number;
  scoringToken: string;
  customerRef: string;
  country: string;
  urls: { home: string; back: string; return: string; notification: string };
  state: SessionState;
  returnCode?: number;
  plan: PlanItem[];
  /** The sealed fields sent to the notification URL and the return URL. */
  resultFields?: Array<[string, string]>;
}

export interface FloaSimNotification {
  url: string;
  fields: Array<[string, string]>;
  attempts: number;
  delivered: boolean;
}

/** NOTES § FLOA: returnCode 0 OK, 1 refused, 6 cancelled (4 pending while the shopper has not acted). */
const RETURN_CODES: Record<Exclude<SessionState, 'open'>, number> = { paid: 0, refused: 1, cancelled: 6 };
const ACTIONS: Record<string, Exclude<SessionState, 'open'>> = { pay: 'paid', refuse: 'refused', cancel: 'cancelled' };

export function createFloaSimulator(options: FloaSimulatorOptions = {}) {
  const login = options.login ?? FLOA_DEMO_LOGIN;
  const password = options.password ?? FLOA_DEMO_PASSWORD;
  const merchantId = options.merchantId ?? FLOA_DEMO_MERCHANT_ID;
  const sites = new Map((options.sites ?? floaDemoSites()).map((s) => [s.id, s]));
  const secret = options.hmacSecret ?? FLOA_DEMO_HMAC_SECRET;
  const key = options.hmacKeyEncoding === 'utf8' ? Buffer.from(secret, 'utf8') : Buffer.from(secret, 'hex');
  const outcomes = new Map(Object.entries(options.outcomes ?? floaDemoOutcomes()).map(([email, o]) => [email.toLowerCase(), o]));
  const now = options.now ?? Date.now;
  const tokenTtlMs = options.tokenTtlMs ?? 48 * 3600_000;
  const slowMs = options.slowMs ?? 15_000;
  const retryDelayMs = options.notificationRetryDelayMs ?? 500;
  const resultFields = { returnCode: 'returnCode', amount: 'amount', orderRef: 'orderRef', ...options.resultFields };
  const planFields = { list: 'schedules', date: 'date', amount: 'amount', ...options.installmentPlanFields };
  const expectedAuthorization = Buffer.from(`${login}:${password}`, 'utf8').toString('base64');

  const tokens = new Map<string, number>();
  const eligibilities = new Map<string, EligibilityRecord>();
  const byRequestId = new Map<number, EligibilityRecord>();
  const sessions = new Map<string, FloaSimSession>();
  const notifications: FloaSimNotification[] = [];
  let nextRequestId = 694035;

  const journal = new Journal();
  const app = new Hono();
  journal.attach(app);
  const faults = attachFaults(app);

  const origin = (c: Context) => (options.publicUrl ?? new URL(c.req.url).origin).replace(/\/$/, '');
  const siteIdOut = (id: string) => (/^\d+$/.test(id) ? Number(id) : id);

  // ---------------------------------------------------------------- auth
  // NOTES § FLOA: `GET /v1/auth/token`, `authorization: base64(login:password)` without "Basic",
  // a JSON string token valid 48 h. The 403 of wrong credentials is ours.
  app.get('/v1/auth/token', (c) => {
    if (c.req.header('authorization') !== expectedAuthorization) return c.json({ errors: ['Your credentials are incorrect, access denied.'] }, 403);
    const token = randomBytes(16).toString('hex');
    tokens.set(token, now() + tokenTtlMs);
    return c.json(token);
  });

  // floa-eligibility.txt:18 ("authToken: the token retrieved via the call to the authentication
  // service"); NOTES: "sent as authToken". The 401 for a missing or expired one is ours.
  const requireToken = async (c: Context, next: () => Promise<void>) => {
    if (c.req.path === '/v1/auth/token') return next();
    const token = c.req.header('authToken') ?? '';
    const expiresAt = tokens.get(token);
    if (expiresAt === undefined || expiresAt <= now()) return c.json({ errors: ['The authentication token is missing or expired.'] }, 401);
    return next();
  };
  app.use('/api/*', requireToken);
  app.use('/v1/*', requireToken);

  // ---------------------------------------------------------------- eligibility
  // floa-eligibility.txt:11-15: `POST …/api/v1/eligibilities?merchantId=&merchantSiteIds=`;
  // NOTES: live clients call `v4`. Both served (the document and NOTES disagree).
  for (const version of ['v1', 'v4']) {
    for (const path of [`/api/${version}/eligibilities`, `/api/${version}/eligibilities/`]) {
      app.post(path, async (c) => {
        if (c.req.query('merchantId') !== merchantId) return c.json({ errors: ['Your credentials are incorrect, access denied.'] }, 403);
        const siteIds = (c.req.queries('merchantSiteIds') ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
        if (siteIds.length === 0) return c.json({ errors: ['merchantSiteIds is mandatory.'] }, 400);
        let body: unknown;
        try {
          body = await c.req.json();
        } catch {
          return c.json({ errors: ['The request body is not valid JSON.'] }, 400);
        }
        const read = readEligibilityRequest(body);
        const outcome = read.request ? (outcomes.get(read.request.email) ?? options.defaultOutcome ?? 'eligible') : undefined;
        if (outcome === 'slow') await new Promise((resolve) => setTimeout(resolve, slowMs).unref());
        const base = origin(c);
        return c.json({ eligibilities: siteIds.map((id) => eligibilityEntry(id, read, outcome, base, version)) });
      });
    }
  }

  /**
   * One entry of the reply per site: OK (floa-eligibility.txt:343-378), not eligible (:379-390)
   * or KO (:391-403, `purchaseType: "Undefined"` and `errors`); fields as described at :405-415.
   */
  function eligibilityEntry(siteId: string, read: ReturnType<typeof readEligibilityRequest>, outcome: FloaOutcome | undefined, base: string, version: string) {
    const requestId = nextRequestId++;
    const site = sites.get(siteId);
    const ko = (errors: string[]) => ({ requestId, purchaseType: 'Undefined', merchantSiteId: siteIdOut(siteId), errors });
    if (!site) return ko([`Merchant site ${siteId} is unknown for merchant ${merchantId}.`]);
    if (!read.request) return ko(read.errors);
    const request = read.request;
    if (site.country && site.country !== request.country) return ko([KO.siteCountry(site.id, site.country)]);
    // floa-eligibility.txt:36, 97-100: the merchantSite URLs are mandatory for 10X.
    if (site.paymentOptionRef === '98' && !request.merchantSite) return ko([KO.merchantSite]);
    // floa-eligibility.txt:32 (reportDelayInDays, pay later); NOTES: pay later is 1–30 days.
    const delay = request.reportDelayInDays;
    if (site.paymentOptionRef === '94' && (delay === undefined || delay < 1 || delay > 30)) return ko([KO.reportDelay]);
    if (outcome === 'ko') return ko(options.koErrors ?? [`Customer identity could not be verified. Contact FLOA support with requestId ${requestId}.`]);

    // floa-eligibility.txt:409: totalAmount is the order amount + FLOA's fees.
    const { fees, total, plan } = planFor(site, request.rawAmount, now(), delay);
    const common = { totalAmount: total, requestId, purchaseType: site.purchaseType, merchantSiteId: siteIdOut(site.id) };
    // Ours: a site's amount range (the documents give none).
    if (outcome === 'not-eligible' || request.rawAmount < site.minAmount || request.rawAmount > site.maxAmount) {
      return { hasAgreement: false, ...common };
    }
    const token = randomUUID();
    const record: EligibilityRecord = { token, requestId, site, request, fees, totalAmount: total, plan };
    eligibilities.set(token, record);
    byRequestId.set(requestId, record);
    const planLink = {
      href: `${base}/api/${version}/eligibility-installment-plans?merchantId=${merchantId}&merchantSiteId=${site.id}&requestId=${requestId}`,
      rel: 'get-eligibility-installment-plan',
      method: 'GET',
    };
    let links;
    if (site.paymentOptionRef === '98') {
      // NOTES: 10X continues at the `continue-long-term-consumer-credit-process` link instead of
      // a payment session, with the URLs of `merchantSite` (floa-eligibility.txt:97-100).
      const session = openSession(record, 'long-term', request.reference, request.customerReference, request.country, {
        home: request.merchantSite!.homeUrl,
        back: request.merchantSite!.backUrl,
        return: request.merchantSite!.returnUrl,
        notification: request.merchantSite!.notificationUrl,
      });
      record.longTermSessionId = session.id;
      links = [{ href: `${base}/pay/${session.id}`, rel: 'continue-long-term-consumer-credit-process', method: 'GET' }, planLink];
    } else {
      // floa-eligibility.txt:354-375: the links of the OK example.
      links = [
        { href: `${base}/v1/payment-sessions`, rel: 'create-payment-session', method: 'POST' },
        { href: `${base}/v1/payments/card-payment`, rel: 'pay-without-3d', method: 'POST' },
        { href: `${base}/v1/payments/card3ds-payment`, rel: 'check-3d-enrollment', method: 'POST' },
        planLink,
      ];
    }
    // floa-eligibility.txt:408 (token), :411 (paymentOptionReference, NOTES: 3X=81, 4X=63, 10X=98, pay later=94).
    return { token, hasAgreement: true, ...common, paymentOptionReference: site.paymentOptionRef, links };
  }

  // floa-eligibility.txt:371-373: the eligibility's `get-eligibility-installment-plan` link,
  // GET, with merchantId, merchantSiteId and requestId in its query. Its reply's shape is not
  // documented: `{<list>: [{rank, <date>, <amount>}]}`, the names set by `installmentPlanFields`.
  for (const version of ['v1', 'v4']) {
    app.get(`/api/${version}/eligibility-installment-plans`, (c) => {
      const record = byRequestId.get(Number(c.req.query('requestId')));
      if (!record || c.req.query('merchantSiteId') !== record.site.id || c.req.query('merchantId') !== merchantId) {
        return c.json({ errors: ['Unknown eligibility request.'] }, 404);
      }
      const items = record.plan.map((item) => ({ rank: item.rank, [planFields.date]: planOut(item).date, [planFields.amount]: item.amount }));
      return c.json({ [planFields.list]: items });
    });
  }

  // Card payments are in the document's links (floa-eligibility.txt:361-368) but outside this project.
  app.post('/v1/payments/card-payment', (c) => c.json({ errors: ['Card payments are not simulated.'] }, 501));
  app.post('/v1/payments/card3ds-payment', (c) => c.json({ errors: ['Card payments are not simulated.'] }, 501));

  // ---------------------------------------------------------------- payment sessions
  // NOTES § FLOA: `POST /v1/payment-sessions {merchantId, merchantSiteId, customer, orderData{orderRef,
  // amount, scoringToken, …}, configuration{…}}` → `{operationSucceeded, paymentSessionUrl,
  // paymentSessionId}`. The error texts are ours.
  app.post('/v1/payment-sessions', async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    const fail = (...errors: string[]) => c.json({ operationSucceeded: false, errors });
    if (!body) return fail('The request body is not valid JSON.');
    const order = (body.orderData ?? {}) as Record<string, unknown>;
    const config = (body.configuration ?? {}) as Record<string, unknown>;
    const customer = (body.customer ?? {}) as Record<string, unknown>;
    if (String(body.merchantId) !== merchantId) return fail('Unknown merchant.');
    const site = sites.get(String(body.merchantSiteId));
    if (!site) return fail(`Merchant site ${String(body.merchantSiteId)} is unknown.`);
    // floa-eligibility.txt:408: the eligibility token "has to be sent to the payment session call".
    const record = eligibilities.get(String(order.scoringToken));
    if (!record || record.site.id !== site.id) return fail('The scoring token is unknown for this merchant site.');
    const errors: string[] = [];
    if (site.paymentOptionRef === '98') errors.push('10X payment continues with the continue-long-term-consumer-credit-process link.');
    // floa-eligibility.txt:409: totalAmount is the "amount to use in the payment session call".
    if (order.amount !== record.totalAmount) errors.push(`The amount must be the eligibility totalAmount (${record.totalAmount}).`);
    // Ours: the order reference in the shopping cart reference's alphabet (floa-eligibility.txt:40).
    if (typeof order.orderRef !== 'string' || !/^[A-Za-z0-9_]{1,30}$/.test(order.orderRef)) errors.push('orderRef is mandatory. Only letters, numbers and _ are accepted (30 characters max).');
    // floa-eligibility.txt:411: the paymentOptionReference "to send to the payment session service".
    if (String(config.paymentOptionRef) !== site.paymentOptionRef) errors.push(`paymentOptionRef must be ${site.paymentOptionRef} for this merchant site.`);
    for (const field of ['merchantReturnUrl', 'merchantBackUrl', 'notificationUrl']) {
      if (typeof config[field] !== 'string' || !URL.canParse(config[field] as string)) errors.push(`${field} is mandatory.`);
    }
    const customerRef = String(customer.customerRef ?? customer.reference ?? '');
    if (!customerRef || typeof customer.email !== 'string') errors.push('customer is mandatory (customerRef, email).');
    if (errors.length) return fail(...errors);

    // Ours: one session per token (a second request gets the open one back).
    const existing = [...sessions.values()].find((s) => s.scoringToken === record.token);
    if (existing && existing.state !== 'open') return fail('This scoring token was already used.');
    const session =
      existing ??
      openSession(record, 'session', order.orderRef as string, customerRef, String(config.country ?? record.request.country), {
        home: String(config.merchantHomeUrl ?? config.merchantBackUrl),
        back: String(config.merchantBackUrl),
        return: String(config.merchantReturnUrl),
        notification: String(config.notificationUrl),
      });
    return c.json({ operationSucceeded: true, paymentSessionUrl: `${origin(c)}/pay/${session.id}`, paymentSessionId: session.id });
  });

  function openSession(record: EligibilityRecord, kind: FloaSimSession['kind'], orderRef: string, customerRef: string, country: string, urls: FloaSimSession['urls']): FloaSimSession {
    const session: FloaSimSession = {
      id: randomUUID(),
      kind,
      site: record.site,
      orderRef,
      amount: record.totalAmount,
      fees: record.fees,
      scoringToken: record.token,
      customerRef,
      country,
      urls,
      state: 'open',
      plan: record.plan,
    };
    sessions.set(session.id, session);
    return session;
  }

  /**
   * A payment's result. NOTES § FLOA gives the path, not the reply: it carries the facts the
   * notification names (`orderRef`, `amount`, `returnCode`), under `resultFields` names.
   */
  const resultReply = (session: FloaSimSession) => ({
    [resultFields.orderRef]: session.orderRef,
    merchantId,
    merchantSiteId: session.site.id,
    paymentOptionRef: session.site.paymentOptionRef,
    // 4 (pending) until the shopper has acted.
    [resultFields.returnCode]: session.returnCode ?? 4,
    [resultFields.amount]: session.amount,
  });
  // NOTES § FLOA: "result at GET /v1/payment-sessions/{id}/paymentResult/" (also without the slash).
  const resultOf = (c: Context) => {
    const session = sessions.get(c.req.param('id') ?? '');
    if (!session || session.kind !== 'session') return c.json({ errors: ['Unknown payment session.'] }, 404);
    return c.json(resultReply(session));
  };
  app.get('/v1/payment-sessions/:id/paymentResult/', resultOf);
  app.get('/v1/payment-sessions/:id/paymentResult', resultOf);

  // 10X: NOTES gives no way to read its result back. Not FLOA's: a stand-in, on a path that says
  // so, for the adapter's `longTermResultPath` (FLOA_SIM_LONG_TERM_RESULT_PATH).
  app.use('/simulated/*', requireToken);
  app.get('/simulated/long-term-results/:merchantId/:siteId/:orderRef', (c) => {
    const session = [...sessions.values()].reverse().find((s) => s.kind === 'long-term' && s.orderRef === c.req.param('orderRef') && s.site.id === c.req.param('siteId'));
    if (!session || c.req.param('merchantId') !== merchantId) return c.json({ errors: ['Unknown order.'] }, 404);
    return c.json(resultReply(session));
  });

  // ---------------------------------------------------------------- the shopper's payment page
  app.get('/pay/:id', (c) => {
    const session = sessions.get(c.req.param('id'));
    if (!session) return c.html(page('Unknown payment', '<p>This payment session does not exist.</p>'), 404);
    if (session.state !== 'open') return finish(c, session);
    const rows = session.plan.map((item) => `<tr><td>${item.date}</td><td>${euros(item.amount)}</td></tr>`).join('');
    const base = origin(c);
    const button = (action: string, label: string) =>
      `<form method="post" action="${base}/pay/${session.id}/${action}"><button type="submit" name="action" value="${action}">${label}</button></form>`;
    return c.html(
      page(
        'FLOA — simulated payment',
        `<p>Order <strong>${esc(session.orderRef)}</strong> — ${esc(session.site.purchaseType)}</p>
<p>Total <strong data-total="${session.amount}">${euros(session.amount)}</strong>, of which fees ${euros(session.fees)}</p>
<table><thead><tr><th>Due</th><th>Amount</th></tr></thead><tbody>${rows}</tbody></table>
${button('pay', 'Pay')}${button('refuse', 'Refuse (simulate a declined payment)')}${button('cancel', 'Cancel and go back')}`,
      ),
    );
  });

  app.post('/pay/:id/:action', async (c) => {
    const session = sessions.get(c.req.param('id'));
    const next = ACTIONS[c.req.param('action')];
    if (!session || !next) return c.html(page('Unknown payment', '<p>This payment session does not exist.</p>'), 404);
    if (session.state === 'open') {
      // Set before awaiting: a double click finds the session already completed.
      session.state = next;
      session.returnCode = RETURN_CODES[next];
      session.resultFields = sealedFields(session);
      await notify(session.urls.notification, session.resultFields);
    }
    return finish(c, session);
  });

  /**
   * Cancel → back to the basket (floa-eligibility.txt:98 "Change payment method"); pay/refuse →
   * the sealed result POSTed to the return URL by the browser (:99 "redirect the customer after
   * payment and POST payment result").
   */
  function finish(c: Context, session: FloaSimSession) {
    if (session.state === 'cancelled') return c.redirect(session.urls.back, 303);
    const inputs = (session.resultFields ?? []).map(([name, value]) => `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`).join('');
    return c.html(
      page(
        session.state === 'paid' ? 'Payment accepted' : 'Payment refused',
        `<form id="return" method="post" action="${esc(session.urls.return)}">${inputs}<button type="submit">Return to the merchant</button></form>
<script>document.getElementById('return').submit()</script>`,
      ),
    );
  }

  /**
   * The notification form (NOTES § FLOA: `orderRef`, `amount`, `returnCode`, schedule fields,
   * `hmac` = HMAC-SHA1 with the merchant secret, upper-case hex, over the values joined by `*`).
   * The other fields, their order and the schedule field names are ours (not documented).
   */
  function sealedFields(session: FloaSimSession): Array<[string, string]> {
    const today = new Date(now()).toISOString().slice(0, 10);
    const fields: Array<[string, string]> = [
      ['version', '1.0'],
      // The documents spell these ids `merchantId` and `merchantSiteId` (floa-eligibility.txt:11,
      // 413; NOTES' payment session); NOTES does not list the notification's own field names.
      ['merchantId', merchantId],
      ['merchantSiteId', session.site.id],
      ['paymentOptionRef', session.site.paymentOptionRef],
      ['orderRef', session.orderRef],
      ['freeText', ''],
      ['country', session.country],
      ['invoiceID', ''],
      ['customerRef', session.customerRef],
      ['date', today.replaceAll('-', '')],
      ['amount', String(session.amount)],
      ['decimalPosition', '2'],
      ['currency', 'EUR'],
      ['returnCode', String(session.returnCode)],
      ['merchantAccountRef', 'FLOA'],
      ['scoringToken', session.scoringToken],
    ];
    if (session.state === 'paid') {
      session.plan.forEach((item) => fields.push([`scheduleDate${item.rank}`, item.date], [`scheduleAmount${item.rank}`, String(item.amount)]));
    }
    const data = fields.map(([, v]) => v.trim()).join('*');
    fields.push(['hmac', createHmac('sha1', key).update(data, 'utf8').digest('hex').toUpperCase()]);
    return fields;
  }

  /**
   * Form POST to the merchant (NOTES: "form POST"; floa-eligibility.txt:100 "Url where we will
   * POST payment result"), retried up to 4 more times until it answers 200 (ours).
   */
  async function notify(url: string, fields: Array<[string, string]>): Promise<void> {
    const record: FloaSimNotification = { url, fields, attempts: 0, delivered: false };
    notifications.push(record);
    while (record.attempts < 5 && !record.delivered) {
      if (record.attempts > 0) await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
      record.attempts++;
      try {
        const response = await fetch(url, { method: 'POST', body: new URLSearchParams(fields), signal: AbortSignal.timeout(5000) });
        await response.arrayBuffer();
        record.delivered = response.status === 200;
      } catch {
        // Unreachable merchant: retried like a non-200 answer.
      }
    }
  }

  return {
    app,
    journal,
    /** Injected failures (`faults.add({ kind: 'commit-then-drop', path: '/v1/payment-sessions' })`). */
    faults,
    /** Notifications sent, in order (fields as posted, seal last). */
    notifications,
    sessions: () => [...sessions.values()],
    session: (id: string) => sessions.get(id),
    /** Every issued token stops working (FLOA revoked them, or they expired). */
    revokeTokens: () => tokens.clear(),
    config: { login, password, merchantId, hmacSecret: secret, sites: [...sites.values()] },
  };
}

/** Fees with the first instalment, the rest split evenly a month apart; pay later: one payment. */
function planFor(site: FloaSite, rawAmount: number, at: number, reportDelayInDays = 30) {
  const fees = Math.floor((rawAmount * site.feesBps + 5000) / 10000);
  const total = rawAmount + fees;
  const start = new Date(at);
  if (site.paymentOptionRef === '94') {
    return { fees, total, plan: [{ rank: 1, date: isoDate(addDays(start, reportDelayInDays)), amount: total }] };
  }
  const n = site.instalments;
  const base = Math.floor(rawAmount / n);
  const plan = Array.from({ length: n }, (_, i) => ({
    rank: i + 1,
    date: isoDate(addMonths(start, i)),
    amount: i === 0 ? rawAmount - base * (n - 1) + fees : base,
  }));
  return { fees, total, plan };
}

function planOut(item: PlanItem) {
  return { rank: item.rank, date: `${item.date}T00:00:00+00:00`, amount: item.amount };
}

function addDays(date: Date, days: number): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + days));
}

/** Same day `months` later, or the month's last day (31 Jan + 1 month = 28/29 Feb). */
function addMonths(date: Date, months: number): Date {
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(date.getUTCDate(), last)));
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function euros(cents: number): string {
  return `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')} €`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title>
<style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;margin:1rem 0}td,th{padding:.25rem .75rem;text-align:left}form{display:inline-block;margin:.25rem}button{font:inherit;padding:.5rem 1rem}</style>
</head><body><h1>${esc(title)}</h1>${body}</body></html>`;
}
