import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localizer, registerLocale, type Params } from '../../src/i18n/localize.js';
import { enInstalments } from '../../src/i18n/locales/en-instalments.js';
import { enOutcome } from '../../src/i18n/locales/en-outcome.js';
import { enPos } from '../../src/i18n/locales/en-pos.js';
import { enProblems } from '../../src/i18n/locales/en-problems.js';
import { en as enMain, type Catalogue, type MessageKey } from '../../src/i18n/locales/en.js';
import { fr } from '../../src/i18n/locales/fr.js';
import { es } from '../../src/i18n/locales/es.js';
import { it } from '../../src/i18n/locales/it.js';
import { pt } from '../../src/i18n/locales/pt.js';
import { ru } from '../../src/i18n/locales/ru.js';
import { cs } from '../../src/i18n/locales/cs.js';
import { frInstalments } from '../../src/i18n/locales/fr-instalments.js';
import { esInstalments } from '../../src/i18n/locales/es-instalments.js';
import { itInstalments } from '../../src/i18n/locales/it-instalments.js';
import { ptInstalments } from '../../src/i18n/locales/pt-instalments.js';
import { ruInstalments } from '../../src/i18n/locales/ru-instalments.js';
import { csInstalments } from '../../src/i18n/locales/cs-instalments.js';

/** Each language in two chunks, like English: the drop-in's messages, and pay in instalments'. */
const parts: Record<string, [Partial<Catalogue>, Partial<Catalogue>]> = {
  fr: [fr, frInstalments],
  es: [es, esInstalments],
  it: [it, itInstalments],
  pt: [pt, ptInstalments],
  ru: [ru, ruInstalments],
  cs: [cs, csInstalments],
};
/** The bundled catalogues against the English reference, and the lookup/fallback rules of `localizer`. */
const locales: Record<string, Catalogue> = Object.fromEntries(Object.entries(parts).map(([lang, [main, instalments]]) => [lang, { ...main, ...instalments } as Catalogue]));
/** The whole English reference: the drop-in's messages, POS mode's, instalments', problems' and the outcome's (registered by their chunks). */
const en = { ...enMain, ...enPos, ...enInstalments, ...enProblems, ...enOutcome };
registerLocale('en', { ...enPos, ...enInstalments, ...enProblems, ...enOutcome });
for (const [lang, catalogue] of Object.entries(locales)) registerLocale(lang, catalogue);

type Message = string | Partial<Record<string, string>>;
const keys = Object.keys(en) as MessageKey[];
const forms = (message: Message): string[] => (typeof message === 'string' ? [message] : Object.values(message).filter((form): form is string => form !== undefined));
const placeholders = (text: string) => new Set([...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!));
const allPlaceholders = (message: Message) => new Set(forms(message).flatMap((form) => [...placeholders(form)]));
const sorted = (set: Iterable<string>) => [...set].sort();
/** Params for every placeholder of a message, so substitution can be checked. */
const paramsFor = (key: MessageKey): Params => Object.fromEntries(sorted(allPlaceholders(en[key])).map((name) => [name, name === 'count' ? 7 : `<${name}>`]));

for (const [lang, catalogue] of Object.entries(locales)) {
  const categories = sorted(new Intl.PluralRules(lang).resolvedOptions().pluralCategories);

  test(`${lang}: has every key of en and no other, each in the chunk of its English one`, () => {
    assert.deepEqual(sorted(Object.keys(catalogue)), sorted(keys));
    const [main, instalments] = parts[lang]!;
    assert.deepEqual(sorted(Object.keys(instalments)), sorted(Object.keys(enInstalments)), `${lang}-instalments.ts`);
    assert.equal(Object.keys(main).length + Object.keys(instalments).length, keys.length, `${lang}.ts holds no instalment message`);
  });

  test(`${lang}: every message has the same kind and placeholders as en`, () => {
    for (const key of keys) {
      const reference: Message = en[key];
      const message: Message = catalogue[key];
      assert.equal(typeof message, typeof reference, `${lang} ${key}: string vs plural`);
      const expected = sorted(allPlaceholders(reference));
      for (const form of forms(message)) {
        assert.deepEqual(sorted(placeholders(form)), expected, `${lang} ${key}: placeholders of "${form}"`);
        assert.ok(form.trim() === form && form.length > 0 && !/ {2}/.test(form), `${lang} ${key}: blank or badly spaced "${form}"`);
      }
    }
  });

  test(`${lang}: plural messages have exactly the categories of Intl.PluralRules('${lang}'): ${categories.join(', ')}`, () => {
    for (const key of keys) {
      const message: Message = catalogue[key];
      if (typeof message !== 'string') assert.deepEqual(sorted(Object.keys(message)), categories, `${lang} ${key}`);
    }
  });

  test(`${lang}: no message comes back as a raw key or with a placeholder left`, () => {
    const l10n = localizer(lang);
    for (const key of keys) {
      const params = paramsFor(key);
      const text = l10n.t(key, params);
      assert.notEqual(text, key, `${lang} ${key}`);
      assert.ok(text.length > 0, `${lang} ${key} is empty`);
      assert.doesNotMatch(text, /\{\w+\}/, `${lang} ${key}: "${text}"`);
      for (const [name, value] of Object.entries(params)) assert.ok(text.includes(String(value)), `${lang} ${key}: {${name}} not substituted in "${text}"`);
      if (typeof catalogue[key] === 'string') assert.equal(text, (catalogue[key] as string).replace(/\{(\w+)\}/g, (_, name: string) => String(params[name])), `${lang} ${key} is not the ${lang} text`);
    }
  });
}

test('en: no message comes back as a raw key', () => {
  for (const key of keys) assert.notEqual(localizer('en').t(key, paramsFor(key)), key);
});

const points = (lang: string, ...counts: number[]) => counts.map((count) => localizer(lang).t('loyalty.points', { count }));

test('ru: points take the right word form for 1, 2, 5, 21 and more', () => {
  assert.deepEqual(points('ru', 1, 2, 5, 21), ['1 балл', '2 балла', '5 баллов', '21 балл']);
  assert.deepEqual(points('ru', 0, 4, 11, 12, 14, 22, 25, 101, 111), ['0 баллов', '4 балла', '11 баллов', '12 баллов', '14 баллов', '22 балла', '25 баллов', '101 балл', '111 баллов']);
  assert.equal(localizer('ru').t('loyalty.points', { count: 1.5 }), '1,5 балла');
});

test('cs: points take the right word form for 1, 2, 5, 21 and more', () => {
  assert.deepEqual(points('cs', 1, 2, 5, 21), ['1 bod', '2 body', '5 bodů', '21 bodů']);
  assert.deepEqual(points('cs', 0, 3, 4, 11, 22), ['0 bodů', '3 body', '4 body', '11 bodů', '22 bodů']);
  assert.equal(localizer('cs').t('loyalty.points', { count: 1.5 }), '1,5 bodu');
});

test('other languages: singular and plural points', () => {
  assert.deepEqual(points('fr', 0, 1, 2, 5, 21), ['0 point', '1 point', '2 points', '5 points', '21 points']);
  assert.deepEqual(points('es', 1, 2, 5, 21), ['1 punto', '2 puntos', '5 puntos', '21 puntos']);
  assert.deepEqual(points('it', 1, 2, 5, 21), ['1 punto', '2 punti', '5 punti', '21 punti']);
  assert.deepEqual(points('pt', 1, 2, 5, 21), ['1 ponto', '2 pontos', '5 pontos', '21 pontos']);
  assert.deepEqual(points('en', 1, 2, 5, 21), ['1 point', '2 points', '5 points', '21 points']);
  // 'many' (1000000 in fr/es/it/pt) reads like 'other', with the digits grouped as the language groups them.
  assert.deepEqual(points('fr', 1000000), ['1\u202f000\u202f000 points']);
  assert.deepEqual(points('es', 1000000), ['1.000.000 puntos']);
});

test('counts are digit-grouped for the language in every catalogue\'s plural messages ("1245 points" → "1,245 points")', () => {
  assert.deepEqual(points('en', 1245), ['1,245 points']);
  assert.deepEqual(points('fr', 1245), ['1\u202f245 points']);
  assert.deepEqual(points('ru', 1245), ['1\u00a0245 баллов']);
  assert.deepEqual(points('cs', 12345), ['12\u00a0345 bodů']);
  for (const [lang, catalogue] of Object.entries({ en, ...locales })) {
    const grouped = new Intl.NumberFormat(lang).format(123456);
    for (const key of keys) {
      if (typeof catalogue[key] === 'string') continue;
      const text = localizer(lang).t(key, { ...paramsFor(key), count: 123456 });
      assert.ok(text.includes(grouped), `${lang} ${key}: "${text}" has no "${grouped}"`);
    }
  }
});

test('placeholders are substituted', () => {
  assert.equal(localizer('fr').t('pay.submit', { amount: '12,50 €' }), 'Payer 12,50 €');
  assert.equal(localizer('ru').t('lookup.found', { name: 'Анна' }), 'Здравствуйте, Анна');
  assert.equal(localizer('cs').t('loyalty.levelDiscount', { name: 'Zlatá', percent: 5 }), 'Zlatá: sleva 5 %');
});

test('a regional tag falls back to its language, an unknown one to en', () => {
  assert.equal(localizer('fr-CH').t('lookup.submit'), fr['lookup.submit']);
  assert.equal(localizer('fr-CH').t('lookup.submit'), 'Rechercher');
  assert.equal(localizer('pt-BR').t('error.retry'), pt['error.retry']);
  assert.equal(localizer('ru-RU').t('loyalty.points', { count: 3 }), '3 балла');
  assert.equal(localizer('cs-CZ').t('loyalty.points', { count: 2 }), '2 body');
  assert.equal(localizer('xx').t('lookup.submit'), en['lookup.submit']);
  assert.equal(localizer('xx').t('loyalty.points', { count: 2 }), '2 points');
  assert.equal(localizer('zz-ZZ').t('receipt.title'), en['receipt.title']);
});

test('a message missing from a partial catalogue falls back to en, never to the key', () => {
  registerLocale('qq', { 'pay.total': 'QQ total' });
  assert.equal(localizer('qq').t('pay.total'), 'QQ total');
  assert.equal(localizer('qq').t('pay.due'), en['pay.due']);
  for (const key of keys) assert.notEqual(localizer('qq').t(key, paramsFor(key)), key);
});
