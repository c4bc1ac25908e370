import type { Hono } from 'hono';
import { CARECLOUD_BASE_PATH, CARECLOUD_DEMO, createCarecloudSimulator } from '../src/simulators/carecloud/simulator.js';
import { CRMCOM_DEMO_UNIT, CRMCOM_DEMO_USER, createCrmcomSimulator } from '../src/simulators/crmcom/simulator.js';
import { createResamaniaSimulator, RESAMANIA_DEMO } from '../src/simulators/resamania/simulator.js';
import { createRuLoyaltySimulator, RU_DEMO_API_KEY, RU_DEMO_POINT } from '../src/simulators/ru-loyalty/simulator.js';

/**
 * The demo's scenarios: one provider simulator and one proxy each. The page switches between
 * them by changing its session's `endpoint`, `cart-id`, `currency` and `locale` attributes
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
  identities: Identity[];
  /** Creates the simulator; the stack serves it on 127.0.0.1 and passes its URL to `loyalty`. */
  simulator: () => { app: Hono };
  loyalty: (baseUrl: string) => Record<string, unknown>;
  carts: Record<string, { currency: string; lines: Array<{ sku: string; name: string; quantity: number; unitPrice: number; data?: Record<string, string> }> }>;
}

export const SCENARIOS: Scenario[] = [
  {
    id: 'ru-loyalty',
    label: 'Café — Russian loyalty API (cashback, discount, hold)',
    cartId: 'coffee-and-cake',
    currency: 'RUB',
    locale: 'en',
    method: 'card',
    identities: [
      { type: '+7 920 123-45-67 or card 2000000000018', who: 'Иван Петров', shows: 'Cashback 10 %, 878 points, up to 50 % of the order in points, held while paying' },
      { type: '+7 920 765-43-21 or card 2000000000025', who: 'Мария Соколова', shows: 'Discount level 5 %, balance 0 (nothing to spend)' },
      { type: 'card 2000000000032 or app code 100003', who: 'Олег Смирнов', shows: 'Cashback 5 %, zero balance: earns only' },
      { type: '0000000', who: 'nobody', shows: '"Client not found" explained' },
    ],
    simulator: () => createRuLoyaltySimulator(),
    loyalty: (baseUrl) => ({ provider: 'ru-loyalty', baseUrl, apiKey: RU_DEMO_API_KEY, pointId: RU_DEMO_POINT }),
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
      { type: '22265577 or john.doe@example.test', who: 'John Doe', shows: "The document's worked example: wallet 10.00, spend up to 7.90, earns 0.08, new balance 2.18" },
      { type: '22265578', who: 'Maria Georgiou', shows: 'Wallet 0.00: earns, cannot spend' },
      { type: '22265579', who: 'Andreas Christou', shows: 'Wallet 0.50, under the 1.00 minimum spend' },
      { type: '99999999', who: 'nobody', shows: '"Not found" on the lookup field' },
    ],
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
      { type: '2001990001884', who: 'Jana Nováková', shows: '1 250 points (1 point = 1 CZK), rewards recommended for the bill' },
      { type: '2001990002294', who: 'Petr Svoboda', shows: 'Blocked card: refused with a clear message' },
      { type: '2001990003005', who: 'Eva Dvořáková', shows: 'Zero points: nothing to spend, still earns' },
      { type: '2001990004002', who: 'Tomáš Král', shows: '400 points, a slow provider (3 s lookup)' },
    ],
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
    simulator: () => createResamaniaSimulator(),
    loyalty: (baseUrl) => ({
      provider: 'resamania',
      baseUrl,
      clientToken: RESAMANIA_DEMO.clientToken,
      clientId: RESAMANIA_DEMO.clientId,
      clientSecret: RESAMANIA_DEMO.clientSecret,
      apiKey: RESAMANIA_DEMO.apiKey,
      clubId: RESAMANIA_DEMO.clubId,
      clubCode: RESAMANIA_DEMO.clubCode,
      channel: 'club',
    }),
    carts: {
      membership: {
        currency: 'EUR',
        lines: [{ sku: '/demoapi/offers/101', name: 'Abonnement mensuel', quantity: 1, unitPrice: 3990, data: { startDate: new Date().toISOString().slice(0, 10) } }],
      },
    },
  },
];
