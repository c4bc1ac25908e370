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

/** Adds a chunk's own messages under those registered for `locale`: the page's words win. */
export function registerDefaults(locale: string, messages: Partial<Catalogue>): void {
  catalogues.set(locale, { ...messages, ...catalogues.get(locale) });
}

type Loaders = Record<string, () => Promise<Partial<Catalogue>>>;

/**
 * Locales shipped as separate chunks beside the bundle, loaded the first time they are asked
 * for (no network fetch of translation files: they are code, served with the bundle). English
 * is in the main bundle, so there is always something to show while one loads. A chunk with
 * messages of its own (pay in instalments) adds its loaders with `addLocales`.
 */
const parts: Loaders[] = [
  {
    fr: () => import('./locales/fr.js').then((m) => m.fr),
    es: () => import('./locales/es.js').then((m) => m.es),
    it: () => import('./locales/it.js').then((m) => m.it),
    pt: () => import('./locales/pt.js').then((m) => m.pt),
    ru: () => import('./locales/ru.js').then((m) => m.ru),
    cs: () => import('./locales/cs.js').then((m) => m.cs),
  },
];
/** Each load, once (a failed one is forgotten, to be tried again). */
const loading = new Map<() => Promise<Partial<Catalogue>>, Promise<void>>();

/** Adds the loaders of a chunk's messages in each language (loaded with the drop-in's by `loadLocale`). */
export function addLocales(loaders: Loaders): void {
  parts.push(loaders);
}

/** Loads the bundled messages of `locale`'s language not loaded yet (the drop-in's, and each chunk's that added them). */
export function loadLocale(locale: string): Promise<void> {
  const language = locale.toLowerCase().split('-')[0]!;
  return Promise.all(
    parts.map((part) => {
      const load = part[language];
      if (!load) return;
      let pending = loading.get(load);
      if (!pending) {
        pending = load().then(
          (messages) => {
            // Under what the page registered itself for this language: the page's words win.
            registerDefaults(language, messages);
            // Localizers made before the catalogue arrived fell back to English: rebuild them.
            cache.clear();
          },
          () => void loading.delete(load),
        );
        loading.set(load, pending);
      }
      return pending;
    }),
  ).then(() => {});
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
  /** The locale asked for, canonical (`fr-CH`). */
  locale: string;
  /** The language of the messages shown: `fr` for `fr-CH`, `en` for a language without a catalogue. */
  lang: string;
  /** The message `key`, its `{name}` placeholders filled; numbers digit-grouped as the language does ("1,245"). */
  t(key: MessageKey, params?: Params): string;
  money(value: Money): string;
  time(iso: string): string;
  /** The `Intl` formatter `key` of this locale: made the first time it is needed, then kept. */
  format<T>(key: string, make: (locale: string) => T): T;
}

const cache = new Map<string, Localizer>();
/**
 * `Intl` formatters by locale and key. Making one is costly (the first of a page most): each is
 * made once, when something first needs it, and outlives the localizers rebuilt when a
 * catalogue arrives.
 */
const formatters = new Map<string, unknown>();

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
  const format = <T>(key: string, make: (locale: string) => T): T => {
    const id = `${tag} ${key}`;
    let formatter = formatters.get(id) as T | undefined;
    if (!formatter) formatters.set(id, (formatter = make(tag)));
    return formatter;
  };
  found = {
    locale: tag,
    lang: chain[0]!,
    format,
    t(key, params = {}) {
      let message: Catalogue[MessageKey] | undefined;
      for (const name of chain) if ((message = catalogues.get(name)?.[key]) !== undefined) break;
      if (message === undefined) message = (en as unknown as Catalogue)[key];
      const text = typeof message === 'string' ? message : (message[format('plural', (l) => new Intl.PluralRules(l)).select(Number(params.count ?? 0))] ?? message.other);
      return text.replace(/\{(\w+)\}/g, (_, name: string) => {
        const value = params[name];
        return typeof value === 'number' ? format('number', (l) => new Intl.NumberFormat(l)).format(value) : (value ?? '');
      });
    },
    money({ amount, currency }) {
      const formatter = format(currency, (l) => new Intl.NumberFormat(l, { style: 'currency', currency }));
      const digits = formatter.resolvedOptions().maximumFractionDigits ?? 2;
      // Minor units → major without float drift in display: 1999 → 19.99.
      return formatter.format(amount / 10 ** digits);
    },
    time(iso) {
      return format('time', (l) => new Intl.DateTimeFormat(l, { hour: '2-digit', minute: '2-digit' })).format(new Date(iso));
    },
  };
  cache.set(locale, found);
  return found;
}
