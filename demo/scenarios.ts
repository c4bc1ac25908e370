import type { Hono } from 'hono';
import { CARECLOUD_BASE_PATH, CARECLOUD_DEMO, createCarecloudSimulator } from '../src/simulators/carecloud/simulator.js';
import { CRMCOM_DEMO_PROOFS, CRMCOM_DEMO_UNIT, CRMCOM_DEMO_USER, createCrmcomSimulator } from '../src/simulators/crmcom/simulator.js';
import { createResamaniaSimulator, RESAMANIA_DEMO } from '../src/simulators/resamania/simulator.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../src/simulators/ru-loyalty/simulator.js';
import type { InstalmentCustomerSource } from '../src/proxy/instalments/flow.js';
import { createFloaSimulator, floaDemoOptions } from '../src/simulators/floa/simulator.js';
import { BIKE_SHOP_FLOA_LINKS, bikeShopMembers, demoInstalmentCustomers } from './instalment-customers.js';

/**
 * The demo's scenarios: one provider simulator and one proxy each. The page switches between
 * them by changing its session's `endpoint`, `cart-id`, `currency`, `locale` and `mode` attributes
 * live. Everything a scenario shows (its test identities) is listed here once.
 */
export interface Identity {
  type: string;
  who: string;
  shows: string;
}

export interface Scenario {
  id: string;
  label: string;
  cartId: string;
  currency: string;
  locale: string;
  method: string;
  /** `pos`: the checkout at a till (`<checkout-session mode="pos">`); default `web`. */
  mode?: 'web' | 'pos';
  identities: Identity[];
  /**
   * Shoppers the demo shop can sign in: the shop's server vouches for them when it creates the
   * checkout, so they may spend points at once (a guest proves it with a code, where the
   * programme has one).
   */
  shoppers?: Array<{ label: string; query: string }>;
  /** Creates the simulator; the stack serves it on 127.0.0.1 and passes its URL to `loyalty`. */
  simulator: () => { app: Hono };
  loyalty: (baseUrl: string) => Record<string, unknown>;
  carts: Record<string, { currency: string; lines: Array<{ sku: string; name: string; quantity: number; unitPrice: number; data?: Record<string, string> }> }>;
  /** Pay in instalments beside the loyalty provider: its simulator (own port), its options, and the shop's customer source. */
  instalments?: {
    simulator: () => { app: Hono };
    options: (baseUrl: string) => Record<string, unknown>;
    customers: InstalmentCustomerSource;
  };
}

/** FLOA with the simulator's demo merchant: one merchant site per option (3x, 4x, 10x, pay later). */
// The slow demo identity shows a time-out (and its retry) after 3 s rather than 8.
const floaOptions = (baseUrl: string, categories: Record<string, string[]>) => floaDemoOptions(baseUrl, { categories, timeoutMs: 3000 });

/** The demo club's Resamania settings (the simulator's demo credentials). */
const resamaniaClub = (baseUrl: string) => ({
  provider: 'resamania',
  baseUrl,
  clientToken: RESAMANIA_DEMO.clientToken,
  clientId: RESAMANIA_DEMO.clientId,
  clientSecret: RESAMANIA_DEMO.clientSecret,
  apiKey: RESAMANIA_DEMO.apiKey,
  clubId: RESAMANIA_DEMO.clubId,
  clubCode: RESAMANIA_DEMO.clubCode,
  channel: 'club',
});

export const SCENARIOS: Scenario[] = [
  {
    id: 'ru-loyalty',
    label: 'Café — Russian loyalty API (cashback, discount, hold)',
    cartId: 'coffee-and-cake',
    currency: 'RUB',
    locale: 'en',
    method: 'card',
    identities: [
      { type: '+7 920 123-45-67 or card 2000000000018, app code 100001', who: 'Иван Петров', shows: 'Cashback 10 %, 878 points once the app code confirms it is him (or signed in), up to 50 % of the order in points, held while paying' },
      { type: '+7 920 765-43-21 or card 2000000000025, app code 100002', who: 'Мария Соколова', shows: 'Discount level 5 %, balance 0 (nothing to spend); the discount once the app code confirms it is her (or signed in)' },
      { type: 'card 2000000000032 or app code 100003', who: 'Олег Смирнов', shows: 'Cashback 5 %, zero balance: earns only' },
      { type: '0000000', who: 'nobody', shows: '"Client not found" explained' },
    ],
    shoppers: [
      { label: 'Иван Петров', query: '+79201234567' },
      { label: 'Мария Соколова', query: '+79207654321' },
    ],
    simulator: () => createRuLoyaltySimulator(),
    // The café counts the code in the customer's app as proof that the account is theirs.
    loyalty: (baseUrl) => ({ provider: 'ru-loyalty', baseUrl, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT, appCodeProvesOwnership: true }),
    carts: {
      'coffee-and-cake': {
        currency: 'RUB',
        lines: [
          { sku: 'cappuccino', name: 'Cappuccino', quantity: 2, unitPrice: 25000 },
          { sku: 'cheesecake', name: 'Cheesecake', quantity: 1, unitPrice: 49990 },
        ],
      },
    },
  },
  {
    id: 'crmcom',
    label: 'Kiosk — CRM.COM rewards (wallet, spend request)',
    cartId: 'crm-demo',
    currency: 'EUR',
    locale: 'en',
    method: 'card',
    identities: [
      { type: `22265577 or john.doe@example.test, pass code ${CRMCOM_DEMO_PROOFS['22265577'].passCode}`, who: 'John Doe', shows: "The document's worked example: wallet 10.00, spend up to 7.90, earns 0.08, new balance 2.18" },
      { type: `22265578, pass code ${CRMCOM_DEMO_PROOFS['22265578'].passCode}`, who: 'Maria Georgiou', shows: 'Wallet 0.00: earns, cannot spend' },
      { type: `22265579, pass code ${CRMCOM_DEMO_PROOFS['22265579'].passCode}`, who: 'Andreas Christou', shows: 'Wallet 0.50, under the 1.00 minimum spend' },
      { type: '99999999', who: 'nobody', shows: '"Not found" on the lookup field' },
    ],
    shoppers: [{ label: 'John Doe', query: '22265577' }],
    simulator: () => createCrmcomSimulator(),
    loyalty: (baseUrl) => ({
      provider: 'crmcom',
      baseUrl,
      username: CRMCOM_DEMO_USER.username,
      password: CRMCOM_DEMO_USER.password,
      organisation: CRMCOM_DEMO_USER.organisation,
      unit: CRMCOM_DEMO_UNIT,
      externalSystem: 'POSID01',
      vatPercent: 25,
      currency: 'EUR',
      proof: 'pass-code',
    }),
    carts: {
      'crm-demo': {
        currency: 'EUR',
        lines: [
          { sku: 'Soft Drinks', name: 'Soft drinks', quantity: 1, unitPrice: 1000 },
          { sku: 'Sandwiches', name: 'Sandwiches', quantity: 10, unitPrice: 200 },
        ],
      },
    },
  },
  {
    id: 'carecloud',
    label: 'Bakery — CareCloud (card, rewards for the bill, points)',
    cartId: 'carecloud-demo',
    currency: 'CZK',
    locale: 'cs',
    method: 'card',
    identities: [
      { type: '2001990001884', who: 'Jana Nováková', shows: '1 250 points (1 point = 1 CZK) once signed in to the shop (CareCloud has no code a shopper could give), rewards recommended for the bill' },
      { type: '2001990002294', who: 'Petr Svoboda', shows: 'Blocked card: refused with a clear message' },
      { type: '2001990003005', who: 'Eva Dvořáková', shows: 'Zero points: nothing to spend, still earns' },
      { type: '2001990004002', who: 'Tomáš Král', shows: '400 points, a slow provider (3 s lookup)' },
    ],
    shoppers: [{ label: 'Jana Nováková', query: '2001990001884' }],
    simulator: () => createCarecloudSimulator(),
    loyalty: (baseUrl) => ({
      provider: 'carecloud',
      baseUrl: baseUrl + CARECLOUD_BASE_PATH,
      auth: { mode: 'bearer', externalAppId: CARECLOUD_DEMO.externalAppId, login: CARECLOUD_DEMO.login, password: CARECLOUD_DEMO.password },
      storeId: CARECLOUD_DEMO.storeId,
      currency: CARECLOUD_DEMO.currency,
      currencyId: CARECLOUD_DEMO.currencyId,
      purchaseTypeId: CARECLOUD_DEMO.purchaseTypeId,
      purchaseItemTypeId: CARECLOUD_DEMO.purchaseItemTypeId,
      categoryPluId: CARECLOUD_DEMO.categoryPluId,
      timeZone: CARECLOUD_DEMO.timeZone,
      // The demo project: 1 point = 1 CZK (checked against CareCloud's own figures).
      pointValue: 100,
      // The demo project grants GET /customers/{id}: show the card holder's name.
      customerProfile: true,
    }),
    carts: {
      'carecloud-demo': {
        currency: 'CZK',
        lines: [
          { sku: 'coffee', name: 'Káva', quantity: 2, unitPrice: 6500 },
          { sku: 'cake', name: 'Dort', quantity: 1, unitPrice: 8990 },
        ],
      },
    },
  },
  {
    id: 'resamania',
    label: 'Fitness club — Resamania (membership sale, debt, catalog)',
    cartId: 'membership',
    currency: 'EUR',
    locale: 'fr',
    method: 'card',
    identities: [
      { type: 'camille.martin@example.test', who: 'Camille Martin', shows: 'Good standing; student tag: the student offer appears in her catalog' },
      { type: 'julien.bernard@example.test', who: 'Julien Bernard', shows: '45.00 € overdue: told to settle it, no sale attempted' },
      { type: 'sofia.lopez@example.test', who: 'Sofia Lopez', shows: 'VIP tag: VIP coaching in her catalog; expired student tag' },
      { type: 'leo.petit@example.test', who: 'Léo Petit', shows: '13 years old: the club refuses the 16+ subscription at check (400), nothing paid' },
    ],
    shoppers: [
      { label: 'Camille Martin', query: 'camille.martin@example.test' },
      { label: 'Julien Bernard', query: 'julien.bernard@example.test' },
    ],
    simulator: () => createResamaniaSimulator(),
    loyalty: resamaniaClub,
    carts: {
      membership: {
        currency: 'EUR',
        lines: [{ sku: '/demoapi/offers/101', name: 'Abonnement mensuel', quantity: 1, unitPrice: 3990, data: { startDate: new Date().toISOString().slice(0, 10) } }],
      },
    },
  },
  {
    id: 'resamania-pos',
    label: 'Fitness club at the till — Resamania in POS mode (cash, cheque, card network, printed receipt)',
    cartId: 'membership',
    currency: 'EUR',
    // English, as its end-to-end test reads it.
    locale: 'en',
    method: 'card',
    mode: 'pos',
    identities: [
      { type: 'camille.martin@example.test', who: 'Camille Martin', shows: 'The cashier scans or types, picks cash, cheque (bank and number) or card (its network), and prints the receipt; "New order" refocuses the field' },
      { type: 'julien.bernard@example.test', who: 'Julien Bernard', shows: '45.00 € overdue: no sale at the till either' },
    ],
    shoppers: [
      { label: 'Camille Martin', query: 'camille.martin@example.test' },
      { label: 'Julien Bernard', query: 'julien.bernard@example.test' },
    ],
    simulator: () => createResamaniaSimulator(),
    loyalty: resamaniaClub,
    carts: {
      membership: {
        currency: 'EUR',
        lines: [{ sku: '/demoapi/offers/101', name: 'Monthly membership', quantity: 1, unitPrice: 3990, data: { startDate: new Date().toISOString().slice(0, 10) } }],
      },
    },
  },
  {
    id: 'floa',
    label: 'Bike shop — loyalty points + pay in instalments with FLOA',
    cartId: 'bike-and-helmet',
    currency: 'EUR',
    locale: 'en',
    method: 'card',
    identities: [
      { type: '+33 6 12 34 56 78 or card 3000000000017, app code 200001', who: 'Camille Martin', shows: '150 points (up to 50 % of the order, once the app code confirms it is her or she is signed in); FLOA offers pay later, 3x, 4x and 10x on what the points leave, each with fees, total and schedule; pay, refuse or cancel on FLOA\'s page' },
      { type: 'card 3000000000024, app code 200002', who: 'Louis Bernard', shows: 'FLOA does not accept him and gives no reason: said plainly, pay in full instead' },
      { type: 'card 3000000000031, app code 200003', who: 'Nina Petit', shows: 'FLOA answers KO with its own error text' },
      { type: 'card 3000000000048, app code 200004', who: 'Hugo Lambert', shows: 'FLOA answers too late: explained, with a retry' },
      { type: 'card 3000000000055, app code 200005', who: 'Paul Lefèvre', shows: 'Birth zip code "6000" on file: refused by FLOA\'s country rules before any call' },
    ],
    shoppers: [{ label: 'Camille Martin', query: '3000000000017' }],
    simulator: () => createRuLoyaltySimulator({ clients: bikeShopMembers() }),
    loyalty: (baseUrl) => ({ provider: 'ru-loyalty', baseUrl, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT, currency: 'EUR', appCodeProvesOwnership: true }),
    instalments: {
      simulator: () => createFloaSimulator({ slowMs: 6000 }),
      options: (baseUrl) => floaOptions(baseUrl, { 'city-bike': ['Sport', 'Bikes'], helmet: ['Sport', 'Accessories'] }),
      customers: demoInstalmentCustomers(BIKE_SHOP_FLOA_LINKS),
    },
    carts: {
      'bike-and-helmet': {
        currency: 'EUR',
        lines: [
          { sku: 'city-bike', name: 'City bike', quantity: 1, unitPrice: 44900 },
          { sku: 'helmet', name: 'Helmet', quantity: 1, unitPrice: 5100 },
        ],
      },
    },
  },
  {
    id: 'resamania-floa',
    label: 'Fitness club — Resamania membership paid in 4x with FLOA',
    cartId: 'membership-and-pass',
    currency: 'EUR',
    // English, as its end-to-end test reads it (the club scenario above shows the French page).
    locale: 'en',
    method: 'card',
    identities: [
      { type: 'camille.martin@example.test', who: 'Camille Martin', shows: 'Once signed in (the club has no code a member could give): eligible with FLOA, the membership and a 10-entry pass in 4x; recorded in Resamania as a CBWeb payment once FLOA confirms it' },
      { type: 'sofia.lopez@example.test', who: 'Sofia Lopez', shows: 'Once signed in: not eligible with FLOA, pay at the club instead' },
      { type: 'julien.bernard@example.test', who: 'Julien Bernard', shows: '45.00 € overdue: no sale, no instalments' },
    ],
    // Only a member the shop vouches for is checked with FLOA in her name.
    shoppers: [
      { label: 'Camille Martin', query: 'camille.martin@example.test' },
      { label: 'Sofia Lopez', query: 'sofia.lopez@example.test' },
    ],
    simulator: () => createResamaniaSimulator(),
    // A payment FLOA confirmed is recorded as `external`: CBWeb, the online card payment, by default.
    loyalty: resamaniaClub,
    instalments: {
      simulator: () => createFloaSimulator(),
      options: (baseUrl) => floaOptions(baseUrl, { '/demoapi/offers/101': ['Sport', 'Membership'], '/demoapi/offers/151': ['Sport', 'Passes'] }),
      // The club's contacts linked to FLOA's demo identities.
      customers: demoInstalmentCustomers({ '/demoapi/contacts/1001': 'FR-0001', '/demoapi/contacts/1003': 'FR-0002' }),
    },
    carts: {
      'membership-and-pass': {
        currency: 'EUR',
        lines: [
          { sku: '/demoapi/offers/101', name: 'Abonnement mensuel', quantity: 1, unitPrice: 3990, data: { startDate: new Date().toISOString().slice(0, 10) } },
          { sku: '/demoapi/offers/151', name: 'Carte 10 entrées', quantity: 1, unitPrice: 7900 },
        ],
      },
    },
  },
];
