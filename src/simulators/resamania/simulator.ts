import { Hono, type Context } from 'hono';
import { createHmac, randomBytes } from 'node:crypto';
import { attachFaults } from '../faults.js';
import { Journal } from '../journal.js';

/**
 * A simulator of the Resamania (Stadline) sales API, after
 * `shared/providers/resamania-sale-to-existing-customer.txt` and the Resamania part of
 * `shared/providers/NOTES.md`. JSON-LD / Hydra bodies, IRIs everywhere, amounts in cents.
 *
 * What it enforces:
 * - the gateway: `x-gravitee-api-key` on every call (Gravitee 401 body otherwise);
 * - OAuth: `POST /{clientToken}/oauth/v2/token`, form-encoded (url-encoded or multipart),
 *   grants `client_credentials`, `http://clubclientcredentials` (+ `clubId`) and
 *   `refresh_token`; then `Authorization: Bearer <JWT>` (401 "JWT Token not found" /
 *   "Expired JWT Token" / "Invalid JWT Token") and `x-user-club-id` = a club IRI (403);
 * - IRIs: `/{clientToken}/contacts/12`; a bare numeric id, in a path or a body, gets 404;
 * - the catalog filters by sale context: channel, club, contact tags (the live
 *   `context[contactTags][]` and the excerpt's `context[contactTag]` / `context[contactTag][]`
 *   are all accepted), debt, date and `type`; Hydra pages (`page`, `itemsPerPage`);
 * - articles: a subscription needs `implementation.startDate` (today or later); a missing or
 *   bad one is reported in the article's `implementationErrors`, not refused;
 * - `check`: 204, or 400 with `violations[]` (or only `hydra:description`), or 404. Age, tag,
 *   debt, season and club restrictions are only caught here, as the document says;
 * - payments: EVERY accepted call records a payment. On an incompatible sale or a sale that
 *   is already settled it is not allocated: it becomes the contact's overpayment (credit).
 *   That is the danger the adapter must avoid;
 * - `postpone_due {date}` settles the sale with a due that becomes real debt after `date`;
 *   the `validate` transition is allowed only on a zero-amount sale.
 */

export const PRODUCT_TYPES = ['subscription', 'subscription_option', 'badge', 'counter', 'package', 'countermark', 'test_session', 'regular'] as const;
export type ProductType = (typeof PRODUCT_TYPES)[number];
export const CHANNELS = ['club', 'web', 'terminal'] as const;
export type Channel = (typeof CHANNELS)[number];
export const PAYMENT_MEANS = ['CBWeb', 'cash', 'cheque', 'card'] as const;
export const CARD_NETWORKS = ['CBGroup', 'AmEx', 'Payline', 'External'] as const;
/**
 * The fields of a cheque and of a card payment (resamania-sale-to-existing-customer.txt:283-291;
 * the cheque example at :338-346 agrees: the cheque number is `code`). Anything else in a
 * detail is not recorded: the cheque is kept without it.
 */
export const CHEQUE_FIELDS = ['amount', 'bank', 'code', 'depositDesiredDate', 'owner'] as const;
export const CARD_FIELDS = ['amount', 'network'] as const;
/** Behaviours whose article needs `implementation.startDate`. */
export const START_DATE_BEHAVIOURS = ['subscription', 'subscription_option'] as const;

export interface ResamaniaClub {
  id: number;
  code: string;
  name: string;
  /** The club's register (`checkoutId` of its sales). */
  checkoutId: number;
}

export interface ResamaniaContactTag {
  id: number;
  name: string;
  validFrom?: string;
  validThrough?: string;
}

export interface ResamaniaContact {
  id: number;
  number: string;
  givenName: string;
  familyName: string;
  email: string;
  birthDate: string;
  address?: { addressCountry: string; addressLocality: string; postalCode: string; streetAddress: string };
  tags: ResamaniaContactTag[];
  /** Overdue amount at start, in cents. */
  debt: number;
}

export interface ResamaniaOffer {
  id: number;
  name: string;
  /** Price including tax, in cents. */
  priceTI: number;
  /** Hundredths of a percent: 2000 = 20 %. */
  taxRate: number;
}

export interface ResamaniaProduct {
  id: number;
  name: string;
  type: ProductType;
  /** Behaviour types of the product; see `START_DATE_BEHAVIOURS`. */
  behaviors: string[];
  offers: ResamaniaOffer[];
  /** Restrictions (absent = none). Channel, club, tags, debt and months filter the catalog. */
  channels?: Channel[];
  clubs?: number[];
  /** The contact needs one of these tags. */
  tags?: string[];
  /** Highest debt (cents) at which the product is still offered. */
  maxDebt?: number;
  /** Months (1–12) in which the product is sold. */
  months?: number[];
  /** Not in the catalog context: caught by `check` only (the document's example). */
  minAge?: number;
}

export interface ResamaniaSimulatorOptions {
  clientToken?: string;
  /** Gateway environment path segment (`prod` → `/prod/{clientToken}/…`); none by default. */
  env?: string;
  clientId?: string;
  clientSecret?: string;
  apiKey?: string;
  tokenTtlSeconds?: number;
  clubs?: ResamaniaClub[];
  contacts?: ResamaniaContact[];
  products?: ResamaniaProduct[];
  /** Embed offers in products (default); `false` lists offer IRIs only (`GET offers?product=`). */
  embedOffers?: boolean;
  /** Largest `itemsPerPage` honoured (API Platform caps it; default 100). */
  maxItemsPerPage?: number;
  /** Time zone of the clubs' calendar ("today"). */
  timeZone?: string;
  now?: () => number;
}

export const RESAMANIA_DEMO = {
  clientToken: 'demoapi',
  clientId: 'demo_checkout_client',
  clientSecret: 'demo-checkout-secret',
  apiKey: 'demo-gravitee-api-key',
  /** Club 1, as the numeric id and IRI the configuration may use. */
  clubId: '/demoapi/clubs/1',
  clubCode: 'LIL01',
} as const;

export function resamaniaDemoClubs(): ResamaniaClub[] {
  return [
    { id: 1, code: 'LIL01', name: 'Club Lille Centre', checkoutId: 12 },
    { id: 2, code: 'RBX02', name: 'Club Roubaix', checkoutId: 22 },
  ];
}

/**
 * Demo contacts, listed on the demo page:
 * - Camille: good standing, `etudiant` tag → sees the student subscription;
 * - Julien: 45.00 € overdue → no subscription in his catalog, the checkout refuses the sale;
 * - Sofia: `vip` tag, and an `etudiant` tag that has expired → VIP coaching, no student price;
 * - Léo: 13 years old → the monthly subscription (16+) is in his catalog but `check` refuses it.
 */
export function resamaniaDemoContacts(now = Date.now()): ResamaniaContact[] {
  // Léo stays 13 whatever the year the demo runs in.
  const thirteenYearsAgo = new Date(now);
  thirteenYearsAgo.setUTCFullYear(thirteenYearsAgo.getUTCFullYear() - 13);
  const address = { addressCountry: 'France', addressLocality: 'Lille', postalCode: '59000', streetAddress: '12 rue Nationale' };
  return [
    {
      id: 1001, number: '4110012692', givenName: 'Camille', familyName: 'Martin', email: 'camille.martin@example.test', birthDate: '1998-06-12', address,
      tags: [{ id: 416202, name: 'etudiant', validFrom: '2024-09-01', validThrough: '2099-08-31' }], debt: 0,
    },
    { id: 1002, number: '4110012693', givenName: 'Julien', familyName: 'Bernard', email: 'julien.bernard@example.test', birthDate: '1985-02-03', address, tags: [], debt: 4500 },
    {
      id: 1003, number: '4110012694', givenName: 'Sofia', familyName: 'Lopez', email: 'sofia.lopez@example.test', birthDate: '1990-11-23', address,
      tags: [
        { id: 416245, name: 'vip', validFrom: '2024-01-01', validThrough: '2099-12-31' },
        { id: 416246, name: 'etudiant', validFrom: '2019-09-01', validThrough: '2020-06-30' },
      ],
      debt: 0,
    },
    { id: 1004, number: '4110012695', givenName: 'Léo', familyName: 'Petit', email: 'leo.petit@example.test', birthDate: thirteenYearsAgo.toISOString().slice(0, 10), address, tags: [], debt: 0 },
  ];
}

export function resamaniaDemoProducts(): ResamaniaProduct[] {
  return [
    { id: 10, name: 'Abonnement mensuel', type: 'subscription', behaviors: ['subscription'], offers: [{ id: 101, name: 'Mensuel sans engagement', priceTI: 3990, taxRate: 2000 }], maxDebt: 0, minAge: 16 },
    { id: 11, name: 'Abonnement étudiant', type: 'subscription', behaviors: ['subscription'], offers: [{ id: 111, name: 'Étudiant mensuel', priceTI: 2490, taxRate: 2000 }], tags: ['etudiant'], maxDebt: 0, minAge: 16 },
    { id: 12, name: 'Coaching VIP', type: 'counter', behaviors: ['counter'], offers: [{ id: 121, name: '10 séances de coaching', priceTI: 15000, taxRate: 2000 }], tags: ['vip'] },
    { id: 13, name: 'Serviette du club', type: 'regular', behaviors: [], offers: [{ id: 131, name: 'Serviette', priceTI: 1200, taxRate: 2000 }] },
    { id: 14, name: "Séance d'essai", type: 'test_session', behaviors: ['test_session'], offers: [{ id: 141, name: "Séance d'essai offerte", priceTI: 0, taxRate: 2000 }] },
    { id: 15, name: 'Carte 10 entrées', type: 'counter', behaviors: ['counter'], offers: [{ id: 151, name: '10 entrées', priceTI: 7900, taxRate: 2000 }], channels: ['club'] },
    { id: 16, name: 'Aquabike Roubaix', type: 'counter', behaviors: ['counter'], offers: [{ id: 161, name: '5 séances aquabike', priceTI: 6000, taxRate: 2000 }], clubs: [2] },
    { id: 17, name: 'Offre rentrée', type: 'subscription', behaviors: ['subscription'], offers: [{ id: 171, name: 'Rentrée 3 mois', priceTI: 8900, taxRate: 2000 }], months: [9], maxDebt: 0 },
  ];
}

interface Violation {
  propertyPath: string;
  message: string;
}

interface ArticleState {
  id: number;
  offer: ResamaniaOffer;
  product: ResamaniaProduct;
  implementation: Record<string, unknown>;
  implementationErrors: Violation[];
}

interface PaymentState {
  id: number;
  saleId: number;
  contactId: number;
  amount: number;
  mean: string;
  checkoutId: number;
  /** Part of `amount` settled on the sale; the rest is the contact's overpayment. */
  allocated: number;
  at: number;
  /** The details recorded with it, documented fields only (see `CHEQUE_FIELDS`, `CARD_FIELDS`). */
  cheques?: Array<Record<string, unknown>>;
  paymentCards?: Array<Record<string, unknown>>;
}

interface SaleState {
  id: number;
  contactId: number;
  contactFamilyName?: string;
  contactGivenName?: string;
  contactNumber?: string;
  clubId: number;
  clubCode: string;
  address?: unknown;
  checkoutId: number;
  state: 'draft' | 'validated';
  articles: ArticleState[];
  payments: PaymentState[];
  dueDate?: string;
  createdAt: number;
}

interface Account {
  /** Overdue at seed time, in cents. */
  debt: number;
  /** Overpayment that can settle later purchases, in cents. */
  credit: number;
  /** Deferred amounts: real debt once their date has passed. */
  dues: Array<{ saleId: number; amount: number; date: string }>;
}

export type PaymentFault =
  /** Records the payment, then answers 504 as the gateway would after a backend timeout. */
  | 'commit-then-504'
  /** Records the payment, then answers only after `hangMs` (the caller times out first). */
  | 'commit-then-hang'
  /** Answers 502 without recording anything. */
  | 'fail-before-commit'
  /** The gateway's rate limit: 429 with `Retry-After: 3`, before the API runs the call. */
  | 'rate-limited'
  /** The bearer expired just now: 401 "Expired JWT Token" (every token is revoked), before the API runs the call. */
  | 'expired-token';

export function createResamaniaSimulator(options: ResamaniaSimulatorOptions = {}) {
  const ct = options.clientToken ?? RESAMANIA_DEMO.clientToken;
  const clientId = options.clientId ?? RESAMANIA_DEMO.clientId;
  const clientSecret = options.clientSecret ?? RESAMANIA_DEMO.clientSecret;
  const apiKey = options.apiKey ?? RESAMANIA_DEMO.apiKey;
  const ttl = options.tokenTtlSeconds ?? 3600;
  const embedOffers = options.embedOffers ?? true;
  const timeZone = options.timeZone ?? 'Europe/Paris';
  const maxPerPage = options.maxItemsPerPage ?? 100;
  const now = options.now ?? Date.now;
  const clubs = new Map((options.clubs ?? resamaniaDemoClubs()).map((c) => [c.id, structuredClone(c)]));
  const contacts = new Map((options.contacts ?? resamaniaDemoContacts(now())).map((c) => [c.id, structuredClone(c)]));
  const products = (options.products ?? resamaniaDemoProducts()).map((p) => structuredClone(p));
  const accounts = new Map([...contacts.values()].map((c) => [c.id, { debt: c.debt, credit: 0, dues: [] } as Account]));
  const sales = new Map<number, SaleState>();
  const payments: PaymentState[] = [];
  const tokens = new Map<string, number>(); // access token → expiry (ms)
  const refreshTokens = new Set<string>();
  const signingKey = randomBytes(32);
  const paymentFaults: Array<{ kind: PaymentFault; hangMs: number }> = [];
  const transitionFaults: Array<'fail-before-commit' | 'commit-then-504'> = [];
  /** A fault the gateway or its JWT firewall answers before the API runs the call. */
  const gatewayFault = (c: Context, kind: 'rate-limited' | 'expired-token') => {
    if (kind === 'rate-limited') return c.json({ message: 'Rate limit exceeded ! You reach the limit of requests.', http_status_code: 429 }, 429, { 'Retry-After': '3' });
    tokens.clear();
    return c.json({ code: 401, message: 'Expired JWT Token' }, 401);
  };
  let tokensIssued = 0;
  let nextId = 373969;

  const iri = (resource: string, id: number) => `/${ct}/${resource}/${id}`;
  const today = () => isoDay(now(), timeZone);

  // ------------------------------------------------------------ responses
  const hydraError = (c: Context, status: 400 | 403 | 404 | 409, description: string) =>
    c.json({ '@context': `/${ct}/contexts/Error`, '@type': 'hydra:Error', 'hydra:title': 'An error occurred', 'hydra:description': description }, status);
  const violationList = (c: Context, violations: Violation[]) =>
    c.json(
      {
        '@context': `/${ct}/contexts/ConstraintViolationList`,
        '@type': 'ConstraintViolationList',
        'hydra:title': 'An error occurred',
        'hydra:description': violations.map((v) => `${v.propertyPath}: ${v.message}`).join('\n'),
        violations,
      },
      400,
    );
  const notFoundItem = (c: Context, value: unknown) => hydraError(c, 404, `Item not found for "${String(value)}".`);

  /** `/{ct}/{resource}/{n}` → n; anything else (a bare "12", another client's IRI) → undefined. */
  const idFromIri = (value: unknown, resource: string): number | undefined => {
    if (typeof value !== 'string') return undefined;
    const match = new RegExp(`^/${escapeRegExp(ct)}/${resource}/(\\d+)$`).exec(value);
    return match ? Number(match[1]) : undefined;
  };

  const readJson = async (c: Context): Promise<Record<string, unknown> | undefined> => {
    try {
      const body: unknown = await c.req.json();
      return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };

  // ------------------------------------------------------------ domain rules
  const validTags = (contact: ResamaniaContact, day: string) =>
    contact.tags.filter((t) => (!t.validFrom || t.validFrom <= day) && (!t.validThrough || day <= t.validThrough)).map((t) => t.name);

  const realDebt = (contactId: number) => {
    const account = accounts.get(contactId)!;
    const day = today();
    return account.debt + account.dues.filter((d) => d.date < day).reduce((sum, d) => sum + d.amount, 0);
  };

  const priceTE = (offer: ResamaniaOffer) => Math.round((offer.priceTI * 10000) / (10000 + offer.taxRate));
  const offerJson = (product: ResamaniaProduct, offer: ResamaniaOffer) => ({
    '@id': iri('offers', offer.id),
    '@type': 'Offer',
    name: offer.name,
    product: iri('products', product.id),
    priceTI: offer.priceTI,
    priceTE: priceTE(offer),
    taxRate: offer.taxRate,
  });
  const productJson = (product: ResamaniaProduct) => ({
    '@id': iri('products', product.id),
    '@type': 'Product',
    name: product.name,
    type: product.type,
    productBehaviors: product.behaviors.map((type) => ({ '@type': 'ProductBehavior', type })),
    offers: product.offers.map((offer) => (embedOffers ? offerJson(product, offer) : iri('offers', offer.id))),
  });

  const articleTotal = (sale: SaleState) => sale.articles.reduce((sum, a) => sum + a.offer.priceTI, 0);
  const allocated = (sale: SaleState) => sale.payments.reduce((sum, p) => sum + p.allocated, 0);

  const articleJson = (a: ArticleState) => ({
    '@id': iri('articles', a.id),
    '@type': 'Article',
    offerId: iri('offers', a.offer.id),
    productId: iri('products', a.product.id),
    name: a.offer.name,
    priceTI: a.offer.priceTI,
    priceTE: priceTE(a.offer),
    taxRate: a.offer.taxRate,
    totalTI: a.offer.priceTI,
    articleBehaviors: a.product.behaviors.map((type) => ({ '@type': 'ArticleBehavior', type, implementation: a.implementation })),
    hasImplementationErrors: a.implementationErrors.length > 0,
    implementationErrors: a.implementationErrors,
  });

  const paymentJson = (p: PaymentState) => ({
    '@id': iri('payments', p.id),
    '@type': 'Payment',
    sale: iri('sales', p.saleId),
    contactId: iri('contacts', p.contactId),
    amount: p.amount,
    mean: p.mean,
    checkout: iri('checkouts', p.checkoutId),
    createdAt: new Date(p.at).toISOString(),
  });

  const saleJson = (sale: SaleState) => ({
    '@context': `/${ct}/contexts/Sale`,
    '@id': iri('sales', sale.id),
    '@type': 'Sale',
    contactId: iri('contacts', sale.contactId),
    contactFamilyName: sale.contactFamilyName ?? null,
    contactGivenName: sale.contactGivenName ?? null,
    contactNumber: sale.contactNumber ?? null,
    clubId: iri('clubs', sale.clubId),
    clubCode: sale.clubCode,
    address: sale.address ?? null,
    checkoutId: iri('checkouts', sale.checkoutId),
    state: sale.state,
    articles: sale.articles.map(articleJson),
    totalTI: articleTotal(sale),
    totalTE: sale.articles.reduce((sum, a) => sum + priceTE(a.offer), 0),
    payments: sale.payments.map(paymentJson),
    dueDate: sale.dueDate ?? null,
    createdAt: new Date(sale.createdAt).toISOString(),
  });

  /** Why the sale cannot be settled: violations, or a description when there is no property. */
  const saleProblems = (sale: SaleState): { violations: Violation[]; description?: string } => {
    if (sale.state !== 'draft') return { violations: [], description: `The sale is already ${sale.state}.` };
    if (sale.articles.length === 0) return { violations: [], description: 'The sale contains no article.' };
    const violations: Violation[] = [];
    for (const field of ['contactFamilyName', 'contactGivenName', 'contactNumber'] as const) {
      if (!sale[field]) violations.push({ propertyPath: field, message: 'This value should not be blank.' });
    }
    const contact = contacts.get(sale.contactId)!;
    const day = today();
    const tags = validTags(contact, day);
    const debt = realDebt(contact.id);
    sale.articles.forEach((a, i) => {
      const at = `articles[${i}]`;
      for (const e of a.implementationErrors) violations.push({ propertyPath: `${at}.implementation.${e.propertyPath}`, message: e.message });
      const p = a.product;
      if (p.tags && !p.tags.some((t) => tags.includes(t))) violations.push({ propertyPath: `${at}.offerId`, message: `This offer is reserved for contacts tagged ${p.tags.join(' or ')}.` });
      if (p.maxDebt !== undefined && debt > p.maxDebt) violations.push({ propertyPath: `${at}.offerId`, message: `The contact has an outstanding debt of ${formatEuros(debt)}; this offer cannot be sold.` });
      if (p.minAge !== undefined && ageOn(contact.birthDate, day) < p.minAge) violations.push({ propertyPath: `${at}.offerId`, message: `The contact must be at least ${p.minAge} years old for this offer.` });
      if (p.months && !p.months.includes(Number(day.slice(5, 7)))) violations.push({ propertyPath: `${at}.offerId`, message: 'This offer is not available on this date.' });
      if (p.clubs && !p.clubs.includes(sale.clubId)) violations.push({ propertyPath: `${at}.offerId`, message: 'This offer is not sold in this club.' });
    });
    return { violations };
  };

  // ------------------------------------------------------------ app
  const journal = new Journal();
  const app = new Hono();
  journal.attach(app);
  const faults = attachFaults(app);
  app.notFound((c) => c.json({ '@context': '/contexts/Error', '@type': 'hydra:Error', 'hydra:title': 'An error occurred', 'hydra:description': 'Not Found' }, 404));

  const api = new Hono();

  api.use('*', async (c, next) => {
    // Gravitee checks its key before anything reaches the API.
    if (c.req.header('x-gravitee-api-key') !== apiKey) return c.json({ message: 'Unauthorized', http_status_code: 401 }, 401);
    if (c.req.path.endsWith('/oauth/v2/token')) return next();
    const auth = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!match) return c.json({ code: 401, message: 'JWT Token not found' }, 401);
    const expiry = tokens.get(match[1]!);
    if (expiry === undefined) return c.json({ code: 401, message: 'Invalid JWT Token' }, 401);
    if (expiry <= now()) return c.json({ code: 401, message: 'Expired JWT Token' }, 401);
    const club = idFromIri(c.req.header('x-user-club-id'), 'clubs');
    if (club === undefined || !clubs.has(club)) return hydraError(c, 403, 'Access Denied.');
    return next();
  });

  api.post('/oauth/v2/token', async (c) => {
    const type = c.req.header('content-type') ?? '';
    if (!type.includes('application/x-www-form-urlencoded') && !type.includes('multipart/form-data')) {
      return c.json({ error: 'invalid_request', error_description: 'Invalid grant_type parameter or parameter missing' }, 400);
    }
    const form = await c.req.parseBody();
    const grant = String(form.grant_type ?? '');
    if (form.client_id !== clientId || form.client_secret !== clientSecret) {
      return c.json({ error: 'invalid_client', error_description: 'The client credentials are invalid' }, 400);
    }
    let scope = 'client';
    if (grant === 'http://clubclientcredentials') {
      const club = idFromIri(form.clubId, 'clubs') ?? (typeof form.clubId === 'string' && /^\d+$/.test(form.clubId) ? Number(form.clubId) : undefined);
      if (club === undefined || !clubs.has(club)) return c.json({ error: 'invalid_request', error_description: 'Invalid clubId parameter' }, 400);
      scope = `club:${club}`;
    } else if (grant === 'refresh_token') {
      if (typeof form.refresh_token !== 'string' || !refreshTokens.delete(form.refresh_token)) {
        return c.json({ error: 'invalid_grant', error_description: 'Invalid refresh token' }, 400);
      }
    } else if (grant !== 'client_credentials') {
      return c.json({ error: 'unsupported_grant_type', error_description: 'Invalid grant_type parameter or parameter missing' }, 400);
    }
    const issuedAt = Math.floor(now() / 1000);
    const accessToken = jwt({ iat: issuedAt, exp: issuedAt + ttl, client_id: clientId, scope, jti: randomBytes(8).toString('hex') }, signingKey);
    const refreshToken = randomBytes(24).toString('hex');
    tokens.set(accessToken, now() + ttl * 1000);
    refreshTokens.add(refreshToken);
    tokensIssued += 1;
    return c.json({ access_token: accessToken, expires_in: ttl, token_type: 'bearer', scope, refresh_token: refreshToken });
  });

  // ------------------------------------------------------------ contacts
  const contactJson = (contact: ResamaniaContact, full: boolean) => ({
    ...(full ? { '@context': `/${ct}/contexts/Contact` } : {}),
    '@id': iri('contacts', contact.id),
    '@type': 'http://schema.org/Person',
    number: contact.number,
    givenName: contact.givenName,
    familyName: contact.familyName,
    email: contact.email,
    // The list view is lighter; tags, birth date and address come with the item.
    ...(full
      ? {
          birthDate: contact.birthDate,
          address: contact.address ?? null,
          tags: contact.tags.map((t) => ({ '@id': iri('contact_tags', t.id), '@type': 'ContactTag', name: t.name, validFrom: t.validFrom ?? null, validThrough: t.validThrough ?? null })),
        }
      : {}),
  });

  api.get('/contacts', (c) => {
    const email = c.req.query('email')?.trim().toLowerCase();
    const number = c.req.query('number');
    const found = [...contacts.values()].filter((x) => (email === undefined || x.email.toLowerCase() === email) && (number === undefined || x.number === number));
    return c.json(collection(ct, maxPerPage, '/contacts', c, found.map((x) => contactJson(x, false))));
  });

  api.get('/contacts/:id{[0-9]+}', (c) => {
    const contact = contacts.get(Number(c.req.param('id')));
    return contact ? c.json(contactJson(contact, true)) : hydraError(c, 404, 'Not Found');
  });

  api.get('/stats/accounts/contacts/:id{[0-9]+}', (c) => {
    const contact = contacts.get(Number(c.req.param('id')));
    if (!contact) return hydraError(c, 404, 'Not Found');
    const account = accounts.get(contact.id)!;
    return c.json({
      '@context': `/${ct}/contexts/AccountStats`,
      '@id': `/${ct}/stats/accounts/contacts/${contact.id}`,
      '@type': 'AccountStats',
      totalRealDebt: realDebt(contact.id),
      totalDue: account.debt + account.dues.reduce((sum, d) => sum + d.amount, 0),
      totalOverpayment: account.credit,
    });
  });

  // ------------------------------------------------------------ catalog
  api.get('/products', (c) => {
    const channel = c.req.query('context[channel]');
    if (channel !== undefined && !(CHANNELS as readonly string[]).includes(channel)) {
      return violationList(c, [{ propertyPath: 'context[channel]', message: `The value you selected is not a valid choice (${CHANNELS.join(', ')}).` }]);
    }
    const clubParam = c.req.query('context[club]');
    const club = clubParam === undefined ? undefined : idFromIri(clubParam, 'clubs');
    if (clubParam !== undefined && (club === undefined || !clubs.has(club))) return notFoundItem(c, clubParam);
    // The live API takes `context[contactTags][]`; the excerpt writes `context[contactTag]`.
    const tags = [...(c.req.queries('context[contactTags][]') ?? []), ...(c.req.queries('context[contactTag][]') ?? []), ...(c.req.queries('context[contactTag]') ?? [])];
    const debtParam = c.req.query('context[debt]');
    const debt = debtParam === undefined ? 0 : Number(debtParam);
    if (!Number.isInteger(debt) || debt < 0) return violationList(c, [{ propertyPath: 'context[debt]', message: 'This value should be a positive integer (cents).' }]);
    const date = c.req.query('context[date]') ?? today();
    if (!isIsoDate(date)) return violationList(c, [{ propertyPath: 'context[date]', message: 'This value is not a valid date.' }]);
    const type = c.req.query('type');
    if (type !== undefined && !(PRODUCT_TYPES as readonly string[]).includes(type)) {
      return violationList(c, [{ propertyPath: 'type', message: `The value you selected is not a valid choice (${PRODUCT_TYPES.join(', ')}).` }]);
    }
    const month = Number(date.slice(5, 7));
    const found = products.filter(
      (p) =>
        (!channel || !p.channels || p.channels.includes(channel as Channel)) &&
        (club === undefined || !p.clubs || p.clubs.includes(club)) &&
        (!p.tags || p.tags.some((t) => tags.includes(t))) &&
        (p.maxDebt === undefined || debt <= p.maxDebt) &&
        (!p.months || p.months.includes(month)) &&
        (!type || p.type === type),
    );
    return c.json(collection(ct, maxPerPage, '/products', c, found.map(productJson)));
  });

  api.get('/offers', (c) => {
    const productId = idFromIri(c.req.query('product'), 'products');
    const found = products.filter((p) => productId === undefined || p.id === productId).flatMap((p) => p.offers.map((o) => offerJson(p, o)));
    return c.json(collection(ct, maxPerPage, '/offers', c, found));
  });

  api.get('/offers/:id{[0-9]+}', (c) => {
    const id = Number(c.req.param('id'));
    const product = products.find((p) => p.offers.some((o) => o.id === id));
    return product ? c.json(offerJson(product, product.offers.find((o) => o.id === id)!)) : hydraError(c, 404, 'Not Found');
  });

  // ------------------------------------------------------------ sales
  const saleOf = (c: Context) => sales.get(Number(c.req.param('id')));

  api.post('/sales', async (c) => {
    const body = await readJson(c);
    if (!body) return hydraError(c, 400, 'Syntax error');
    const missing = ['contactId', 'clubId', 'clubCode'].filter((f) => body[f] === undefined || body[f] === '');
    if (missing.length) return violationList(c, missing.map((f) => ({ propertyPath: f, message: 'This value should not be blank.' })));
    const contactId = idFromIri(body.contactId, 'contacts');
    if (contactId === undefined || !contacts.has(contactId)) return notFoundItem(c, body.contactId);
    const clubId = idFromIri(body.clubId, 'clubs');
    const club = clubId === undefined ? undefined : clubs.get(clubId);
    if (!club) return notFoundItem(c, body.clubId);
    if (body.clubCode !== club.code) return violationList(c, [{ propertyPath: 'clubCode', message: 'This club code does not match the club.' }]);
    const sale: SaleState = {
      id: nextId++,
      contactId,
      contactFamilyName: optionalString(body.contactFamilyName),
      contactGivenName: optionalString(body.contactGivenName),
      contactNumber: optionalString(body.contactNumber),
      clubId: club.id,
      clubCode: club.code,
      address: body.address,
      checkoutId: club.checkoutId,
      state: 'draft',
      articles: [],
      payments: [],
      createdAt: now(),
    };
    sales.set(sale.id, sale);
    return c.json(saleJson(sale), 201);
  });

  api.get('/sales/:id{[0-9]+}', (c) => {
    const sale = saleOf(c);
    return sale ? c.json(saleJson(sale)) : hydraError(c, 404, 'Not Found');
  });

  api.post('/sales/:id{[0-9]+}/articles', async (c) => {
    const sale = saleOf(c);
    if (!sale) return hydraError(c, 404, 'Not Found');
    const body = await readJson(c);
    if (!body) return hydraError(c, 400, 'Syntax error');
    if (sale.state !== 'draft') return hydraError(c, 400, `The sale is already ${sale.state} and cannot be modified.`);
    if (body.offerId === undefined) return violationList(c, [{ propertyPath: 'offerId', message: 'This value should not be blank.' }]);
    const offerId = idFromIri(body.offerId, 'offers');
    const product = products.find((p) => p.offers.some((o) => o.id === offerId));
    if (offerId === undefined || !product) return notFoundItem(c, body.offerId);
    const offer = product.offers.find((o) => o.id === offerId)!;
    const implementation = body.implementation && typeof body.implementation === 'object' ? (body.implementation as Record<string, unknown>) : {};
    // Behaviour details are not refused here: they are reported on the article, and `check` fails.
    const implementationErrors: Violation[] = [];
    if (product.behaviors.some((b) => (START_DATE_BEHAVIOURS as readonly string[]).includes(b))) {
      const start = implementation.startDate;
      if (start === undefined || start === null || start === '') implementationErrors.push({ propertyPath: 'startDate', message: 'This value should not be blank.' });
      else if (typeof start !== 'string' || !isIsoDate(start)) implementationErrors.push({ propertyPath: 'startDate', message: 'This value is not a valid date.' });
      else if (start < today()) implementationErrors.push({ propertyPath: 'startDate', message: 'The start date cannot be in the past.' });
    }
    const article: ArticleState = { id: nextId++, offer, product, implementation, implementationErrors };
    sale.articles.push(article);
    return c.json({ '@context': `/${ct}/contexts/Article`, ...articleJson(article) }, 201);
  });

  api.get('/sales/:id{[0-9]+}/check', (c) => {
    const sale = saleOf(c);
    if (!sale) return hydraError(c, 404, 'Not Found');
    const { violations, description } = saleProblems(sale);
    if (description) return hydraError(c, 400, description);
    if (violations.length) return violationList(c, violations);
    return c.body(null, 204);
  });

  api.post('/sales/:id{[0-9]+}/payments', async (c) => {
    const early = paymentFaults[0]?.kind;
    if (early === 'rate-limited' || early === 'expired-token') {
      paymentFaults.shift();
      return gatewayFault(c, early);
    }
    const sale = saleOf(c);
    if (!sale) return hydraError(c, 404, 'Not Found');
    const body = await readJson(c);
    if (!body) return hydraError(c, 400, 'Syntax error');
    const violations: Violation[] = [];
    for (const f of ['contactId', 'contactFamilyName', 'contactGivenName', 'contactNumber', 'amount', 'mean', 'clubId', 'clubCode', 'checkout']) {
      if (body[f] === undefined || body[f] === null || body[f] === '') violations.push({ propertyPath: f, message: 'This value should not be blank.' });
    }
    const amount = body.amount;
    if (amount !== undefined && (typeof amount !== 'number' || !Number.isInteger(amount) || amount <= 0)) violations.push({ propertyPath: 'amount', message: 'This value should be a positive integer (cents).' });
    if (body.mean !== undefined && !(PAYMENT_MEANS as readonly unknown[]).includes(body.mean)) {
      violations.push({ propertyPath: 'mean', message: `The value you selected is not a valid choice (${PAYMENT_MEANS.join(', ')}).` });
    }
    if (body.mean === 'card') violations.push(...detailViolations(body.paymentCards, 'paymentCards', amount, (d, at) => (CARD_NETWORKS as readonly unknown[]).includes(d.network) ? [] : [{ propertyPath: `${at}.network`, message: `The value you selected is not a valid choice (${CARD_NETWORKS.join(', ')}).` }]));
    // A cheque's bank, number (`code`) and owner are strings, its deposit date a day (:288-291, :340-344).
    if (body.mean === 'cheque') violations.push(...detailViolations(body.cheques, 'cheques', amount, chequeViolations));
    if (violations.length) return violationList(c, violations);
    const contactId = idFromIri(body.contactId, 'contacts');
    if (contactId === undefined || !contacts.has(contactId)) return notFoundItem(c, body.contactId);
    const clubId = idFromIri(body.clubId, 'clubs');
    const club = clubId === undefined ? undefined : clubs.get(clubId);
    if (!club) return notFoundItem(c, body.clubId);
    const checkoutId = idFromIri(body.checkout, 'checkouts');
    if (checkoutId === undefined || ![...clubs.values()].some((cl) => cl.checkoutId === checkoutId)) return notFoundItem(c, body.checkout);

    const fault = paymentFaults.shift();
    if (fault?.kind === 'fail-before-commit') return c.json({ message: 'Bad gateway', http_status_code: 502 }, 502);

    // Every accepted call records a payment. It settles the sale only when the sale can be
    // settled; otherwise (incompatible sale, already settled) it is the contact's overpayment.
    const settleable = sale.state === 'draft' ? saleProblems(sale).violations.length === 0 && sale.articles.length > 0 : articleTotal(sale) - allocated(sale) > 0;
    const remaining = Math.max(0, articleTotal(sale) - allocated(sale));
    const share = settleable ? Math.min(amount as number, remaining) : 0;
    const payment: PaymentState = {
      id: nextId++, saleId: sale.id, contactId, amount: amount as number, mean: String(body.mean), checkoutId, allocated: share, at: now(),
      ...(body.mean === 'cheque' ? { cheques: documented(body.cheques, CHEQUE_FIELDS) } : {}),
      ...(body.mean === 'card' ? { paymentCards: documented(body.paymentCards, CARD_FIELDS) } : {}),
    };
    payments.push(payment);
    sale.payments.push(payment);
    const account = accounts.get(contactId)!;
    account.credit += payment.amount - share;
    if (settleable) {
      sale.state = 'validated';
      // A payment on a deferred sale pays its due down.
      const due = account.dues.find((d) => d.saleId === sale.id);
      if (due) due.amount = Math.max(0, due.amount - share);
    }

    if (fault?.kind === 'commit-then-504') return c.json({ message: 'Gateway timeout', http_status_code: 504 }, 504);
    if (fault?.kind === 'commit-then-hang') await new Promise((resolve) => setTimeout(resolve, fault.hangMs));
    return c.json({ '@context': `/${ct}/contexts/Payment`, ...paymentJson(payment) }, 201);
  });

  api.post('/sales/:id{[0-9]+}/postpone_due', async (c) => {
    const sale = saleOf(c);
    if (!sale) return hydraError(c, 404, 'Not Found');
    const body = await readJson(c);
    if (!body) return hydraError(c, 400, 'Syntax error');
    if (typeof body.date !== 'string' || !isIsoDate(body.date)) return violationList(c, [{ propertyPath: 'date', message: 'This value is not a valid date.' }]);
    if (body.date < today()) return violationList(c, [{ propertyPath: 'date', message: 'The due date cannot be in the past.' }]);
    const { violations, description } = saleProblems(sale);
    if (description) return hydraError(c, 400, description);
    if (violations.length) return violationList(c, violations);
    sale.state = 'validated';
    sale.dueDate = body.date;
    accounts.get(sale.contactId)!.dues.push({ saleId: sale.id, amount: articleTotal(sale) - allocated(sale), date: body.date });
    return c.json(saleJson(sale), 201);
  });

  api.post('/sales/:id{[0-9]+}/transitions', async (c) => {
    const sale = saleOf(c);
    if (!sale) return hydraError(c, 404, 'Not Found');
    const body = await readJson(c);
    if (!body) return hydraError(c, 400, 'Syntax error');
    if (body.transition !== 'validate') return violationList(c, [{ propertyPath: 'transition', message: `Unknown transition "${String(body.transition)}".` }]);
    if (sale.state !== 'draft') return hydraError(c, 400, `Transition "validate" cannot be applied to a sale in state "${sale.state}".`);
    if (articleTotal(sale) !== 0) return hydraError(c, 400, 'Only a sale with a zero amount can be validated without a payment.');
    const { violations, description } = saleProblems(sale);
    if (description) return hydraError(c, 400, description);
    if (violations.length) return violationList(c, violations);
    const fault = transitionFaults.shift();
    if (fault === 'fail-before-commit') return c.json({ message: 'Bad gateway', http_status_code: 502 }, 502);
    sale.state = 'validated';
    if (fault === 'commit-then-504') return c.json({ message: 'Gateway timeout', http_status_code: 504 }, 504);
    return c.json(saleJson(sale));
  });

  app.route(options.env ? `/${options.env}/${ct}` : `/${ct}`, api);

  return {
    app,
    journal,
    /** Injected failures (`faults.add({ kind: 'commit-then-drop', path: … })`). */
    faults,
    clientToken: ct,
    /** Path prefix of every API route (`/{env}/{clientToken}` or `/{clientToken}`). */
    prefix: options.env ? `/${options.env}/${ct}` : `/${ct}`,
    /** Makes the next payments call(s) misbehave (tests of "one payment, whatever the retries"). */
    failNextPayment(kind: PaymentFault, hangMs = 1500) {
      paymentFaults.push({ kind, hangMs });
    },
    /** Makes the next `validate` transition(s) misbehave. */
    failNextTransition(kind: 'fail-before-commit' | 'commit-then-504') {
      transitionFaults.push(kind);
    },
    /** Revokes every access token (the adapter must fetch a new one and retry once). */
    revokeTokens() {
      tokens.clear();
    },
    tokensIssued: () => tokensIssued,
    /** Changes an offer's price (a price that moved between catalog and sale). */
    setPrice(offerId: number, priceTI: number) {
      const found = products.flatMap((p) => p.offers).find((o) => o.id === offerId);
      if (!found) throw new Error(`No offer ${offerId}`);
      found.priceTI = priceTI;
    },
    sale: (id: number | string) => {
      const sale = sales.get(typeof id === 'number' ? id : Number(/(\d+)$/.exec(id)?.[1]));
      return sale ? saleJson(sale) : undefined;
    },
    sales: () => [...sales.values()].map(saleJson),
    /** Every payment recorded, with the cheque or card details as kept (documented fields only). */
    payments: () => payments.map((p) => ({ ...paymentJson(p), ...(p.cheques ? { cheques: structuredClone(p.cheques) } : {}), ...(p.paymentCards ? { paymentCards: structuredClone(p.paymentCards) } : {}) })),
    account: (contactId: number) => {
      const account = accounts.get(contactId);
      return account ? { totalRealDebt: realDebt(contactId), credit: account.credit, dues: account.dues.map((d) => ({ ...d })) } : undefined;
    },
  };
}

export type ResamaniaSimulator = ReturnType<typeof createResamaniaSimulator>;

// ------------------------------------------------------------ helpers

/** Hydra collection with API Platform's pagination (`page`, `itemsPerPage`, 30 per page). */
function collection(ct: string, maxPerPage: number, path: string, c: Context, items: unknown[]) {
  const page = Math.max(1, Number.parseInt(c.req.query('page') ?? '1', 10) || 1);
  const perPage = Math.min(maxPerPage, Math.max(1, Number.parseInt(c.req.query('itemsPerPage') ?? '30', 10) || 30));
  const last = Math.max(1, Math.ceil(items.length / perPage));
  // Like every IRI, page links start at `/{clientToken}`: the gateway's env segment is not in them.
  const base = `/${ct}${path}`;
  const pageUrl = (n: number) => {
    const params = new URL(c.req.url).searchParams;
    params.set('page', String(n));
    return `${base}?${params.toString()}`;
  };
  return {
    '@context': `/${ct}/contexts/${path.slice(1)}`,
    '@id': base,
    '@type': 'hydra:Collection',
    'hydra:member': items.slice((page - 1) * perPage, page * perPage),
    'hydra:totalItems': items.length,
    ...(last > 1
      ? {
          'hydra:view': {
            '@id': pageUrl(page),
            '@type': 'hydra:PartialCollectionView',
            'hydra:first': pageUrl(1),
            'hydra:last': pageUrl(last),
            ...(page > 1 ? { 'hydra:previous': pageUrl(page - 1) } : {}),
            ...(page < last ? { 'hydra:next': pageUrl(page + 1) } : {}),
          },
        }
      : {}),
  };
}

/** `paymentCards[]` / `cheques[]`: present, amounts in cents that add up to the payment. */
function detailViolations(
  value: unknown,
  field: string,
  amount: unknown,
  extra: (detail: Record<string, unknown>, at: string) => Violation[],
): Violation[] {
  if (!Array.isArray(value) || value.length === 0) return [{ propertyPath: field, message: 'This value should not be blank.' }];
  const violations: Violation[] = [];
  let sum = 0;
  value.forEach((detail: unknown, i) => {
    const at = `${field}[${i}]`;
    const d = (detail && typeof detail === 'object' ? detail : {}) as Record<string, unknown>;
    if (typeof d.amount !== 'number' || !Number.isInteger(d.amount) || d.amount <= 0) violations.push({ propertyPath: `${at}.amount`, message: 'This value should be a positive integer (cents).' });
    else sum += d.amount;
    violations.push(...extra(d, at));
  });
  if (!violations.length && sum !== amount) violations.push({ propertyPath: field, message: `The details add up to ${sum}, not to the payment amount ${String(amount)}.` });
  return violations;
}

function chequeViolations(cheque: Record<string, unknown>, at: string): Violation[] {
  const violations: Violation[] = [];
  for (const field of ['bank', 'code', 'owner'] as const) {
    if (cheque[field] !== undefined && typeof cheque[field] !== 'string') violations.push({ propertyPath: `${at}.${field}`, message: 'This value should be of type string.' });
  }
  const date = cheque.depositDesiredDate;
  if (date !== undefined && (typeof date !== 'string' || !isIsoDate(date))) violations.push({ propertyPath: `${at}.depositDesiredDate`, message: 'This value is not a valid date.' });
  return violations;
}

/** The documented fields of each detail (an unknown one, such as a cheque's `number`, is not kept). */
function documented(value: unknown, fields: readonly string[]): Array<Record<string, unknown>> {
  return (Array.isArray(value) ? value : []).map((detail: unknown) =>
    Object.fromEntries(Object.entries(detail && typeof detail === 'object' ? detail : {}).filter(([key]) => fields.includes(key))),
  );
}

function jwt(payload: Record<string, unknown>, key: Buffer): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}`;
  return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
}

/** The calendar day of `ms` in `timeZone`, as YYYY-MM-DD. */
export function isoDay(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function isIsoDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function ageOn(birthDate: string, day: string): number {
  const years = Number(day.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return day.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

function formatEuros(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')} €`;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
