import * as z from 'zod/mini';
import type { InstalmentProvider, LoyaltyProvider } from './provider.js';
import { FloaAdapter, FloaOptions } from './floa/adapter.js';
import { CarecloudAdapter, CarecloudOptions } from './carecloud/adapter.js';
import { CrmcomAdapter, CrmcomOptions } from './crmcom/adapter.js';
import { ResamaniaAdapter, ResamaniaOptions } from './resamania/adapter.js';
import { RuLoyaltyAdapter, RuLoyaltyOptions } from './ru-loyalty/adapter.js';

/**
 * The loyalty/CRM providers a proxy can be configured with, keyed by `provider` in the
 * configuration. Adding a provider = its options schema here and its factory below.
 */
export const LoyaltyOptions = z.discriminatedUnion('provider', [RuLoyaltyOptions, CrmcomOptions, CarecloudOptions, ResamaniaOptions]);
export type LoyaltyOptions = z.infer<typeof LoyaltyOptions>;

export function createLoyaltyProvider(options: LoyaltyOptions): LoyaltyProvider {
  switch (options.provider) {
    case 'ru-loyalty':
      return new RuLoyaltyAdapter(options);
    case 'crmcom':
      return new CrmcomAdapter(options);
    case 'carecloud':
      return new CarecloudAdapter(options);
    case 'resamania':
      return new ResamaniaAdapter(options);
  }
}

/** The buy-now-pay-later providers (`instalments` in the configuration); optional, combinable with any of the above. */
export const InstalmentOptions = z.discriminatedUnion('provider', [FloaOptions]);
export type InstalmentOptions = z.infer<typeof InstalmentOptions>;

export function createInstalmentProvider(options: InstalmentOptions): InstalmentProvider {
  switch (options.provider) {
    case 'floa':
      return new FloaAdapter(options);
  }
}
