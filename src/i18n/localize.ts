import type { Money } from '../protocol/money.js';
import { en, type Catalogue, type MessageKey } from './locales/en.js';

/**
 * Messages and number/date formatting for one locale. Catalogues are bundled in code (no
 * fetch); a missing locale falls back along `fr-CH` → `fr` → `en`, and a missing message
 * falls back to English, so a raw key never reaches the screen.
 */
const catalogues = new Map<string, Partial<Catalogue>>([['en', en as unknown as Catalogue]]);

/** Adds or extends a locale's catalogue (other locales register themselves this way). */
export function registerLocale(locale: string, messages: Partial<Catalogue>): void {
  catalogues.set(locale.toLowerCase(), { ...catalogues.get(locale.toLowerCase()), ...messages });
}

/**
 * Locales shipped as separate chunks beside the bundle, loaded the first time they are asked
 * for (no network fetch of translation files: they are code, served with the bundle). English
 * is in the main bundle, so there is always something to show while one loads.
 */
const loaders: Record<string, () => Promise<Partial<Catalogue>>> = {
  fr: () => import('./locales/fr.js').then((m) => m.fr),
  es: () => import('./locales/es.js').then((m) => m.es),
  it: () => import('./locales/it.js').then((m) => m.it),
  pt: () => import('./locales/pt.js').then((m) => m.pt),
  ru: () => import('./locales/ru.js').then((m) => m.ru),
  cs: () => import('./locales/cs.js').then((m) => m.cs),
};
const loading = new Map<string, Promise<void>>();

/** Loads the catalogue of `locale`'s language if it is bundled and not loaded yet. */
export function loadLocale(locale: string): Promise<void> {
  const language = locale.toLowerCase().split('-')[0] ?? 'en';
  const load = loaders[language];
  if (!load || catalogues.has(language)) return Promise.resolve();
  let pending: Promise<void> | undefined = loading.get(language);
  if (!pending) {
    pending = load().then(
      (messages) => {
        registerLocale(language, messages);
        // Localizers made before the catalogue arrived fell back to English: rebuild them.
        cache.clear();
      },
      () => {
        loading.delete(language);
      },
    );
    loading.set(language, pending);
  }
  return pending;
}

/** The chain of registered locales to look in: `fr-CH` → [`fr-ch`, `fr`, `en`]. */
export function localeChain(locale: string | undefined): string[] {
  const chain: string[] = [];
  const parts = (locale || 'en').toLowerCase().split('-');
  for (let i = parts.length; i > 0; i--) {
    const tag = parts.slice(0, i).join('-');
    if (catalogues.has(tag)) chain.push(tag);
  }
  if (!chain.includes('en')) chain.push('en');
  return chain;
}

export type Params = Record<string, string | number>;

export interface Localizer {
  locale: string;
  t(key: MessageKey, params?: Params): string;
  money(value: Money): string;
  time(iso: string): string;
}

const cache = new Map<string, Localizer>();

export function localizer(locale = 'en'): Localizer {
  let found = cache.get(locale);
  if (found) return found;
  const chain = localeChain(locale);
  let tag = locale;
  try {
    tag = Intl.getCanonicalLocales(locale)[0] ?? 'en';
  } catch {
    tag = 'en';
  }
  const plural = new Intl.PluralRules(tag);
  const formats = new Map<string, Intl.NumberFormat>();
  found = {
    locale: tag,
    t(key, params = {}) {
      let message: Catalogue[MessageKey] | undefined;
      for (const name of chain) if ((message = catalogues.get(name)?.[key]) !== undefined) break;
      if (message === undefined) message = (en as unknown as Catalogue)[key];
      const text = typeof message === 'string' ? message : (message[plural.select(Number(params.count ?? 0))] ?? message.other);
      return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
    },
    money({ amount, currency }) {
      let format = formats.get(currency);
      if (!format) formats.set(currency, (format = new Intl.NumberFormat(tag, { style: 'currency', currency })));
      const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
      // Minor units → major without float drift in display: 1999 → 19.99.
      return format.format(amount / 10 ** digits);
    },
    time(iso) {
      return new Intl.DateTimeFormat(tag, { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
    },
  };
  cache.set(locale, found);
  return found;
}
