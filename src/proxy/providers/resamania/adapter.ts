import * as z from 'zod/mini';
import { minorDigits, type FieldError, type Money } from '../../../protocol/index.js';
import type { CartLine } from '../../carts.js';
import { TokenCache, type IssuedToken } from '../../http/token-cache.js';
import { UpstreamClient, type UpstreamRequest, type UpstreamResponse } from '../../http/upstream.js';
import { ProblemError } from '../../problems.js';
import type { CallContext, CatalogFilter, CatalogOffer, CustomerRecord, LoyaltyCapabilities, LoyaltyProvider, LoyaltyQuote, QuoteInput, RecordSaleInput, SaleOutcome, SaleRecord } from '../provider.js';
import { minorToDecimal } from '../units.js';
import { MemorySaleLedger, reportingFailures, type SaleLedger, type SaleLedgerEntry } from './sale-ledger.js';

/**
 * Adapter for Resamania club sales (`shared/providers/resamania-sale-to-existing-customer.txt`
 * and the Resamania part of `NOTES.md`): contact by e-mail, tags and debt, catalog for the
 * contact's sale context, then sale → articles → check → totalTI/checkoutId → one payment
 * (or the `validate` transition for a zero-amount sale).
 *
 * Resamania is not a points programme: quotes have nothing to spend or earn. Amounts are in
 * cents, so the configured currency must have two decimals (cents = protocol minor units).
 *
 * Exactly one payment per checkout. Every payments call records a payment (the document's
 * warning, :254-258: two calls = an overpayment) and the API has no idempotency key, so:
 * 1. the proxy's Idempotency-Key guard and the checkout's paid state stop repeated requests;
 * 2. here, one attempt per checkout reference runs at a time — in this process, and across
 *    instances through the ledger's lease — and the ledger remembers the sale of each
 *    reference, so a retry finds the first attempt's sale instead of opening a new one;
 * 3. the sale is re-read just before settling: if it already has a payment or left the draft
 *    state, nothing is sent and the receipt is returned;
 * 4. after an unknown outcome (timeout, 5xx), a new payment is sent only once the re-read sale
 *    proves the first one absent (`saleListsPayments`) and `unknownOutcomeWaitMs` has passed,
 *    so a slow payment is never doubled. `saleOutcome` answers the core with the same rule.
 */
/** The payment means of the payments call (resamania-sale-to-existing-customer.txt:265-269). */
const MEANS = ['CBWeb', 'cash', 'cheque', 'card'] as const;
type Mean = (typeof MEANS)[number];
/** The checkout methods recorded as a payment, each with its configured mean. */
type PaidMethod = 'card' | 'cash' | 'cheque' | 'external';
const CARD_NETWORKS = ['CBGroup', 'AmEx', 'Payline', 'External'] as const;
const CHANNELS = ['club', 'web', 'terminal'] as const;
/** Product types and behaviours whose articles need `implementation.startDate`. */
const START_DATE_KINDS = new Set(['subscription', 'subscription_option']);
const MAX_CATALOG_PAGES = 20;

const NonEmpty = z.string().check(z.trim(), z.minLength(1));
const CLUB_CODE_NEEDED = 'Resamania needs the club code (clubCode, e.g. "ABCDE") to open a sale and to record its payment.';

export const ResamaniaOptions = z.object({
  provider: z.literal('resamania'),
  baseUrl: z.url().check(
    z.describe(
      'Gateway URL: up to the environment (`https://gateway.prod.gravitee.stadline.tech/{env}`) or with the client token too (`…/{env}/{clientToken}`), both in use (NOTES.md § Resamania: the gateway is `…/{env}/{clientToken}/…`). ' +
        'A trailing `/{clientToken}` is dropped: IRIs, which start with it, are appended to the rest. If the environment has the client token\'s name, give the full form.',
    ),
  ),
  clientToken: z.string().check(
    z.regex(/^[A-Za-z0-9_-]+$/, 'Expected the client token as it appears in IRIs (letters, digits, - and _).'),
    z.describe('The client token, as it appears at the start of IRIs (`/{clientToken}/clubs/1`).'),
  ),
  clientId: NonEmpty.check(z.describe('OAuth client id of the token call.')),
  clientSecret: NonEmpty.check(z.describe('OAuth client secret of the token call; keep it in the environment.')),
  apiKey: NonEmpty.check(z.describe('Sent as `x-gravitee-api-key`; keep it in the environment.')),
  clubId: z.string().check(
    z.regex(/^(\/[A-Za-z0-9_-]+\/clubs\/)?\d+$/, 'Expected a club IRI such as "/demoapi/clubs/1", or its numeric id.'),
    z.describe('The club where sales are made: its IRI (`/{clientToken}/clubs/1`) or its numeric id.'),
  ),
  clubCode: z.string({ error: CLUB_CODE_NEEDED }).check(
    z.trim(),
    z.minLength(1, CLUB_CODE_NEEDED),
    z.describe(
      'The club\'s code. Required: the document asks for it to open a sale ("needed at creation: … the club where the sale takes place (clubId, clubCode)", :121-124, :141) ' +
        'and to record a payment ("several pieces of information are required: … (clubId, clubCode, checkout)", :260-264, :281), and gives no way to look it up from the club id.',
    ),
  ),
  networkNodeId: z.optional(NonEmpty).check(z.describe('`x-user-network-node-id`, for multi-club clients.')),
  channel: z._default(z.enum(CHANNELS), 'club').check(z.describe('Sale channel of the catalog context.')),
  paymentMean: z.prefault(
    z.object({
      card: z._default(meanOption('card'), 'card').check(z.describe('Mean of a card payment taken at a till.')),
      cash: z._default(meanOption('cash'), 'cash').check(z.describe('Mean of a cash payment taken at a till.')),
      cheque: z._default(meanOption('cheque'), 'cheque').check(z.describe('Mean of a cheque taken at a till.')),
      external: z._default(meanOption('external'), 'CBWeb').check(z.describe("Mean of a payment the shop's PSP or the instalment provider took (online card payment: `CBWeb`).")),
    }),
    {},
  ).check(
    z.describe(
      'Resamania payment mean (resamania-sale-to-existing-customer.txt:265-269) for each checkout method that collects money. `card`, `cash` and `cheque` are taken at a till: the on-site means of the same names. ' +
        "`external` is a payment the shop's own PSP took and its server confirmed (or an instalment provider's): an online card payment, `CBWeb` (:266, and the document's web payment example :293-308). " +
        'Money already collected is never recorded as a deferred payment (`postpone_due`, :349-360): that would make the member owe it again.',
    ),
  ),
  cardNetwork: z._default(z.enum(CARD_NETWORKS), 'CBGroup').check(z.describe('`paymentCards[].network` of an on-site card payment.')),
  currency: z._default(
    z.string().check(
      z.regex(/^[A-Z]{3}$/, 'Expected an ISO 4217 code such as "EUR".'),
      z.refine((code) => /^[A-Z]{3}$/.test(code) && minorDigits(code) === 2, 'Resamania counts in cents: use a currency with two decimals.'),
    ),
    'EUR',
  ).check(z.describe('ISO 4217 code of the clubs\' money; Resamania counts in cents, so a currency with two decimals.')),
  timeZone: z._default(z.string().check(z.refine(isTimeZone, 'Expected an IANA time zone such as "Europe/Paris".')), 'Europe/Paris').check(
    z.describe('The clubs\' IANA time zone, for "today" (start dates, catalog date, cheque deposit date).'),
  ),
  unknownOutcomeWaitMs: z._default(z.int().check(z.positive()), 60_000).check(
    z.meta({ unit: 'ms', description: 'After an unknown payment outcome, how long a late commit is waited for before the payment counts as not recorded.' }),
  ),
  saleListsPayments: z._default(z.boolean(), true).check(
    z.describe(
      'The sale (`GET /{clientToken}/sales/{id}`, :235-250) lists its payments in `payments[]` and shows `state` (`draft` until it is settled). The excerpt shows only `checkoutId` and `totalTI` (its `// ...` hides the rest). ' +
        'When true, a sale that shows both, with no payment and still `draft`, proves an unknown payment was not recorded. When false (or when a sale lacks them) an unknown payment outcome is never settled as "not recorded": an operator settles it in the back office. ' +
        'A payment or a non-draft state always means "recorded".',
    ),
  ),
  timeoutMs: z._default(z.int().check(z.positive()), 8000).check(z.meta({ unit: 'ms', description: 'Timeout of each call to Resamania.' })),
}).check(z.meta({ title: 'Resamania', description: 'Resamania club sales (JSON-LD/Hydra, amounts in cents): contact, debt and catalog, then sale, articles, check and exactly one payment.' }));
export type ResamaniaOptions = z.infer<typeof ResamaniaOptions>;

export type { CatalogFilter, CatalogOffer } from '../provider.js';

/** A payment mean option: one of the document's means; `postpone_due` is refused with the reason. */
function meanOption(method: PaidMethod) {
  return z.enum(MEANS, {
    error: (issue) =>
      issue.input === 'postpone_due'
        ? `paymentMean.${method}: "postpone_due" would record money already collected as a debt the member owes after a date; use one of ${MEANS.join(', ')}${method === 'external' ? ' (CBWeb, the online card payment, by default)' : ''}.`
        : `paymentMean.${method}: expected one of ${MEANS.join(', ')}.`,
  });
}

/** Contact facts kept in `CustomerRecord.data` between calls (server side only). */
export interface ResamaniaContactData extends Record<string, unknown> {
  contactNumber: string;
  givenName: string;
  familyName: string;
  /** Names of the tags valid today: they select the catalog. */
  tags: string[];
  address?: Record<string, unknown>;
}

export interface ResamaniaDependencies {
  /** Where sales are remembered per checkout: `RedisSaleLedger` when several instances run. */
  ledger?: SaleLedger;
  /** How long an attempt waits while another instance's attempt holds its checkout (default 20 s), before a 409. */
  leaseWaitMs?: number;
  /** Clock in ms (tests move it). */
  now?: () => number;
}

// ------------------------------------------------------------------ provider replies
const Iri = z.string().check(z.regex(/^\/[^/]+\//, 'Expected an IRI.'));
const Cents = z.int().check(z.minimum(0));
const Violation = z.looseObject({ propertyPath: z.string(), message: z.string() });
const HydraError = z.looseObject({
  'hydra:description': z.optional(z.string()),
  detail: z.optional(z.string()),
  message: z.optional(z.string()),
  violations: z.optional(z.array(Violation)),
});
const Token = z.looseObject({ access_token: z.string().check(z.minLength(1)), expires_in: z.number().check(z.positive()) });
const Tag = z.looseObject({ name: z.string(), validFrom: z.optional(z.nullable(z.string())), validThrough: z.optional(z.nullable(z.string())) });
const Contact = z.looseObject({
  '@id': Iri,
  number: z.optional(z.nullable(z.string())),
  givenName: z.optional(z.nullable(z.string())),
  familyName: z.optional(z.nullable(z.string())),
  email: z.optional(z.nullable(z.string())),
  tags: z.optional(z.array(Tag)),
  address: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
});
const collection = <T extends z.ZodMiniType>(item: T) =>
  z.looseObject({ 'hydra:member': z.array(item), 'hydra:view': z.optional(z.looseObject({ 'hydra:next': z.optional(z.string()) })) });
const ContactList = collection(Contact);
const Stats = z.looseObject({ totalRealDebt: Cents });
const Offer = z.looseObject({ '@id': Iri, name: z.optional(z.nullable(z.string())), priceTI: Cents });
const OfferList = collection(Offer);
const Product = z.looseObject({
  '@id': Iri,
  name: z.string(),
  type: z.optional(z.nullable(z.string())),
  productBehaviors: z.optional(z.array(z.looseObject({ type: z.string() }))),
  offers: z.optional(z.array(z.union([z.string(), Offer]))),
});
const ProductList = collection(Product);
const Sale = z.looseObject({
  '@id': Iri,
  totalTI: Cents,
  checkoutId: z.optional(z.nullable(Iri)),
  // Not in the excerpt (see `saleListsPayments`): a sale leaves `draft` when settled, and lists
  // its payments. Where a live API lacks them, step 3 of the duplicate guard is blind, and an
  // unknown payment stays unknown.
  state: z.optional(z.nullable(z.string())),
  payments: z.optional(z.nullable(z.array(z.unknown()))),
});
type Sale = z.infer<typeof Sale>;
const Article = z.looseObject({
  hasImplementationErrors: z.optional(z.boolean()),
  implementationErrors: z.optional(z.nullable(z.array(Violation))),
});

interface PlannedArticle {
  line: number;
  body: { offerId: string; implementation?: { startDate: string } };
}

/** What a sale's articles are, to tell whether a prepared sale still fits the cart. */
const planKey = (articles: PlannedArticle[]): string => JSON.stringify(articles.map((a) => a.body));

export class ResamaniaAdapter implements LoyaltyProvider {
  readonly capabilities: LoyaltyCapabilities;
  readonly #o: ResamaniaOptions;
  readonly #http: UpstreamClient;
  readonly #ledger: SaleLedger;
  readonly #leaseWaitMs: number;
  readonly #now: () => number;
  readonly #clubIri: string;
  readonly #running = new Map<string, Promise<SaleRecord>>();
  /** The OAuth access token: renewed 1 min (at most a tenth of `expires_in`) before it expires. */
  readonly #token: TokenCache;

  constructor(options: ResamaniaOptions, deps: ResamaniaDependencies = {}) {
    this.#o = options;
    this.#ledger = reportingFailures(deps.ledger ?? new MemorySaleLedger());
    this.#leaseWaitMs = deps.leaseWaitMs ?? 20_000;
    this.#now = deps.now ?? Date.now;
    // IRIs everywhere (NOTES): a bare numeric club id would get 404.
    this.#clubIri = /^\d+$/.test(options.clubId) ? `/${options.clientToken}/clubs/${options.clubId}` : options.clubId;
    // The gateway key goes on every call, the token request included.
    this.#http = new UpstreamClient({ provider: 'resamania', name: 'Resamania', baseUrl: gatewayBase(options.baseUrl, options.clientToken), timeoutMs: options.timeoutMs, headers: { 'x-gravitee-api-key': options.apiKey } });
    this.#token = new TokenCache({ fetch: () => this.#fetchToken(), renewMarginMs: (lifetime) => Math.min(60_000, lifetime / 10), now: this.#now });
    this.capabilities = {
      provider: 'resamania',
      lookup: { kinds: ['email'] },
      spend: false,
      hold: false,
      earn: false,
      debt: true,
      catalog: true,
      // `none`: a zero amount due, settled by the `validate` transition (:362-375).
      paymentMethods: ['card', 'cash', 'cheque', 'external', 'none'],
      proof: 'none',
    };
  }

  // ---------------------------------------------------------------- identify
  async identify(query: string, ctx: CallContext): Promise<CustomerRecord> {
    const email = query.trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      throw new ProblemError('validation', 'Enter the e-mail address the club knows you by.', { errors: [{ field: 'query', message: 'Enter an e-mail address.' }] });
    }
    // NOTES: the e-mail is the contact's unique key; `GET contacts?email=` → `hydra:member`.
    const found = await this.#get(`/${this.#o.clientToken}/contacts`, ContactList, ctx, { email });
    const member = found['hydra:member'][0];
    if (!member) throw new ProblemError('not-found', 'No member of the club has this e-mail address.', { errors: [{ field: 'query', message: 'No member with this e-mail address.' }] });
    const [contact, stats] = await Promise.all([
      // The list view may leave tags out; the contact itself has them (the document's way).
      member.tags ? member : this.#get(member['@id'], Contact, ctx),
      this.#get(this.#statsPath(member['@id']), Stats, ctx),
    ]);
    const today = this.#today();
    const data: ResamaniaContactData = {
      contactNumber: contact.number ?? '',
      givenName: contact.givenName ?? '',
      familyName: contact.familyName ?? '',
      // Tags outside their validity window no longer select offers.
      tags: (contact.tags ?? []).filter((t) => (!t.validFrom || t.validFrom.slice(0, 10) <= today) && (!t.validThrough || today <= t.validThrough.slice(0, 10))).map((t) => t.name),
      ...(contact.address ? { address: contact.address } : {}),
    };
    return {
      providerId: contact['@id'],
      name: `${data.givenName} ${data.familyName}`.trim() || email,
      email: contact.email ?? email,
      debt: this.#money(stats.totalRealDebt),
      data,
    };
  }

  /** Resamania has no points: nothing to spend, nothing earned. No upstream call. */
  async quote(input: QuoteInput): Promise<LoyaltyQuote> {
    this.#checkCurrency(input.cart.currency);
    const zero = this.#money(0);
    return { balance: { value: zero }, spendable: { min: zero, max: zero, step: 1 }, discount: zero };
  }

  // ---------------------------------------------------------------- catalog
  /** The offers this contact may buy now, from the catalog for their sale context. Safe to repeat. */
  async catalog(customer: CustomerRecord, ctx: CallContext, filter: CatalogFilter = {}): Promise<CatalogOffer[]> {
    const data = this.#contactData(customer);
    const query = {
      'context[channel]': this.#o.channel,
      'context[club]': this.#clubIri,
      // NOTES: the live API reads `context[contactTags][]`; the excerpt writes `context[contactTag]`.
      'context[contactTags][]': data.tags,
      'context[contactId]': customer.providerId,
      'context[debt]': String(customer.debt?.amount ?? 0),
      'context[date]': filter.date ?? this.#today(),
      type: filter.type,
      itemsPerPage: '100',
    };
    const products: Array<z.infer<typeof Product>> = [];
    let page = await this.#get(`/${this.#o.clientToken}/products`, ProductList, ctx, query);
    for (let n = 1; ; n++) {
      products.push(...page['hydra:member']);
      const next = page['hydra:view']?.['hydra:next'];
      if (!next || n >= MAX_CATALOG_PAGES) break;
      page = await this.#get(next, ProductList, ctx);
    }
    const offers: CatalogOffer[] = [];
    for (const product of products) {
      const listed = product.offers ?? [];
      // Offers may come as IRIs only: then ask for the product's offers.
      const full = listed.length > 0 && listed.every((o) => typeof o !== 'string') ? (listed as Array<z.infer<typeof Offer>>) : (await this.#get(`/${this.#o.clientToken}/offers`, OfferList, ctx, { product: product['@id'] }))['hydra:member'];
      const needsStartDate = START_DATE_KINDS.has(product.type ?? '') || (product.productBehaviors ?? []).some((b) => START_DATE_KINDS.has(b.type));
      for (const offer of full) {
        offers.push({
          id: offer['@id'],
          productId: product['@id'],
          name: offer.name || product.name,
          productName: product.name,
          category: product.type ?? 'regular',
          price: this.#money(offer.priceTI),
          needsStartDate,
        });
      }
    }
    return offers;
  }

  // ---------------------------------------------------------------- sale
  /**
   * Sells the cart to the contact. Cart lines name offers (`sku` = offer IRI); a subscription
   * starts on the line's `data.startDate`, or today. Moves money: see the class comment for
   * how one checkout gets at most one payment.
   */
  async recordSale(input: RecordSaleInput, ctx: CallContext): Promise<SaleRecord> {
    this.#checkCurrency(input.cart.currency);
    if (input.spend !== 0) throw new ProblemError('validation', 'Resamania has no points to spend.', { errors: [{ field: 'amount', message: 'Nothing can be spent here.' }] });
    // Refused before anything is sent: a method this club cannot record.
    if (input.method === 'none') {
      if (input.paid.amount !== 0) throw new ProblemError('validation', 'Nothing to pay is only for a zero amount due.', { errors: [{ field: 'method', message: 'An amount is due.' }] });
    } else {
      this.#meanFor(input.method);
    }
    // One attempt per checkout at a time: a concurrent call in this process shares the running
    // one; another instance's attempt is waited for (the ledger's lease).
    const running = this.#running.get(input.reference);
    if (running) return running;
    const attempt = this.#ledger
      .withLease(input.reference, this.#leaseWaitMs, (lease) => this.#recordSale(input, ctx, lease))
      .then((leased) => {
        if (leased.held) return leased.value;
        throw new ProblemError('conflict', 'Another attempt to record this checkout\'s sale is still running; ask for the checkout\'s status.', { retryable: true, headers: { 'Retry-After': '1' } });
      })
      .finally(() => this.#running.delete(input.reference));
    this.#running.set(input.reference, attempt);
    return attempt;
  }

  /**
   * Before the shop's PSP (or FLOA) takes the money: the sale is created with its articles and
   * checked (:139-234: `check` answers 204, or 400 with the reasons "shown to the user, no
   * payment attempted"), and its total compared with the amount due. The ledger keeps the
   * sale: `recordSale` resumes at `check` and pays it. Nothing is paid here.
   */
  async prepareSale(input: RecordSaleInput, ctx: CallContext): Promise<void> {
    this.#checkCurrency(input.cart.currency);
    if (input.paid.amount === 0 || this.#running.has(input.reference)) return;
    const leased = await this.#ledger.withLease(input.reference, this.#leaseWaitMs, async (lease) => {
      const plan = await this.#plan(input, ctx);
      let entry = await this.#ledger.get(input.reference);
      // Being paid, or paid: `recordSale` settles it.
      if (entry?.stage === 'settling' || entry?.stage === 'settled') return;
      if (entry && (entry.stage === 'created' || entry.plan !== planKey(plan) || !(await this.#readSale(entry.sale, ctx, true)))) entry = undefined;
      entry ??= await this.#createSale(input, plan, ctx, lease);
      await this.#check(entry, ctx);
      const sale = (await this.#readSale(entry.sale, ctx))!;
      if (sale.totalTI !== input.paid.amount) {
        throw new ProblemError('amount-changed', `Resamania prices this sale at ${this.#format(sale.totalTI)}, the cart at ${this.#format(input.paid.amount)}. Nothing was charged.`, { retryable: false });
      }
    });
    if (!leased.held) throw new ProblemError('conflict', 'This checkout\'s sale is being recorded; ask for the checkout\'s status.', { retryable: true, headers: { 'Retry-After': '1' } });
  }

  /**
   * After `recordSale` failed with an unknown outcome: was the sale recorded? Only reads
   * (the ledger, then the sale, :235-250), under the checkout's lease, so never while an
   * attempt for it runs (then: `unknown`).
   * - the ledger shows no settling call (the sale was created or filled, never settled):
   *   `not-recorded` — the ledger is written before a settling call is sent;
   * - settled, or the sale has a payment or left `draft`: `recorded`;
   * - the sale lists no payment and is still `draft`, and `unknownOutcomeWaitMs` has passed
   *   since the call (a late commit would show by then): `not-recorded` (`saleListsPayments`);
   * - anything else (no ledger entry, the sale gone or silent): `unknown`.
   */
  async saleOutcome(input: RecordSaleInput, ctx: CallContext): Promise<SaleOutcome> {
    if (this.#running.has(input.reference)) return { state: 'unknown' };
    const leased = await this.#ledger.withLease(input.reference, 0, async (): Promise<SaleOutcome> => {
      const entry = await this.#ledger.get(input.reference);
      // No entry: this ledger never saw the attempt (not shared with the instance that made it?).
      if (!entry) return { state: 'unknown' };
      if (entry.stage === 'created' || entry.stage === 'articles') return { state: 'not-recorded' };
      if (entry.stage === 'settled') return { state: 'recorded', sale: this.#receipt(input) };
      const sale = await this.#readSale(entry.sale, ctx, true);
      if (sale && isSettled(sale)) return { state: 'recorded', sale: this.#receipt(input) };
      return { state: this.#provedUnpaid(entry, sale) ? 'not-recorded' : 'unknown' };
    });
    return leased.held ? leased.value : { state: 'unknown' };
  }

  async #recordSale(input: RecordSaleInput, ctx: CallContext, lease: string): Promise<SaleRecord> {
    const receipt = this.#receipt(input);
    let entry = await this.#ledger.get(input.reference);
    // Settled by an earlier attempt whose answer we saw: nothing to ask Resamania.
    if (entry?.stage === 'settled') return receipt;
    if (entry) {
      // A previous attempt made a sale: look at it before doing anything else.
      const sale = await this.#readSale(entry.sale, ctx, true);
      if (sale && isSettled(sale)) return this.#settled(input.reference, entry, receipt);
      if (entry.stage === 'settling' && !this.#provedUnpaid(entry, sale)) {
        // Still waiting for a late commit, or the sale cannot tell: never a second payment.
        const waiting = this.#o.saleListsPayments && sale && shows(sale) && this.#now() - (entry.settlingSince ?? 0) < this.#o.unknownOutcomeWaitMs;
        throw waiting
          ? new ProblemError('payment-outcome-unknown', 'The payment sent to Resamania is not confirmed yet. Wait a minute and check again before taking another payment.', { retryable: true })
          : new ProblemError('payment-outcome-unknown', 'A payment sent to Resamania for this checkout may have been recorded, and its sale cannot tell. Check it in the club\'s back office before taking another payment.', { retryable: false });
      }
      // A sale whose articles are incomplete (or that vanished before any payment) is left as a draft: no accounting effect.
      if (!sale || entry.stage === 'created') entry = undefined;
    }
    const plan = await this.#plan(input, ctx);
    // Prepared for a cart that changed since: a new sale for this one (the old draft has no accounting effect).
    if (entry && entry.plan !== undefined && entry.plan !== planKey(plan)) entry = undefined;
    entry ??= await this.#createSale(input, plan, ctx, lease);

    await this.#check(entry, ctx);
    // Re-read just before settling: never a second payments call for a sale already paid.
    const sale = (await this.#readSale(entry.sale, ctx))!;
    if (isSettled(sale)) return this.#settled(input.reference, entry, receipt);
    if (sale.totalTI !== input.paid.amount) {
      throw new ProblemError('conflict', `Resamania prices this sale at ${this.#format(sale.totalTI)}, the cart at ${this.#format(input.paid.amount)}. Nothing was charged; refresh the cart.`);
    }
    await this.#settle(input, entry, sale, lease);
    return receipt;
  }

  /**
   * The settling call of `entry` provably recorded nothing: its sale lists no payment and is
   * still `draft` (`saleListsPayments`), long enough after the call for a late commit to show.
   */
  #provedUnpaid(entry: SaleLedgerEntry, sale: Sale | undefined): boolean {
    return this.#o.saleListsPayments && !!sale && shows(sale) && this.#now() - (entry.settlingSince ?? 0) >= this.#o.unknownOutcomeWaitMs;
  }

  #receipt(input: RecordSaleInput): SaleRecord {
    return { reference: input.reference, discount: this.#money(0), spent: { value: this.#money(0) } };
  }

  /** A ledger write that leads towards a payment: only while this attempt still holds the checkout. */
  async #write(reference: string, entry: SaleLedgerEntry, lease: string): Promise<void> {
    if (!(await this.#ledger.set(reference, entry, lease))) {
      throw new ProblemError('conflict', 'Another attempt took this checkout over; this one stopped before any payment.', { retryable: true, headers: { 'Retry-After': '1' } });
    }
  }

  /** Checks every cart line against the contact's catalog and plans its articles. Nothing is written. */
  async #plan(input: RecordSaleInput, ctx: CallContext): Promise<PlannedArticle[]> {
    const catalog = new Map((await this.catalog(input.customer, ctx)).map((offer) => [offer.id, offer]));
    const today = this.#today();
    const errors: FieldError[] = [];
    const planned: PlannedArticle[] = [];
    input.cart.lines.forEach((line, i) => {
      const offer = catalog.get(line.sku);
      if (!offer) {
        errors.push({ field: `cart.lines.${i}.sku`, message: `"${line.name}" is not available to this member.` });
        return;
      }
      if (line.unitPrice.amount !== offer.price.amount) {
        errors.push({ field: `cart.lines.${i}.unitPrice`, message: `The club sells "${offer.name}" at ${this.#format(offer.price.amount)}, not ${this.#format(line.unitPrice.amount)}.` });
      }
      let startDate: string | undefined;
      if (offer.needsStartDate) {
        const given = lineData(line).startDate;
        if (given !== undefined && (typeof given !== 'string' || !isIsoDate(given))) {
          errors.push({ field: `cart.lines.${i}.data.startDate`, message: 'Enter the start date as YYYY-MM-DD.' });
        }
        startDate = typeof given === 'string' ? given : today;
      }
      // The article body has no quantity: one article per unit.
      for (let unit = 0; unit < line.quantity; unit++) {
        planned.push({ line: i, body: { offerId: offer.id, ...(startDate ? { implementation: { startDate } } : {}) } });
      }
    });
    if (errors.length) throw new ProblemError('rejected', errors.map((e) => e.message).join(' '), { errors });
    if (!planned.length) throw new ProblemError('validation', 'The cart is empty.', { errors: [{ field: 'cart.lines', message: 'Add an offer.' }] });
    return planned;
  }

  async #createSale(input: RecordSaleInput, articles: PlannedArticle[], ctx: CallContext, lease: string): Promise<SaleLedgerEntry> {
    const data = this.#contactData(input.customer);
    // Sent once (not `safe`): a repeat would open a second sale.
    const created = await this.#send(`/${this.#o.clientToken}/sales`, {
      method: 'POST',
      json: {
        contactId: input.customer.providerId,
        contactFamilyName: data.familyName,
        contactGivenName: data.givenName,
        contactNumber: data.contactNumber,
        clubId: this.#clubIri,
        clubCode: this.#o.clubCode,
        ...(data.address ? { address: pickAddress(data.address) } : {}),
      },
      signal: ctx.signal,
    });
    if (created.status !== 201 && created.status !== 200) throw this.#rejection(created, () => 'customer', 'Resamania refused to open a sale for this member.');
    const entry: SaleLedgerEntry = { sale: this.#parse(Sale, created.body)['@id'], stage: 'created', articleLines: [], plan: planKey(articles), updatedAt: this.#now() };
    await this.#write(input.reference, entry, lease);

    for (const article of articles) {
      const added = await this.#send(`${entry.sale}/articles`, { method: 'POST', json: article.body, signal: ctx.signal });
      if (added.status !== 201 && added.status !== 200) throw this.#rejection(added, () => `cart.lines.${article.line}.sku`, 'Resamania refused this offer.');
      entry.articleLines.push(article.line);
      // Missing behaviour details do not refuse the article: they are reported on it.
      const { hasImplementationErrors, implementationErrors } = this.#parse(Article, added.body);
      if (hasImplementationErrors || implementationErrors?.length) {
        const errors = (implementationErrors ?? []).map((v) => ({ field: `cart.lines.${article.line}.data.${v.propertyPath}`, message: v.message }));
        throw new ProblemError('rejected', errors.map((e) => e.message).join(' ') || 'Resamania needs more details for this offer.', { errors });
      }
    }
    entry.stage = 'articles';
    entry.updatedAt = this.#now();
    await this.#write(input.reference, entry, lease);
    return entry;
  }

  /** `GET …/check`: 204 = valid; 400 = the reasons, shown to the user, and no payment. */
  async #check(entry: SaleLedgerEntry, ctx: CallContext): Promise<void> {
    const response = await this.#send(`${entry.sale}/check`, { signal: ctx.signal, safe: true });
    if (response.status === 204 || response.status === 200) return;
    throw this.#rejection(response, (path) => fieldFor(path, entry.articleLines), 'Resamania refused the sale.');
  }

  /**
   * The payment mean a method is recorded with. Checked again here, not only in the options:
   * money already collected is never sent as anything but a payment (never `postpone_due`).
   */
  #meanFor(method: RecordSaleInput['method']): Mean {
    const mean: unknown = method === 'none' ? undefined : this.#o.paymentMean[method];
    if ((MEANS as readonly unknown[]).includes(mean)) return mean as Mean;
    throw new ProblemError('validation', `Payment method "${method}" cannot be recorded in Resamania as ${mean === undefined ? 'a payment' : `"${String(mean)}"`}; nothing was sent.`, {
      errors: [{ field: 'method', message: 'Not available.' }],
    });
  }

  async #settle(input: RecordSaleInput, entry: SaleLedgerEntry, sale: Sale, lease: string): Promise<void> {
    let path: string;
    let json: unknown;
    // Only a payment moves money (:254-258); the zero-amount `validate` records none.
    let moves: boolean;
    if (sale.totalTI === 0) {
      // "If — and only if — you create a sale with a zero amount" (:362-375), whatever the method.
      path = `${entry.sale}/transitions`;
      json = { transition: 'validate' };
      moves = false;
    } else {
      // `none` never reaches here: its amount due is zero, and the sale's total was checked against it.
      const mean = this.#meanFor(input.method);
      if (!sale.checkoutId) throw new ProblemError('upstream-unavailable', 'Resamania gave no register (checkoutId) for this sale; nothing was charged.', { retryable: false });
      path = `${entry.sale}/payments`;
      json = this.#paymentBody(input, mean, sale.totalTI, sale.checkoutId);
      moves = true;
    }
    // Written before the call, while this attempt still holds the checkout: if its outcome is
    // lost, every instance knows a payment may exist.
    Object.assign(entry, { stage: 'settling', settlingSince: this.#now(), updatedAt: this.#now() });
    await this.#write(input.reference, entry, lease);
    let response: UpstreamResponse;
    try {
      // No signal: once sent, a settling call runs to its end, whatever the browser does.
      response = await this.#send(path, { method: 'POST', json, unsafe: moves });
    } catch (error) {
      // Only an unknown outcome leaves a payment that may exist. Anything else — the token
      // endpoint failing, a 429, a refused key, an open circuit, or any failure of `validate` —
      // answered before a payment could be recorded: the next attempt may settle at once.
      if (!(error instanceof ProblemError && error.kind === 'payment-outcome-unknown')) await this.#unsettle(input.reference, entry, lease);
      throw error;
    }
    if (response.status >= 200 && response.status < 300) {
      await this.#settled(input.reference, entry, this.#receipt(input));
      return;
    }
    // A 4xx is a validation refusal: nothing was recorded, a later attempt may settle.
    await this.#unsettle(input.reference, entry, lease);
    throw this.#rejection(response, (p) => fieldFor(p, entry.articleLines), moves ? 'Resamania refused the payment; nothing was charged.' : 'Resamania refused to validate the sale.');
  }

  /**
   * Back to "articles added": the settling call provably recorded nothing. Left as "settling"
   * (the safe side) if the lease was lost or the ledger cannot be written.
   */
  async #unsettle(reference: string, entry: SaleLedgerEntry, lease: string): Promise<void> {
    Object.assign(entry, { stage: 'articles', settlingSince: undefined, updatedAt: this.#now() });
    await this.#ledger.set(reference, entry, lease).catch(() => undefined);
  }

  #paymentBody(input: RecordSaleInput, mean: Mean, amount: number, checkout: string) {
    const data = this.#contactData(input.customer);
    return {
      contactId: input.customer.providerId,
      contactFamilyName: data.familyName,
      contactGivenName: data.givenName,
      contactNumber: data.contactNumber,
      amount,
      mean,
      clubId: this.#clubIri,
      clubCode: this.#o.clubCode,
      checkout,
      // A network chosen at the till (POS mode) when it is one Resamania knows, else the configured one.
      ...(mean === 'card' ? { paymentCards: [{ amount, network: (CARD_NETWORKS as readonly string[]).includes(input.cardNetwork ?? '') ? input.cardNetwork : this.#o.cardNetwork }] } : {}),
      // The bank and cheque number when the till recorded them (POS mode); else the club completes them.
      // The cheque number is `cheques[][code]` (resamania-sale-to-existing-customer.txt:289, example :342).
      ...(mean === 'cheque'
        ? { cheques: [{ amount, owner: input.customer.name, depositDesiredDate: this.#today(), ...(input.cheque?.bank ? { bank: input.cheque.bank } : {}), ...(input.cheque?.number ? { code: input.cheque.number } : {}) }] }
        : {}),
    };
  }

  /** The receipt of a settled sale. Noting it in the ledger may fail: the sale shows it to any later attempt. */
  async #settled(reference: string, entry: SaleLedgerEntry, receipt: SaleRecord): Promise<SaleRecord> {
    if (entry.stage !== 'settled') await this.#ledger.set(reference, { ...entry, stage: 'settled', updatedAt: this.#now() }).catch(() => undefined);
    return receipt;
  }

  /** The sale, or `undefined` when `allowMissing` and it no longer exists. */
  async #readSale(iri: string, ctx: CallContext, allowMissing = false): Promise<Sale | undefined> {
    const response = await this.#send(iri, { signal: ctx.signal, safe: true });
    if (response.status === 404 && allowMissing) return undefined;
    if (response.status !== 200) throw new ProblemError('upstream-unavailable', `Resamania could not show the sale (HTTP ${response.status}).`);
    return this.#parse(Sale, response.body);
  }

  /** The OAuth token (NOTES: `oauth/v2/token`): nothing is read or moved. */
  async checkCredentials(): Promise<string> {
    await this.#token.get();
    return 'OAuth token issued';
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  // ---------------------------------------------------------------- HTTP
  /** One token request (the token cache shares it between concurrent callers). */
  async #fetchToken(): Promise<IssuedToken> {
    // Not tied to one caller's signal: other callers share this request. A token request records
    // nothing: safe to repeat.
    const response = await this.#http.request(`/${this.#o.clientToken}/oauth/v2/token`, {
      method: 'POST',
      safe: true,
      form: { grant_type: 'client_credentials', client_id: this.#o.clientId, client_secret: this.#o.clientSecret },
    });
    if (response.status >= 400 && response.status < 500) {
      const code = (response.body as { error?: unknown } | undefined)?.error;
      throw new ProblemError('upstream-unavailable', `Resamania refused the configured API key or client credentials (HTTP ${response.status}${typeof code === 'string' ? `, ${code}` : ''}).`, { retryable: false });
    }
    if (response.status !== 200) throw new ProblemError('upstream-unavailable', `Resamania's token endpoint failed (HTTP ${response.status}).`);
    const token = this.#parse(Token, response.body);
    // `expires_in` counts from the reply.
    const issuedAt = this.#now();
    return { value: token.access_token, issuedAt, expiresAt: issuedAt + token.expires_in * 1000 };
  }

  /**
   * One API call with the gateway key, the bearer token and the club header. 401 → a fresh
   * token and one more try: the gateway or the JWT firewall refused the call before the API
   * ran it, so even a payment may be sent again. 5xx on a money call → outcome unknown.
   */
  async #send(path: string, init: UpstreamRequest): Promise<UpstreamResponse> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.#token.get();
      const response = await this.#http.request(path, {
        ...init,
        headers: {
          authorization: `Bearer ${token}`,
          'x-user-club-id': this.#clubIri,
          ...(this.#o.networkNodeId ? { 'x-user-network-node-id': this.#o.networkNodeId } : {}),
        },
      });
      if (response.status === 401 && attempt === 0) {
        this.#token.drop(token);
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        throw new ProblemError('upstream-unavailable', `Resamania refused the configured credentials or club (HTTP ${response.status}).`, { retryable: false });
      }
      if (response.status === 429) {
        const retryAfter = response.headers.get('retry-after');
        throw new ProblemError('rate-limited', 'Resamania asks to slow down.', retryAfter ? { headers: { 'Retry-After': retryAfter } } : {});
      }
      if (response.status >= 500) {
        throw init.unsafe
          ? new ProblemError('payment-outcome-unknown', `Resamania failed (HTTP ${response.status}); the payment may have been recorded. Check before taking another one.`, { retryable: false })
          : new ProblemError('upstream-unavailable', `Resamania failed (HTTP ${response.status}).`);
      }
      return response;
    }
  }

  async #get<T>(path: string, schema: z.ZodMiniType<T>, ctx: CallContext, query?: UpstreamRequest['query']): Promise<T> {
    const response = await this.#send(path, { query, signal: ctx.signal, safe: true });
    if (response.status === 404) throw new ProblemError('not-found', 'Resamania does not know this member or resource.');
    if (response.status !== 200) throw this.#rejection(response, (p) => p || 'query', `Resamania refused the request (HTTP ${response.status}).`);
    return this.#parse(schema, response.body);
  }

  #parse<T>(schema: z.ZodMiniType<T>, body: unknown): T {
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new ProblemError('upstream-unavailable', 'Resamania sent an unexpected reply.', { retryable: false });
    return parsed.data;
  }

  /** An API Platform error (`violations[]` or `hydra:description`) as a `rejected` problem with fields. */
  #rejection(response: UpstreamResponse, fieldOf: (propertyPath: string) => string, fallback: string): ProblemError {
    const parsed = HydraError.safeParse(response.body);
    const body = parsed.success ? parsed.data : {};
    const errors = (body.violations ?? []).map((v) => ({ field: fieldOf(v.propertyPath), message: v.message }));
    const detail = errors.length ? errors.map((e) => e.message).join(' ') : (body['hydra:description'] ?? body.detail ?? body.message ?? fallback);
    return new ProblemError('rejected', detail, errors.length ? { errors } : {});
  }

  // ---------------------------------------------------------------- small helpers
  /** `/{ct}/contacts/1234` → `/{ct}/stats/accounts/contacts/1234`. */
  #statsPath(contactIri: string): string {
    const match = /^\/([^/]+)\/contacts\/([^/]+)$/.exec(contactIri);
    if (!match) throw new ProblemError('upstream-unavailable', 'Resamania sent an unexpected contact id.', { retryable: false });
    return `/${match[1]}/stats/accounts/contacts/${match[2]}`;
  }

  #contactData(customer: CustomerRecord): ResamaniaContactData {
    const data = customer.data as Partial<ResamaniaContactData> | undefined;
    return {
      contactNumber: data?.contactNumber ?? '',
      givenName: data?.givenName ?? '',
      familyName: data?.familyName ?? customer.name,
      tags: Array.isArray(data?.tags) ? data.tags : [],
      ...(data?.address ? { address: data.address } : {}),
    };
  }

  #today(): string {
    return isoDay(this.#now(), this.#o.timeZone);
  }

  #checkCurrency(currency: string): void {
    if (currency !== this.#o.currency) {
      throw new ProblemError('validation', `This club sells in ${this.#o.currency}; the cart is in ${currency}.`, { errors: [{ field: 'currency', message: `Expected ${this.#o.currency}.` }] });
    }
  }

  /** Resamania cents are the protocol's minor units (the currency has two decimals, checked at start). */
  #money(cents: number): Money {
    return { amount: cents, currency: this.#o.currency };
  }

  #format(cents: number): string {
    return `${minorToDecimal(cents, this.#o.currency)} ${this.#o.currency}`;
  }
}

/**
 * The gateway URL up to the environment: `…/{env}` and `…/{env}/{clientToken}` (with or without
 * a trailing slash) both give `…/{env}/`, to which IRIs (`/{clientToken}/…`) are appended.
 */
export function gatewayBase(baseUrl: string, clientToken: string): string {
  const url = new URL(baseUrl);
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments.at(-1) === clientToken) segments.pop();
  url.pathname = `/${segments.map((s) => `${s}/`).join('')}`;
  return url.toString();
}

/** A payment, a deferral or a validation already happened on this sale. */
function isSettled(sale: Sale): boolean {
  return (typeof sale.state === 'string' && sale.state !== 'draft') || (sale.payments?.length ?? 0) > 0;
}

/** The sale shows both its payments and its state, so an absent payment can be seen. */
function shows(sale: Sale): boolean {
  return Array.isArray(sale.payments) && typeof sale.state === 'string';
}

/** Check violation path → the protocol field a user can act on (`articles[k]` → its cart line). */
function fieldFor(propertyPath: string, articleLines: number[]): string {
  const article = /^articles\[(\d+)\]\.?(.*)$/.exec(propertyPath);
  if (article) {
    const line = articleLines[Number(article[1])];
    if (line === undefined) return 'cart.lines';
    const rest = article[2] ?? '';
    if (rest === '' || rest === 'offerId') return `cart.lines.${line}.sku`;
    const detail = /^implementations?(?:\[\d+\])?\.(.+)$/.exec(rest);
    return detail ? `cart.lines.${line}.data.${detail[1]}` : `cart.lines.${line}.${rest}`;
  }
  if (/^(contact|address)/.test(propertyPath)) return 'customer';
  return propertyPath || 'sale';
}

/** Cart lines may carry details a product needs (`data.startDate`); see the report. */
function lineData(line: CartLine): Record<string, unknown> {
  const data = (line as CartLine & { data?: unknown }).data;
  return data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
}

function pickAddress(address: Record<string, unknown>) {
  const { addressCountry, addressLocality, postalCode, streetAddress } = address;
  return { addressCountry, addressLocality, postalCode, streetAddress };
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The calendar day of `ms` in `timeZone`, as YYYY-MM-DD. */
function isoDay(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

function isIsoDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}
