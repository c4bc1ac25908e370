import type { InstalmentCustomerSource } from '../src/proxy/instalments/flow.js';
import type { InstalmentCustomer } from '../src/proxy/providers/provider.js';
import { floaDemoIdentities } from '../src/simulators/floa/demo-customers.js';
import type { RuClient, RuLevel } from '../src/simulators/ru-loyalty/simulator.js';

/**
 * The demo's instalment customer source: what a merchant's own customer database would give.
 * The shopper identifies in the loyalty programme; the shop links that member to the full
 * identity FLOA scores (here: FLOA's demo identities). The browser never sends any of it.
 */
export function demoInstalmentCustomers(links: Record<string, string>): InstalmentCustomerSource {
  const byReference = new Map<string, InstalmentCustomer>(floaDemoIdentities().map((identity) => [identity.customer.reference, identity.customer]));
  return async (checkout) => {
    const reference = checkout.customer ? links[checkout.customer.providerId] : undefined;
    const customer = reference ? byReference.get(reference) : undefined;
    return customer && structuredClone(customer);
  };
}

const members: RuLevel = { id: 'bike-members', title: 'Club', percent: 5, type: 'cashback', maxSpendPercent: 50 };
const base = { email: 'hidden@example.test', birthday: '1990-01-01', photo: 'https://example.test/photo.jpeg', level: members };

/**
 * The bike shop's loyalty members (the Russian-API simulator, counting in euros: 1 point =
 * €1), each linked to the FLOA demo identity of the same person. What each one shows is listed
 * on the demo page (`demo/scenarios.ts`).
 */
export function bikeShopMembers(): RuClient[] {
  return [
    { ...base, id: 'b1ce00000000000000000001', name: 'Camille Martin', phone: 33612345678, card: '3000000000017', code: '200001', balance: 150 },
    { ...base, id: 'b1ce00000000000000000002', name: 'Louis Bernard', phone: 33698765432, card: '3000000000024', code: '200002', balance: 40 },
    { ...base, id: 'b1ce00000000000000000003', name: 'Nina Petit', phone: 33493123456, card: '3000000000031', code: '200003', balance: 0 },
    { ...base, id: 'b1ce00000000000000000004', name: 'Hugo Lambert', phone: 33711223344, card: '3000000000048', code: '200004', balance: 20 },
    { ...base, id: 'b1ce00000000000000000005', name: 'Paul Lefèvre', phone: 33655443322, card: '3000000000055', code: '200005', balance: 0 },
  ];
}

/** Loyalty member id → FLOA demo identity (`src/simulators/floa/demo-customers.ts`). */
export const BIKE_SHOP_FLOA_LINKS: Record<string, string> = {
  b1ce00000000000000000001: 'FR-0001', // eligible
  b1ce00000000000000000002: 'FR-0002', // not eligible
  b1ce00000000000000000003: 'FR-0003', // KO (FLOA's error text)
  b1ce00000000000000000004: 'FR-0004', // slow: FLOA times out, retry offered
  b1ce00000000000000000005: 'FR-0005', // birth zip code "6000": refused before any FLOA call
};
