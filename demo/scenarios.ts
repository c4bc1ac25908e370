import type { Hono } from 'hono';
import { CRMCOM_DEMO_UNIT, CRMCOM_DEMO_USER, createCrmcomSimulator } from '../src/simulators/crmcom/simulator.js';
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
  carts: Record<string, { currency: string; lines: Array<{ sku: string; name: string; quantity: number; unitPrice: number }> }>;
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
];
