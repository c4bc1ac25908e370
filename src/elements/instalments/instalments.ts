import { addLocales, registerDefaults } from '../../i18n/localize.js';
import { enInstalments } from '../../i18n/locales/en-instalments.js';
import { InstalmentActions } from '../../session/instalments.js';
import { instalments } from '../shared/instalments-hook.js';
// Its failures and outcomes show at once: the problems and outcome chunks come with it.
import '../problems/problems.js';
import '../outcome/outcome.js';
import { eligibilityView } from './eligibility-view.js';
import { payView } from './pay-view.js';

/**
 * Pay in instalments, loaded on demand: a `<checkout-session>` whose proxy has an instalment
 * provider loads this chunk before it shows the checkout, so a page without one carries none
 * of it. It fills the hooks of `../shared/instalments-hook.ts`: the session's instalment
 * actions, `<eligibility-check>`'s offers, and what paying in instalments adds to
 * `<checkout-pay>`. Its English messages come with it; the other languages' are chunks of their
 * own, loaded with the page's language (the session waits for them before it shows the checkout).
 */
// Under the page's own words (`registerLocale`), which win.
registerDefaults('en', enInstalments);
addLocales({
  fr: () => import('../../i18n/locales/fr-instalments.js').then((m) => m.frInstalments),
  es: () => import('../../i18n/locales/es-instalments.js').then((m) => m.esInstalments),
  it: () => import('../../i18n/locales/it-instalments.js').then((m) => m.itInstalments),
  pt: () => import('../../i18n/locales/pt-instalments.js').then((m) => m.ptInstalments),
  ru: () => import('../../i18n/locales/ru-instalments.js').then((m) => m.ruInstalments),
  cs: () => import('../../i18n/locales/cs-instalments.js').then((m) => m.csInstalments),
});

instalments.actions = (host) => new InstalmentActions(host);
instalments.eligibility = eligibilityView;
instalments.pay = payView;
