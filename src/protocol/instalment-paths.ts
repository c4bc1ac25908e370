import { PROTOCOL_VERSION } from './contract.js';

const base = (id: string) => `/${PROTOCOL_VERSION}/checkouts/${encodeURIComponent(id)}/instalments`;
const callback = (id: string) => `/${PROTOCOL_VERSION}/callbacks/instalments/${encodeURIComponent(id)}`;

/** Page API paths of pay in instalments, and the provider callbacks (called by the provider and the shopper's browser, not the widget). */
export const instalmentPaths = {
  status: base,
  eligibility: (id: string) => `${base(id)}/eligibility`,
  session: (id: string) => `${base(id)}/payment-session`,
  /** The shopper gives up on the open payment session (back on the shop's page, "choose another way"). */
  abandon: (id: string) => `${base(id)}/payment-session/abandon`,
  notification: (id: string) => `${callback(id)}/notification`,
  return: (id: string) => `${callback(id)}/return`,
  back: (id: string) => `${callback(id)}/back`,
} as const;
