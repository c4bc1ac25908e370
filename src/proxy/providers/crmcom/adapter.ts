import * as z from 'zod/mini';
import type { Cart, LoyaltyValue, Money } from '../../../protocol/index.js';
import { TokenCache, type IssuedToken } from '../../http/token-cache.js';
import { UpstreamClient, type UpstreamResponse } from '../../http/upstream.js';
import { ProblemError } from '../../problems.js';
import type { CallContext, CustomerRecord, LoyaltyCapabilities, LoyaltyProvider, LoyaltyQuote, QuoteInput, RecordSaleInput, SaleOutcome, SaleRecord } from '../provider.js';
import { decimalToMinor, minorToNumber } from '../units.js';

/**
 * Adapter for CRM.COM's rewards Web API v2 at a point of sale
 * (`shared/providers/crmcom-rewards-pos.txt` and the CRM.COM part of `NOTES.md`).
 *
 * Flow: `rewards_participants/show` (identify) → `customer_events/purchases/preview` (quote) →
 * `customer_events/purchases/create` then `customer_events/spend_requests/create` (record sale).
 * Every call is a POST with the session token in its body. Amounts are decimals in the system
 * currency. A reply whose `status.code` is not `"OK"` is an error even on HTTP 200 (NOTES.md
 * § CRM.COM: "treat the body's status as the truth"); which replies are a clean refusal, and
 * which leave a money-moving call's outcome unknown, is decided in one place (`#classify`).
 * Options, defaults and every code interpreted: `docs/providers/crmcom.md`.
 */

/**
 * What a refusal's `status.code` means to the adapter. `authentication`: the session token or
 * the login was refused (the token is renewed and the call made once more; a refused login is
 * the operator's configuration). `notFound`: nobody or nothing matches (the shopper's lookup
 * field on identify, our configuration elsewhere). `insufficientBalance`, `invalidValue`: a
 * spend the shopper can change (amount field). Any other code is a refusal shown as it is.
 */
export const STATUS_MEANINGS = ['authentication', 'notFound', 'insufficientBalance', 'invalidValue'] as const;
export type StatusMeaning = (typeof STATUS_MEANINGS)[number];

/**
 * Every `status.code` the adapter interprets: the one table, mirrored in
 * `docs/providers/crmcom.md`. The documents show only `OK` (crmcom-rewards-pos.txt:66, :150,
 * :233, :310) and say any other code is an error (NOTES.md § CRM.COM); they name no error code.
 * Every other row is a guess (the simulator's codes), replaced through the `statusCodes` option.
 */
export const STATUS_CODE_TABLE: ReadonlyArray<{ code: string; meaning: 'ok' | StatusMeaning; source: string }> = [
  { code: 'OK', meaning: 'ok', source: 'documented (crmcom-rewards-pos.txt:66, :150, :233, :310)' },
  { code: 'INVALID_TOKEN', meaning: 'authentication', source: 'guessed, configurable (statusCodes.authentication)' },
  { code: 'AUTHENTICATION_FAILED', meaning: 'authentication', source: 'guessed, configurable (statusCodes.authentication)' },
  { code: 'NOT_FOUND', meaning: 'notFound', source: 'guessed, configurable (statusCodes.notFound)' },
  { code: 'INSUFFICIENT_BALANCE', meaning: 'insufficientBalance', source: 'guessed, configurable (statusCodes.insufficientBalance)' },
  { code: 'INVALID_VALUE', meaning: 'invalidValue', source: 'guessed, configurable (statusCodes.invalidValue)' },
  { code: 'MANDATORY_FIELD', meaning: 'invalidValue', source: 'guessed, configurable (statusCodes.invalidValue)' },
];

/** The documented success code (crmcom-rewards-pos.txt:66). */
const OK = 'OK';

/** One row set of the `statusCodes` option, defaulting to the table's guesses. */
const codeList = (meaning: StatusMeaning, description: string) =>
  z._default(z.array(z.string().check(z.minLength(1))), () => STATUS_CODE_TABLE.filter((row) => row.meaning === meaning).map((row) => row.code)).check(z.describe(description));
const StatusCodes = z.object({
  authentication: codeList('authentication', 'Codes of a refused session token or login: the token is renewed and the call made once more.'),
  notFound: codeList('notFound', "Codes of \"nobody or nothing matches\": the shopper's lookup on identify, our configuration elsewhere."),
  insufficientBalance: codeList('insufficientBalance', 'Codes of a spend larger than the balance, which the shopper can change.'),
  invalidValue: codeList('invalidValue', 'Codes of an invalid spend, which the shopper can change.'),
});

/** Proof of ownership a programme may issue (NOTES.md § CRM.COM: the identifier forms of `rewards_participants/show`). */
export const CRMCOM_PROOFS = ['none', 'pass-code', 'one-time-password'] as const;

export const CrmcomOptions = z.object({
  provider: z.literal('crmcom'),
  baseUrl: z.url().check(z.describe('The CRM.COM server, e.g. `https://acme.crm.com`.')),
  apiPath: z._default(z.string().check(z.regex(/^\/[A-Za-z0-9/_.-]*$/)), '/crmapi/rest/v2').check(z.describe('Path of the Web API under the server; configurable because releases move it.')),
  username: z.string().check(z.minLength(1), z.describe('User of `authentication/token`.')),
  password: z.string().check(z.minLength(1), z.describe("That user's password; keep it in the environment.")),
  organisation: z.string().check(z.minLength(1), z.describe('Organisation of `authentication/token`.')),
  unit: z.string().check(z.minLength(1), z.describe("Unit name sent as `performed_by_unit_identifier.name` (the merchant's store).")),
  loginUnit: z.optional(z.string().check(z.minLength(1))).check(z.describe("Unit id to log in with (`authentication/token`'s optional `unit`); the user's default otherwise.")),
  externalSystem: z.optional(z.string().check(z.minLength(1))).check(z.describe('Identifier of this POS, sent as `external_system`; not sent when unset.')),
  currency: z._default(z.string().check(z.regex(/^[A-Z]{3}$/)), 'EUR').check(z.describe("ISO 4217 code of the programme's system currency; carts in another currency are refused.")),
  vatPercent: z.optional(z.number().check(z.minimum(0), z.maximum(100))).check(
    z.meta({ unit: 'percent', description: "VAT rate included in the cart's prices, to split each line into net and VAT amounts. Unset: the whole line is sent as net with 0 VAT (the cart does not say)." }),
  ),
  timeoutMs: z._default(z.int().check(z.positive()), 8000).check(z.meta({ unit: 'ms', description: 'Timeout of each call to CRM.COM.' })),
  proof: z._default(z.enum(CRMCOM_PROOFS), 'none').check(
    z.describe(
      'The code a shopper gives to prove the account is theirs before spending (SPEC §4a), checked by `rewards_participants/show` (NOTES.md § CRM.COM): ' +
        '`pass-code` (the access token they were found by + its `pass_code`), `one-time-password`, or `none`. ' +
        "Default `none`: whether a programme issues pass codes or one-time passwords is the operator's to say.",
    ),
  ),
  statusCodes: z._default(StatusCodes, () => StatusCodes.parse({})).check(
    z.describe(
      'The `status.code` values that carry a meaning (docs/providers/crmcom.md lists them). The documents name none: the defaults are guesses; set the live system\'s codes here. Setting one list keeps the defaults of the others.',
    ),
  ),
}).check(z.meta({ title: 'CRM.COM rewards', description: "CRM.COM rewards (Web API v2) at a point of sale: participants by number or access token, wallet balance, purchase preview, purchase and spend request." }));
export type CrmcomOptions = z.infer<typeof CrmcomOptions>;

/** What tests may replace: the clock that decides when the token is renewed, and the log. */
export interface CrmcomDependencies {
  now?: () => number;
  /** Where configuration problems (a refused login) are reported; never given a secret. */
  log?: (message: string) => void;
}

/** Tokens live 2 h (R12+, NOTES); renewed this long before they lapse. */
const TOKEN_LIFETIME_MS = 2 * 60 * 60 * 1000;
const TOKEN_RENEW_MARGIN_MS = 5 * 60 * 1000;

// ------------------------------------------------------------------ replies
/** The API writes amounts as numbers (7.9) or strings ("10.00"). */
const Decimal = z.union([z.number(), z.string()]);
const Status = z.object({ code: z.string(), message: z.nullish(z.string()), description: z.nullish(z.string()) });
const Envelope = z.object({ status: Status, data: z.optional(z.unknown()) });
type Status = z.infer<typeof Status>;

const TokenData = z.object({ token: z.string().check(z.minLength(1)) });
const ParticipantData = z.object({
  id: z.optional(z.string()),
  number: z.optional(z.string()),
  wallet: z.object({ id: z.optional(z.string()), number: z.optional(z.string()), balance: Decimal }),
  accounts_receivable: z.object({
    id: z.optional(z.string()),
    number: z.string(),
    name: z.optional(z.string()),
    // Only the name is kept: e-mail, phone and the rest of the owner stay out of the record.
    account_owner: z.optional(z.object({ name: z.optional(z.string()) })),
  }),
});
const WalletData = z.object({ wallet: z.object({ balance: Decimal }) });
/** Who a proof of ownership resolved to. */
const OwnerData = z.object({ id: z.optional(z.string()), accounts_receivable: z.object({ number: z.string() }) });
const PreviewData = z.object({
  total_additional_spend_amount: z.optional(Decimal),
  total_automatic_spend_amount: z.optional(Decimal),
  total_instant_spend_amount: z.optional(Decimal),
  total_award_amount: z.optional(Decimal),
  reduction_method: z.optional(z.string()),
  // NOTES: preview also returns these three.
  minimum_spend_amount_per_transaction: z.optional(Decimal),
  maximum_spend_amount_per_transaction: z.optional(Decimal),
  wallet_balance: z.optional(Decimal),
});
const PurchaseData = z.object({
  number: z.string(),
  // The example reply says `total_awarded_amount`; the closing step says `total_award_amount`.
  total_awarded_amount: z.optional(Decimal),
  total_award_amount: z.optional(Decimal),
  total_instant_spend_amount: z.optional(Decimal),
  total_automatic_spend_amount: z.optional(Decimal),
});
const SpendData = z.object({
  number: z.string(),
  spend_amount: z.optional(Decimal),
  spend_reward_transaction: z.optional(
    z.object({
      total_amount: z.optional(Decimal),
      // The document's example reply spells the actual amount `total_number`.
      total_number: z.optional(Decimal),
    }),
  ),
});

const PREVIEW_FIELDS = [
  'total_additional_spend_amount',
  'total_automatic_spend_amount',
  'total_instant_spend_amount',
  'total_award_amount',
  'reduction_method',
  'minimum_spend_amount_per_transaction',
  'maximum_spend_amount_per_transaction',
  'wallet_balance',
].join(',');
const PURCHASE_FIELDS = 'number,reference_number,total_awarded_amount,total_award_amount,total_instant_spend_amount,total_automatic_spend_amount';
const SPEND_FIELDS = 'number,spend_amount,reduction_method,spend_reward_transaction';

/** Which call failed: decides which protocol field a refusal belongs to. */
type Call = 'token' | 'identify' | 'verify' | 'balance' | 'preview' | 'purchase' | 'spend' | 'cancel';

/**
 * Whether a call may be sent again. `safe` calls record nothing (the login,
 * `rewards_participants/show`, `purchases/preview`): the client retries them on a transport
 * failure, a timeout, a 5xx or a short 429. `unsafe` calls record or cancel an event: sent once,
 * and any reply that is not a clean refusal leaves its outcome unknown.
 */
type Mode = 'safe' | 'unsafe';

interface CrmcomCustomerData extends Record<string, unknown> {
  participantId?: string;
  participantNumber?: string;
  accountId?: string;
  accountNumber: string;
  walletId?: string;
  walletNumber?: string;
  /** Wallet balance at identification, in minor units. */
  walletBalance: number;
  /** The access token's authentication code the participant was found by (absent when found by number). */
  accessCode?: string;
}

/**
 * What one reply says, before the caller decides what it means to the shopper:
 * - `ok`: HTTP 2xx, `status.code` "OK", data of the expected shape;
 * - `refused`: a clean refusal: `status.code` not "OK" on HTTP 2xx (NOTES.md § CRM.COM) or on a
 *   4xx other than 401/403/408/429 (the request was refused, and the body says why). Nothing
 *   was done;
 * - `auth`: HTTP 401/403, or a refusal whose code means `authentication`: nothing was done,
 *   the token (or the login) was refused;
 * - `rate-limited`: HTTP 429: refused before it ran (RFC 6585 §4), nothing done;
 * - `failed`: anything else (a 5xx whatever its body, a 408, a reply of the wrong shape): not a
 *   clean refusal, so a call that moves money may have been committed.
 */
type Reply<T> =
  | { kind: 'ok'; http: number; data: T }
  | { kind: 'refused' | 'auth'; http: number; status?: Status }
  | { kind: 'rate-limited'; http: number; retryAfter?: string }
  | { kind: 'failed'; http: number; what: string; retryAfter?: string };
type Failure = Exclude<Reply<unknown>, { kind: 'ok' }>;

export class CrmcomAdapter implements LoyaltyProvider {
  readonly capabilities: LoyaltyCapabilities;
  readonly #o: CrmcomOptions;
  readonly #http: UpstreamClient;
  readonly #now: () => number;
  readonly #log: (message: string) => void;
  /** `status.code` → its meaning, from the `statusCodes` option. */
  readonly #meanings: Map<string, StatusMeaning>;
  /** The session token: renewed 5 min (at most a tenth of its lifetime) before it lapses. */
  readonly #token: TokenCache;

  constructor(options: CrmcomOptions, deps: CrmcomDependencies = {}) {
    this.#o = options;
    this.#now = deps.now ?? Date.now;
    this.#log = deps.log ?? ((message) => console.error(`[checkout-proxy] ${message}`));
    this.#meanings = new Map();
    for (const meaning of STATUS_MEANINGS) for (const code of options.statusCodes[meaning]) if (!this.#meanings.has(code)) this.#meanings.set(code, meaning);
    this.capabilities = {
      provider: 'crmcom',
      lookup: { kinds: ['phone', 'email', 'card', 'number'] },
      spend: true,
      hold: false,
      earn: true,
      debt: false,
      catalog: false,
      // CRM.COM records the purchase and the spend; the POS closes the sale with the customer's
      // payment itself (crmcom-rewards-pos.txt:318), so a payment the shop's PSP took is recorded alike.
      paymentMethods: ['card', 'cash', 'external'],
      proof: options.proof,
    };
    this.#http = new UpstreamClient({ provider: 'crmcom', name: 'The rewards service', baseUrl: options.baseUrl, timeoutMs: options.timeoutMs });
    this.#token = new TokenCache({ fetch: () => this.#login(), renewMarginMs: (lifetime) => Math.min(TOKEN_RENEW_MARGIN_MS, lifetime / 10), now: this.#now });
  }

  async identify(query: string, ctx: CallContext): Promise<CustomerRecord> {
    const code = authenticationCode(query);
    const fields_set = 'id,number,wallet,accounts_receivable';
    let participant: z.infer<typeof ParticipantData>;
    let accessCode: string | undefined = code;
    try {
      // Access tokens carry the phone, e-mail or card; the participant number is the fallback.
      participant = await this.#call('rewards_participants/show', { rewards_participant_identifier: { access_token_identifier: { authentication_code: code } }, fields_set }, ParticipantData, 'identify', ctx, 'safe');
    } catch (error) {
      // Participant numbers are plain codes; an e-mail cannot be one.
      if (!(error instanceof ProblemError && error.kind === 'not-found') || !/^[A-Za-z0-9_-]+$/.test(query.trim())) throw error;
      participant = await this.#call('rewards_participants/show', { rewards_participant_identifier: { number: query.trim() }, fields_set }, ParticipantData, 'identify', ctx, 'safe');
      accessCode = undefined;
    }
    const { wallet, accounts_receivable: account } = participant;
    const data: CrmcomCustomerData = {
      participantId: participant.id,
      participantNumber: participant.number,
      accountId: account.id,
      accountNumber: account.number,
      walletId: wallet.id,
      walletNumber: wallet.number,
      walletBalance: this.#minor(wallet.balance),
      ...(accessCode !== undefined ? { accessCode } : {}),
    };
    const name = account.account_owner?.name ?? account.name ?? '';
    return { providerId: providerIdOf(participant), name, ...contactOf(query, code), data };
  }

  /**
   * Proof of ownership: `rewards_participants/show` with the identifier forms NOTES.md § CRM.COM
   * lists besides the authentication code, `access_token_identifier` with `identifier` +
   * `pass_code`, or with `one_time_password`. True only when CRM.COM resolves the code to this
   * same participant; a refused code (any clean refusal) is false; a failure throws.
   */
  async verify(customer: CustomerRecord, code: string, ctx: CallContext): Promise<boolean> {
    const secret = code.trim();
    if (this.#o.proof === 'none' || secret === '') return false;
    const data = customerData(customer);
    let accessToken: Record<string, string>;
    if (this.#o.proof === 'pass-code') {
      // The documents do not say what `identifier` holds: the access token the shopper was found
      // by. Found by participant number, there is no access token to pair the pass code with.
      if (!data.accessCode) return false;
      accessToken = { identifier: data.accessCode, pass_code: secret };
    } else {
      accessToken = { one_time_password: secret };
    }
    try {
      const found = await this.#call('rewards_participants/show', { rewards_participant_identifier: { access_token_identifier: accessToken }, fields_set: 'id,number,accounts_receivable' }, OwnerData, 'verify', ctx, 'safe');
      return providerIdOf(found) === customer.providerId;
    } catch (error) {
      if (error instanceof ProblemError && error.kind === 'rejected') return false;
      throw error;
    }
  }

  async quote(input: QuoteInput, ctx: CallContext): Promise<LoyaltyQuote> {
    this.#checkCurrency(input.cart);
    const data = customerData(input.customer);
    const preview = await this.#call(
      'customer_events/purchases/preview',
      { ...this.#sale(input.cart, data, input.checkoutId), fields_set: PREVIEW_FIELDS },
      PreviewData,
      'preview',
      ctx,
      'safe',
    );
    const balance = preview.wallet_balance === undefined ? data.walletBalance : this.#minor(preview.wallet_balance);
    // Instant and automatic spend are taken off the bill without asking: a discount to the checkout.
    const discount = this.#minor(preview.total_instant_spend_amount ?? 0) + this.#minor(preview.total_automatic_spend_amount ?? 0);
    // Only a front-end reduction is taken off at this till; a back-end one is not ours to apply.
    const frontEnd = (preview.reduction_method ?? 'FRONT_END_REDUCTION') === 'FRONT_END_REDUCTION';
    const additional = frontEnd ? this.#minor(preview.total_additional_spend_amount ?? 0) : 0;
    const minimum = this.#minor(preview.minimum_spend_amount_per_transaction ?? 0);
    const max = Math.min(additional, balance, Math.max(0, input.cart.total.amount - discount));
    const spendable = max > 0 && max >= minimum ? { min: Math.max(minimum, 1), max } : { min: 0, max: 0 };
    const award = this.#minor(preview.total_award_amount ?? 0);
    return {
      balance: this.#value(balance),
      spendable: { min: this.#money(spendable.min), max: this.#money(spendable.max), step: 1 },
      discount: this.#money(discount),
      ...(award > 0 ? { earn: this.#value(award) } : {}),
    };
  }

  async recordSale(input: RecordSaleInput, ctx: CallContext): Promise<SaleRecord> {
    this.#checkCurrency(input.cart);
    const data = customerData(input.customer);
    // The receipt's new balance is "initial balance + awarded − spent": read the initial one now,
    // not at identification, in case the wallet moved since.
    const before = await this.#call(
      'rewards_participants/show',
      { rewards_participant_identifier: data.participantId ? { id: data.participantId } : { number: data.participantNumber }, fields_set: 'wallet' },
      WalletData,
      'balance',
      ctx,
      'safe',
    );
    const initial = this.#minor(before.wallet.balance);

    // Neither call has an idempotency key in CRM.COM: the proxy's Idempotency-Key guard and the
    // checkout's paid state keep each to one call.
    let purchase: z.infer<typeof PurchaseData>;
    try {
      purchase = await this.#call(
        'customer_events/purchases/create',
        { ...this.#sale(input.cart, data, input.reference), process_immediately: true, fields_set: PURCHASE_FIELDS },
        PurchaseData,
        'purchase',
        ctx,
        'unsafe',
      );
    } catch (error) {
      // The purchase carries our reference (`reference_number`, crmcom-rewards-pos.txt:158): the
      // operator finds it by that in CRM.COM.
      if (error instanceof ProblemError && error.kind === 'payment-outcome-unknown') {
        throw new ProblemError('payment-outcome-unknown', `${error.message} Look for a purchase with reference number ${input.reference} in CRM.COM before trying again.`, { cause: error, retryable: false });
      }
      throw error;
    }
    const awarded = this.#minor(purchase.total_awarded_amount ?? purchase.total_award_amount ?? 0);
    const automatic = this.#minor(purchase.total_instant_spend_amount ?? 0) + this.#minor(purchase.total_automatic_spend_amount ?? 0);

    let spent = 0;
    try {
      if (input.spend > 0) spent = await this.#spend(input, data, purchase.number, ctx);
    } catch (error) {
      // `#spend` settles its own problems: a definite one only once the purchase is cancelled
      // again. Anything else (a bug) must not reopen the checkout: the purchase is recorded, and
      // a retry would record a second one.
      if (error instanceof ProblemError) throw error;
      throw new ProblemError('payment-outcome-unknown', `Purchase ${purchase.number} is recorded but its spend request failed; check it in CRM.COM before trying again.`, { cause: error, retryable: false });
    }

    return {
      reference: input.reference,
      discount: this.#money(automatic),
      spent: this.#value(spent),
      ...(awarded > 0 ? { earned: this.#value(awarded) } : {}),
      balanceAfter: this.#value(initial + awarded - spent - automatic),
    };
  }

  /**
   * After an unknown outcome. The documents give no read of a purchase or a spend request:
   * crmcom-rewards-pos.txt documents `rewards_participants/show`, `purchases/preview`,
   * `purchases/create` and `spend_requests/create`; NOTES.md § CRM.COM adds only the two
   * cancels. The purchase carries our reference (`reference_number`, see `#sale`), but no
   * documented call finds an event by it, and the wallet balance proves nothing (other tills
   * move it, an award may be 0). Nothing can be proven either way: the outcome stays unknown
   * until an operator finds the purchase by its reference in CRM.COM. No call is made.
   */
  saleOutcome(_input: RecordSaleInput, _ctx: CallContext): Promise<SaleOutcome> {
    return Promise.resolve({ state: 'unknown' });
  }

  /** A login (NOTES: `authentication/token`): nothing is read or moved. */
  async checkCredentials(): Promise<string> {
    await this.#token.get();
    return 'logged in (authentication/token)';
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  /**
   * The spend request for the chosen amount. When it fails definitely (a clean refusal, or it
   * was never sent), or CRM.COM spends a different amount than asked (the document allows
   * that, crmcom-rewards-pos.txt:284), the amount due computed from the choice would be wrong:
   * the events are cancelled and the cashier chooses again. When its outcome is unknown, nothing
   * is cancelled (a cancel of the purchase alone could leave the spend standing): unknown.
   */
  async #spend(input: RecordSaleInput, data: CrmcomCustomerData, purchaseNumber: string, ctx: CallContext): Promise<number> {
    let reply: z.infer<typeof SpendData>;
    try {
      reply = await this.#call(
        'customer_events/spend_requests/create',
        {
          accounts_receivable_identifier: { number: data.accountNumber },
          performed_by_unit_identifier: { name: this.#o.unit },
          performed_on: this.#performedOn(),
          ...(this.#o.externalSystem ? { external_system: this.#o.externalSystem } : {}),
          process_immediately: true,
          spend_amount: minorToNumber(input.spend, this.#o.currency),
          purchase_customer_request_identifier: { number: purchaseNumber },
          fields_set: SPEND_FIELDS,
        },
        SpendData,
        'spend',
        ctx,
        'unsafe',
      );
    } catch (error) {
      if (!(error instanceof ProblemError) || error.kind === 'payment-outcome-unknown') {
        throw new ProblemError('payment-outcome-unknown', `Purchase ${purchaseNumber} is recorded but the outcome of its spend request is unknown; check it in CRM.COM before trying again.`, { cause: error, retryable: false });
      }
      // A definite failure recorded nothing but the purchase: undo it so a new attempt starts clean.
      throw await this.#undo(error, purchaseNumber);
    }
    const transaction = reply.spend_reward_transaction;
    const actual = transaction?.total_amount ?? transaction?.total_number ?? reply.spend_amount;
    const spent = actual === undefined ? input.spend : this.#minor(actual);
    if (spent !== input.spend) {
      const problem = new ProblemError('rejected', `Only ${minorToNumber(spent, this.#o.currency)} ${this.#o.currency} can be spent on this purchase.`, {
        errors: [{ field: 'amount', message: `At most ${spent} can be spent.` }],
      });
      throw await this.#undo(problem, purchaseNumber, reply.number);
    }
    return spent;
  }

  /** Cancels the spend request (if any) and the purchase; says so in the problem when that fails. */
  async #undo(problem: ProblemError, purchaseNumber: string, spendNumber?: string): Promise<ProblemError> {
    try {
      // NOTES.md § CRM.COM: `customer_events/spend_requests/cancel`, `customer_events/purchases/cancel`.
      if (spendNumber) await this.#call('customer_events/spend_requests/cancel', { customer_event_identifier: { number: spendNumber } }, z.unknown(), 'cancel', {}, 'unsafe');
      await this.#call('customer_events/purchases/cancel', { customer_event_identifier: { number: purchaseNumber } }, z.unknown(), 'cancel', {}, 'unsafe');
      return problem;
    } catch {
      // Still recorded: not a refusal the shopper can retry from, an outcome to check.
      return new ProblemError('payment-outcome-unknown', `${problem.message} The purchase event ${purchaseNumber} could not be cancelled; check it in CRM.COM before trying again.`, {
        errors: problem.errors,
        retryable: false,
      });
    }
  }

  /** The body shared by preview and create: who, where, when, and the server cart's lines. */
  #sale(cart: Cart, data: CrmcomCustomerData, reference: string) {
    return {
      // The document's text names `accounts_receivable_identifier` for both calls (its preview
      // example uses the rewards participant instead); the simulator accepts both.
      accounts_receivable_identifier: { number: data.accountNumber },
      reference_number: reference,
      performed_by_unit_identifier: { name: this.#o.unit },
      performed_on: this.#performedOn(),
      ...(this.#o.externalSystem ? { external_system: this.#o.externalSystem } : {}),
      products_set: cart.lines.map((line) => {
        const { net, vat } = splitVat(line.total.amount, this.#o.vatPercent);
        return {
          product_identifier: { code: line.sku },
          quantity: line.quantity,
          total_amount: minorToNumber(line.total.amount, this.#o.currency),
          net_amount: minorToNumber(net, this.#o.currency),
          vat_amount: minorToNumber(vat, this.#o.currency),
        };
      }),
    };
  }

  /** `2017-06-22T15:00:00`, the document's form (no zone; sent in UTC). */
  #performedOn(): string {
    return new Date(this.#now()).toISOString().slice(0, 19);
  }

  // ------------------------------------------------------------------ transport
  /**
   * One API call with the session token in its body. A token refused (HTTP 401/403, or a code
   * meaning `authentication`) is dropped, a new login made, and the call sent once more: the
   * refusal happened before anything was recorded. Refused again → the operator's problem.
   */
  async #call<T>(method: string, body: Record<string, unknown>, schema: z.ZodMiniType<T>, call: Call, ctx: CallContext, mode: Mode): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.#token.get();
      const reply = await this.#post(method, { token, ...body }, schema, ctx, mode);
      if (reply.kind === 'ok') return reply.data;
      if (reply.kind === 'auth' && attempt === 0) {
        // Only the token that failed: a concurrent caller may already have a fresh one.
        this.#token.drop(token);
        continue;
      }
      if (reply.kind === 'auth') {
        this.#log(`CRM.COM refused a fresh session token on ${method} (${describe(reply)}); check the configured user's rights and unit.`);
        throw new ProblemError('upstream-unavailable', 'The rewards service refused the configured user.', { retryable: false });
      }
      throw this.#failure(reply, method, call, mode);
    }
  }

  /** One POST, and what its reply says (see `Reply`). A request that never left is definite. */
  async #post<T>(method: string, body: Record<string, unknown>, schema: z.ZodMiniType<T>, ctx: CallContext, mode: Mode): Promise<Reply<T>> {
    const path = `${this.#o.apiPath.replace(/\/$/, '')}/${method}`;
    const unsafe = mode === 'unsafe';
    let response: UpstreamResponse;
    try {
      // Every call is a POST, reads included: mark which ones the client may repeat.
      response = await this.#http.request(path, { method: 'POST', json: body, signal: ctx.signal, safe: !unsafe, unsafe });
    } catch (error) {
      // The client reports any transport failure of a money-moving call as an unknown outcome;
      // a connection refused (or a name that does not resolve) fails before a byte is sent.
      if (error instanceof ProblemError && error.kind === 'payment-outcome-unknown' && neverSent(error.cause)) {
        throw new ProblemError('upstream-unavailable', 'The rewards service could not be reached; nothing was sent.', { cause: error.cause });
      }
      throw error;
    }
    return this.#classify(response, schema, method);
  }

  /** The one place that reads an HTTP status and a `status.code` together (see `Reply`). */
  #classify<T>(response: UpstreamResponse, schema: z.ZodMiniType<T>, method: string): Reply<T> {
    const http = response.status;
    const retryAfter = response.headers.get('retry-after') ?? undefined;
    const failed = (what: string): Reply<T> => ({ kind: 'failed', http, what, ...(retryAfter ? { retryAfter } : {}) });
    // Documents silent on HTTP statuses; HTTP semantics (RFC 9110 §15, RFC 6585 §4).
    if (http === 429) return { kind: 'rate-limited', http, ...(retryAfter ? { retryAfter } : {}) };
    const envelope = Envelope.safeParse(response.body);
    const status = envelope.success ? envelope.data.status : undefined;
    if (http === 401 || http === 403) return { kind: 'auth', http, status };
    if (http < 200 || (http >= 300 && http < 400) || http === 408 || http >= 500) return failed(`failed (HTTP ${http})`);
    if (!status) return failed(http < 300 ? 'sent an unexpected reply' : `failed (HTTP ${http})`);
    // NOTES.md § CRM.COM: `status.code != "OK"` is an error, possibly on HTTP 200.
    if (status.code !== OK) return { kind: this.#meanings.get(status.code) === 'authentication' ? 'auth' : 'refused', http, status };
    if (http >= 300) return failed(`failed (HTTP ${http})`);
    const data = schema.safeParse(envelope.data?.data);
    if (!data.success) return failed(`sent an unexpected reply to ${method}`);
    return { kind: 'ok', http, data: data.data };
  }

  /** One login (the token cache shares it between concurrent callers). */
  async #login(): Promise<IssuedToken> {
    const requestedAt = this.#now();
    const body = {
      username: this.#o.username,
      password: this.#o.password,
      organisation: this.#o.organisation,
      ...(this.#o.loginUnit ? { unit: this.#o.loginUnit } : {}),
    };
    // No caller's signal: the login is shared, one caller giving up must not fail the others.
    // A login records nothing: safe to repeat.
    const reply = await this.#post('authentication/token', body, TokenData, {}, 'safe');
    if (reply.kind === 'ok') return { value: reply.data.token, issuedAt: requestedAt, expiresAt: requestedAt + tokenLifetime(reply.data.token) };
    if (reply.kind === 'auth' || reply.kind === 'refused') {
      // A refused login is the operator's configuration, never the shopper's. No credential in
      // the log or the problem, nor the provider's text (it may echo them).
      this.#log(`CRM.COM refused the configured login (${describe(reply)}); check username, password, organisation and loginUnit.`);
      throw new ProblemError('upstream-unavailable', 'The rewards service refused the configured username, password or organisation.', { retryable: false });
    }
    throw this.#failure(reply, 'authentication/token', 'token', 'safe');
  }

  /** A reply that is not `ok` (nor a token to renew) → the problem the widget shows. */
  #failure(reply: Failure, method: string, call: Call, mode: Mode): ProblemError {
    switch (reply.kind) {
      case 'rate-limited':
        // Not processed, even a purchase: the caller may come back after Retry-After.
        return new ProblemError('rate-limited', 'The rewards service is receiving too many requests; try again in a moment.', reply.retryAfter ? { headers: { 'Retry-After': reply.retryAfter } } : {});
      case 'failed': {
        const what = `The rewards service ${call === 'token' ? reply.what.replace(` to ${method}`, ' to the login') : reply.what}`;
        if (mode === 'unsafe') return new ProblemError('payment-outcome-unknown', `${what}; the operation may have been recorded.`, { retryable: false });
        const transient = reply.http >= 500 || reply.http === 408;
        return new ProblemError('upstream-unavailable', `${what}.`, { retryable: transient, ...(transient && reply.retryAfter ? { headers: { 'Retry-After': reply.retryAfter } } : {}) });
      }
      default:
        return this.#problem(reply.status ?? { code: `HTTP ${reply.http}` }, call);
    }
  }

  /** A clean refusal (`status.code != "OK"`) → the problem the widget shows, on the field the shopper can act on. */
  #problem(status: Status, call: Call): ProblemError {
    const text = [status.message, status.description].filter((t): t is string => !!t && t.trim() !== '').join(' ') || status.code;
    const config = (detail: string) => new ProblemError('upstream-unavailable', detail, { retryable: false });
    // Whatever the code, CRM.COM did not resolve the shopper's proof to a participant.
    if (call === 'verify') return new ProblemError('rejected', text);
    switch (this.#meanings.get(status.code)) {
      case 'notFound':
        if (call === 'identify') return new ProblemError('not-found', 'No rewards member matches this phone, e-mail, card or number.', { errors: [{ field: 'query', message: text }] });
        // The participant was found moments ago: a unit or event that is missing is our configuration.
        return config(`The rewards service could not find what was asked: ${text}`);
      case 'insufficientBalance':
        return new ProblemError('rejected', text, { errors: [{ field: 'amount', message: text }] });
      case 'invalidValue':
        if (call === 'spend') return new ProblemError('rejected', text, { errors: [{ field: 'amount', message: text }] });
        return config(`The rewards service refused the request: ${text}`);
      default: {
        const field = call === 'identify' ? 'query' : call === 'spend' ? 'amount' : undefined;
        return new ProblemError('rejected', text, field ? { errors: [{ field, message: text }] } : {});
      }
    }
  }

  #checkCurrency(cart: Cart): void {
    if (cart.currency !== this.#o.currency) {
      throw new ProblemError('validation', `This rewards programme works in ${this.#o.currency}; the cart is in ${cart.currency}.`, {
        errors: [{ field: 'currency', message: `Expected ${this.#o.currency}.` }],
      });
    }
  }

  #minor(value: string | number): number {
    return fromCrmAmount(value, this.#o.currency);
  }

  #money(amount: number): Money {
    return { amount, currency: this.#o.currency };
  }

  /** The wallet holds money, not points. */
  #value(amount: number): LoyaltyValue {
    return { value: this.#money(amount) };
  }
}

// ------------------------------------------------------------------ pure helpers (exported for tests)
/** Minor units → the decimal the API takes (1999 → 19.99), exactly. */
export function toCrmAmount(minor: number, currency: string): number {
  return minorToNumber(minor, currency);
}

/** The API's decimal (7.9, "10.00", "0.125") → minor units, half away from zero past the cent. */
export function fromCrmAmount(value: string | number, currency: string): number {
  return decimalToMinor(value, currency);
}

/**
 * A VAT-inclusive line total → net and VAT in minor units, in integers: net is rounded half up
 * and VAT is the rest, so net + VAT is always the total. No rate → all net, 0 VAT.
 */
export function splitVat(totalMinor: number, vatPercent: number | undefined): { net: number; vat: number } {
  if (!vatPercent) return { net: totalMinor, vat: 0 };
  const basisPoints = BigInt(Math.round(vatPercent * 100));
  const denominator = 10_000n + basisPoints;
  const net = Number((BigInt(totalMinor) * 10_000n * 2n + denominator) / (denominator * 2n));
  return { net, vat: totalMinor - net };
}

/** The normalised authentication code: e-mails lower-cased, phones and cards as bare digits. */
export function authenticationCode(query: string): string {
  const trimmed = query.trim();
  if (trimmed.includes('@')) return trimmed.toLowerCase();
  return /^[+\d\s().-]+$/.test(trimmed) ? trimmed.replace(/\D/g, '') : trimmed;
}

/** Keeps what the shopper typed on the record (server side) so the proxy can show it masked. */
function contactOf(query: string, code: string): Pick<CustomerRecord, 'phone' | 'email' | 'card'> {
  const trimmed = query.trim();
  if (code.includes('@')) return { email: code };
  if (!/^\d{6,19}$/.test(code)) return {};
  return trimmed.startsWith('+') ? { phone: code } : { card: code };
}

function customerData(customer: CustomerRecord): CrmcomCustomerData {
  const data = customer.data as CrmcomCustomerData | undefined;
  if (!data || typeof data.accountNumber !== 'string') throw new ProblemError('conflict', 'Identify the customer again.');
  return data;
}

/** The token's lifetime from its JWT `iat`/`exp` (measured on our clock, not the server's); 2 h otherwise. */
function tokenLifetime(token: string): number {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iat?: unknown; exp?: unknown };
    if (typeof payload.iat === 'number' && typeof payload.exp === 'number' && payload.exp > payload.iat) {
      return Math.min((payload.exp - payload.iat) * 1000, TOKEN_LIFETIME_MS);
    }
  } catch {
    // Not a JWT (before R12): fall back to the documented lifetime.
  }
  return TOKEN_LIFETIME_MS;
}

/** The participant's id as the customer record keeps it (`providerId`): its id, else its account number. */
function providerIdOf(participant: { id?: string; accounts_receivable: { number: string } }): string {
  return participant.id ?? participant.accounts_receivable.number;
}

/** What a refusal said, for the operator's log: HTTP status and code, never the provider's text. */
function describe(reply: { http: number; status?: Status }): string {
  return `HTTP ${reply.http}${reply.status ? `, status ${reply.status.code}` : ''}`;
}

/** Errors that happen before a request is written: nothing reached the provider. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** Whether a transport failure provably sent nothing (a refused connection, an unknown host). */
export function neverSent(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof AggregateError && e.errors.length > 0 && e.errors.every(neverSent)) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NOT_SENT.has(code)) return true;
  }
  return false;
}
