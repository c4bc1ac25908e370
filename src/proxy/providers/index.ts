import * as z from 'zod/mini';
import type { LoyaltyProvider } from './provider.js';
import { CrmcomAdapter, CrmcomOptions } from './crmcom/adapter.js';
import { RuLoyaltyAdapter, RuLoyaltyOptions } from './ru-loyalty/adapter.js';

/**
 * The loyalty/CRM providers a proxy can be configured with, keyed by `provider` in the
 * configuration. Adding a provider = its options schema here and its factory below.
 */
export const LoyaltyOptions = z.discriminatedUnion('provider', [RuLoyaltyOptions, CrmcomOptions]);
export type LoyaltyOptions = z.infer<typeof LoyaltyOptions>;

export function createLoyaltyProvider(options: LoyaltyOptions): LoyaltyProvider {
  switch (options.provider) {
    case 'ru-loyalty':
      return new RuLoyaltyAdapter(options);
    case 'crmcom':
      return new CrmcomAdapter(options);
  }
}
