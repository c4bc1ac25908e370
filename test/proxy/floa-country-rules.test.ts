import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Cart } from '../../src/protocol/index.js';
import { listen, type RunningServer } from '../../src/node/listen.js';
import { checkCountryRules, nationalPhone, normaliseCustomer } from '../../src/proxy/providers/floa/country-rules.js';
import { buildPresaleFolder, floaReference } from '../../src/proxy/providers/floa/presale.js';
import type { FloaCountry, FloaCustomer } from '../../src/proxy/providers/floa/types.js';
import { createFloaSimulator, FLOA_DEMO_LOGIN, FLOA_DEMO_PASSWORD, FLOA_KO } from '../../src/simulators/floa/simulator.js';

/**
 * One test per rule of the FLOA document's per-country table, each with a passing and a
 * failing record. Each record is checked twice: by the adapter's pure `checkCountryRules`
 * and, over HTTP, by the simulator (the request built as the adapter builds it), so both
 * sides read the table the same way. Where they deliberately differ it is said in the test.
 */

const TODAY = '2026-01-15';

const base: Record<FloaCountry, FloaCustomer> = {
  FR: {
    reference: 'C001', civility: 'Mrs', firstName: 'Camille', lastName: 'Martin', birthName: 'Durand', birthDate: '1988-04-12',
    birthZipCode: '33', cellPhoneNumber: '0612345678', email: 'camille@example.test',
    homeAddress: { line1: '8 Quai de Bacalan', zipCode: '33000', city: 'Bordeaux', countryCode: 'FR' },
  },
  ES: {
    reference: 'C002', civility: 'Mr', firstName: 'Will', lastName: 'Thompson', secondLastName: 'Garcia', birthDate: '1986-07-16',
    cellPhoneNumber: '123456789', nationalId: '40919740A', email: 'will@example.test',
    homeAddress: { line1: 'C. Bartolomé Ordóñez', zipCode: '09006', city: 'Burgos', countryCode: 'ES' },
  },
  IT: {
    reference: 'C003', civility: 'Mr', firstName: 'Will', lastName: 'Rossi', birthDate: '1986-07-16', birthZipCode: '99',
    cellPhoneNumber: '123456789', nationalId: 'RSSMRA74D22A001Q', email: 'rossi@example.test',
    homeAddress: { line1: 'Viale Donato Bramante', zipCode: '05100', city: 'Terni TR', countryCode: 'IT' },
  },
  PT: {
    reference: 'C004', civility: 'Mr', firstName: 'Will', lastName: 'Santos', birthDate: '1986-07-16', birthZipCode: '99',
    cellPhoneNumber: '123456789', nationalId: '999999999', email: 'santos@example.test',
    homeAddress: { line1: 'Avenida 5 de Outubro 197', zipCode: '1050-054', city: 'Lisboa', countryCode: 'PT' },
  },
  BE: {
    reference: 'C005', civility: 'Mr', firstName: 'Will', lastName: 'Janssens', birthDate: '1986-07-16', birthZipCode: '99',
    cellPhoneNumber: '123456789', email: 'janssens@example.test',
    homeAddress: { line1: 'Rue Brederode 16', zipCode: '1000', city: 'Bruxelles', countryCode: 'BE' },
  },
};

type Patch = Partial<Omit<FloaCustomer, 'homeAddress'>> & { homeAddress?: Partial<FloaCustomer['homeAddress']> };

function customer(country: FloaCountry, patch: Patch = {}): FloaCustomer {
  const { homeAddress, ...rest } = patch;
  return { ...structuredClone(base[country]), ...rest, homeAddress: { ...base[country].homeAddress, ...homeAddress } } as FloaCustomer;
}

/** The local errors of a record, as the adapter checks it (normalised first). */
function local(country: FloaCountry | string, c: FloaCustomer) {
  return checkCountryRules({ country, customer: normaliseCustomer(c, country), today: TODAY });
}
const fieldsOf = (errors: Array<{ field: string }>) => errors.map((e) => e.field);

const cart: Cart = {
  id: 'cart-1',
  currency: 'EUR',
  lines: [{ sku: 'SKU-1', name: 'Fridge', quantity: 1, unitPrice: { amount: 50000, currency: 'EUR' }, total: { amount: 50000, currency: 'EUR' } }],
  total: { amount: 50000, currency: 'EUR' },
};

let sim: ReturnType<typeof createFloaSimulator>;
let server: RunningServer;
let token: string;

before(async () => {
  // One site (7017) for every country's record: these tests are about the table's rules, not about sites per country.
  const site = { id: '7017', purchaseType: 'Cb4X', paymentOptionRef: '63', instalments: 4, feesBps: 220, minAmount: 5000, maxAmount: 300000 } as const;
  sim = createFloaSimulator({ defaultOutcome: 'eligible', outcomes: {}, sites: [site] });
  server = await listen(sim.app);
  const reply = await fetch(`${server.url}/v1/auth/token`, { headers: { authorization: Buffer.from(`${FLOA_DEMO_LOGIN}:${FLOA_DEMO_PASSWORD}`).toString('base64') } });
  token = (await reply.json()) as string;
});
after(() => server.close());

/** The simulator's KO texts for the request the adapter would build (bypassing the adapter's own check). */
async function remote(country: FloaCountry, c: FloaCustomer): Promise<string[]> {
  const body = buildPresaleFolder({
    reference: 'REF0001', cart, rawAmount: 50000, customer: normaliseCustomer(c, country), country,
    saleChannel: 'Desktop', shippingMethod: 'STD', categories: {}, defaultCategories: ['Kitchen appliances'],
  });
  const reply = await fetch(`${server.url}/api/v4/eligibilities?merchantId=38&merchantSiteIds=7017`, {
    method: 'POST', headers: { authToken: token, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.equal(reply.status, 200);
  const json = (await reply.json()) as { eligibilities: Array<{ errors?: string[]; hasAgreement?: boolean }> };
  return json.eligibilities[0]!.errors ?? [];
}

/** Asserts a record passes on both sides. */
async function passes(country: FloaCountry, c: FloaCustomer) {
  assert.deepEqual(local(country, c), [], `local errors for a valid ${country} record`);
  assert.deepEqual(await remote(country, c), [], `simulator errors for a valid ${country} record`);
}

describe('FLOA per-country rules', () => {
  test('the five documented sample customers pass in their country', async () => {
    for (const country of ['FR', 'ES', 'IT', 'PT', 'BE'] as const) await passes(country, customer(country));
  });

  test('country: only FR, ES, IT, PT and BE orders', () => {
    assert.deepEqual(fieldsOf(local('DE', customer('FR'))), ['country']);
    assert.deepEqual(local('FR', customer('FR')), []);
  });

  test('civility is mandatory and one of Mr, Mrs, Ms', async () => {
    await passes('FR', customer('FR', { civility: 'Ms' }));
    const bad = customer('FR', { civility: 'Dr' as never });
    assert.deepEqual(fieldsOf(local('FR', bad)), ['customer.civility']);
    assert.deepEqual(await remote('FR', bad), [FLOA_KO.civility]);
  });

  test('last name and first name are mandatory', async () => {
    await passes('IT', customer('IT'));
    const bad = customer('IT', { lastName: ' ', firstName: '', birthName: 'Rossi' });
    assert.deepEqual(fieldsOf(local('IT', bad)), ['customer.lastName', 'customer.firstName']);
    assert.deepEqual(await remote('IT', bad), [FLOA_KO.lastName, FLOA_KO.firstName]);
  });

  test('birth name is mandatory: defaults to the last name, except for Mrs', async () => {
    const mr = customer('FR', { civility: 'Mr', birthName: undefined });
    assert.equal(normaliseCustomer(mr, 'FR').birthName, 'Martin');
    await passes('FR', mr);
    const mrs = customer('FR', { civility: 'Mrs', birthName: undefined });
    assert.deepEqual(fieldsOf(local('FR', mrs)), ['customer.birthName']);
    // The simulator accepts a missing birth name: the document's examples all omit it.
    assert.deepEqual(await remote('FR', mrs), []);
  });

  test('birth date is mandatory, a real date, not in the future', async () => {
    await passes('PT', customer('PT', { birthDate: '2000-02-29' }));
    assert.deepEqual(fieldsOf(local('PT', customer('PT', { birthDate: '16/07/1986' }))), ['customer.birthDate']);
    assert.deepEqual(fieldsOf(local('PT', customer('PT', { birthDate: '1986-02-30' }))), ['customer.birthDate']);
    assert.deepEqual(fieldsOf(local('PT', customer('PT', { birthDate: '2026-01-16' }))), ['customer.birthDate']);
    assert.deepEqual(await remote('PT', customer('PT', { birthDate: '1986-02-30' })), [FLOA_KO.birthDate]);
  });

  test('customer reference is mandatory, 30 characters max', async () => {
    await passes('BE', customer('BE', { reference: 'x'.repeat(30) }));
    const bad = customer('BE', { reference: 'x'.repeat(31) });
    assert.deepEqual(fieldsOf(local('BE', bad)), ['customer.reference']);
    assert.deepEqual(await remote('BE', bad), [FLOA_KO.customerReference]);
  });

  test('email is mandatory, 60 characters max', async () => {
    await passes('ES', customer('ES', { email: `${'a'.repeat(47)}@example.test` }));
    const tooLong = customer('ES', { email: `${'a'.repeat(48)}@example.test` });
    assert.deepEqual(fieldsOf(local('ES', tooLong)), ['customer.email']);
    assert.deepEqual(await remote('ES', tooLong), [FLOA_KO.email]);
    assert.deepEqual(fieldsOf(local('ES', customer('ES', { email: '' }))), ['customer.email']);
  });

  test('home phone or cell phone: one of them is mandatory', async () => {
    await passes('FR', customer('FR', { cellPhoneNumber: undefined, homePhoneNumber: '0556000000' }));
    const none = customer('FR', { cellPhoneNumber: undefined, homePhoneNumber: undefined });
    assert.deepEqual(fieldsOf(local('FR', none)), ['customer.cellPhoneNumber']);
    assert.deepEqual(await remote('FR', none), [FLOA_KO.phone]);
  });

  test('phones: 13 characters max where no exact length is given (FR, BE)', async () => {
    await passes('BE', customer('BE', { cellPhoneNumber: '+324701234567' }));
    const international = customer('BE', { cellPhoneNumber: '0032 470 12 34 56' });
    assert.equal(normaliseCustomer(international, 'BE').cellPhoneNumber, '0470123456', 'an international BE number becomes national');
    const tooLong = customer('FR', { homePhoneNumber: '06123456789012' });
    assert.deepEqual(fieldsOf(local('FR', tooLong)), ['customer.homePhoneNumber']);
    assert.deepEqual(await remote('FR', tooLong), [FLOA_KO.phoneLength]);
  });

  test('ES and PT home phones: only numbers with 9 characters', async () => {
    for (const country of ['ES', 'PT'] as const) {
      await passes(country, customer(country, { homePhoneNumber: '912345678' }));
      const bad = customer(country, { homePhoneNumber: '91234567' });
      assert.deepEqual(fieldsOf(local(country, bad)), ['customer.homePhoneNumber']);
      assert.deepEqual(await remote(country, bad), [FLOA_KO.homePhone(country, 9)]);
    }
  });

  test('IT home phones: only numbers with 6 characters', async () => {
    await passes('IT', customer('IT', { homePhoneNumber: '654321' }));
    const bad = customer('IT', { homePhoneNumber: '0654321' });
    assert.deepEqual(fieldsOf(local('IT', bad)), ['customer.homePhoneNumber']);
    assert.deepEqual(await remote('IT', bad), [FLOA_KO.homePhone('IT', 6)]);
  });

  test('ES, PT and IT cell phones: only numbers with 9 characters', async () => {
    for (const country of ['ES', 'PT', 'IT'] as const) {
      await passes(country, customer(country, { cellPhoneNumber: '612 345 678' }));
      const bad = customer(country, { cellPhoneNumber: '6123456789' });
      assert.deepEqual(fieldsOf(local(country, bad)), ['customer.cellPhoneNumber']);
      assert.deepEqual(await remote(country, bad), [FLOA_KO.cellPhone(country, 9)]);
    }
    // An international number in national form: +34 dropped, no trunk zero in Spain.
    assert.equal(nationalPhone('+34 612-34-56-78', 'ES'), '612345678');
    assert.equal(nationalPhone('+351 912 345 678', 'PT'), '912345678');
    assert.equal(nationalPhone('+33 (0)6 12 34 56 78', 'FR'), '0612345678');
  });

  test('birth zip code: mandatory for FR, IT and BE, optional for ES', async () => {
    await passes('ES', customer('ES', { birthZipCode: undefined }));
    for (const country of ['FR', 'IT', 'BE'] as const) {
      const bad = customer(country, { birthZipCode: undefined });
      assert.deepEqual(fieldsOf(local(country, bad)), ['customer.birthZipCode'], country);
      assert.deepEqual(await remote(country, bad), [FLOA_KO.birthZipCode(country)], country);
    }
  });

  test('birth zip code: 2, 3 or 5 characters', async () => {
    for (const zip of ['75', '972', '06000']) await passes('FR', customer('FR', { birthZipCode: zip }));
    const bad = customer('FR', { birthZipCode: '750001' });
    assert.deepEqual(fieldsOf(local('FR', bad)), ['customer.birthZipCode']);
    assert.deepEqual(await remote('FR', bad), [FLOA_KO.birthZipCode('FR')]);
    // Optional in Spain, but checked when given.
    assert.deepEqual(await remote('ES', customer('ES', { birthZipCode: '7' })), [FLOA_KO.birthZipCode('ES')]);
  });

  test('birth zip code: "06000" for Nice, not "6000"', async () => {
    await passes('FR', customer('FR', { birthZipCode: '06000' }));
    const bad = customer('FR', { birthZipCode: '6000' });
    const errors = local('FR', bad);
    assert.deepEqual(fieldsOf(errors), ['customer.birthZipCode']);
    assert.match(errors[0]!.message, /"06000", not "6000"/);
    assert.deepEqual(await remote('FR', bad), [FLOA_KO.birthZipCode('FR')]);
  });

  test('birth zip code: "972" for Martinique ("97" names no department)', async () => {
    await passes('FR', customer('FR', { birthZipCode: '972' }));
    const errors = local('FR', customer('FR', { birthZipCode: '97' }));
    assert.deepEqual(fieldsOf(errors), ['customer.birthZipCode']);
    assert.match(errors[0]!.message, /972/);
    // The simulator only knows the length rule: "97" has 2 characters.
  });

  test('birth zip code: "99" when born outside France (when the birth country is known)', async () => {
    await passes('BE', customer('BE', { birthCountry: 'BE', birthZipCode: '99' }));
    assert.deepEqual(fieldsOf(local('BE', customer('BE', { birthCountry: 'BE', birthZipCode: '1000' }))), ['customer.birthZipCode']);
    assert.deepEqual(fieldsOf(local('FR', customer('FR', { birthCountry: 'FR', birthZipCode: '99' }))), ['customer.birthZipCode']);
    // Born in France, living in Belgium: the French department code is right.
    assert.deepEqual(local('BE', customer('BE', { birthCountry: 'FR', birthZipCode: '59' })), []);
  });

  test('birth zip code: always "99" for Portuguese orders', async () => {
    const missing = customer('PT', { birthZipCode: undefined });
    assert.equal(normaliseCustomer(missing, 'PT').birthZipCode, '99');
    await passes('PT', missing);
    const bad = customer('PT', { birthZipCode: '75' });
    assert.deepEqual(fieldsOf(local('PT', bad)), ['customer.birthZipCode']);
    assert.deepEqual(await remote('PT', bad), [FLOA_KO.birthZipCodePt]);
  });

  test('national id: mandatory for ES, IT and PT; not sent for FR and BE', async () => {
    for (const country of ['ES', 'IT', 'PT'] as const) {
      const bad = customer(country, { nationalId: undefined });
      assert.deepEqual(fieldsOf(local(country, bad)), ['customer.nationalId'], country);
      assert.deepEqual(await remote(country, bad), [FLOA_KO.nationalId(country)], country);
    }
    const fr = customer('FR', { nationalId: '123' });
    assert.equal(normaliseCustomer(fr, 'FR').nationalId, undefined);
    await passes('FR', fr);
  });

  test('second last name: Spanish orders only', () => {
    const build = (country: FloaCountry, c: FloaCustomer) =>
      buildPresaleFolder({
        reference: 'R', cart, rawAmount: 50000, customer: normaliseCustomer(c, country), country,
        saleChannel: 'Desktop', shippingMethod: 'STD', categories: {}, defaultCategories: ['Other'],
      }).presaleFolder.customer as Record<string, unknown>;
    assert.equal(build('ES', customer('ES'))['secondLastName'], 'Garcia');
    assert.equal('secondLastName' in build('IT', customer('IT', { secondLastName: 'Verdi' })), false);
  });

  test('home address: line 1 (32 max), city (50 max) and country code are mandatory', async () => {
    await passes('FR', customer('FR', { homeAddress: { line1: 'x'.repeat(32), city: 'y'.repeat(50) } }));
    const bad = customer('FR', { homeAddress: { line1: 'x'.repeat(33), city: '' } });
    assert.deepEqual(fieldsOf(local('FR', bad)), ['customer.homeAddress.line1', 'customer.homeAddress.city']);
    assert.deepEqual(await remote('FR', bad), [FLOA_KO.line1, FLOA_KO.city]);
    assert.ok(fieldsOf(local('FR', customer('FR', { homeAddress: { countryCode: '' } }))).includes('customer.homeAddress.countryCode'));
  });

  test('zip code FR: 5 characters, with the document\'s exact KO text', async () => {
    await passes('FR', customer('FR', { homeAddress: { zipCode: '75004' } }));
    const bad = customer('FR', { homeAddress: { zipCode: '3300' } });
    const text = 'Zip code is mandatory. Length of characters accepted for country code FR: 5.';
    assert.deepEqual(local('FR', bad), [{ field: 'customer.homeAddress.zipCode', message: text }]);
    assert.deepEqual(await remote('FR', bad), [text]);
  });

  test('zip code ES and IT: 5 characters', async () => {
    for (const country of ['ES', 'IT'] as const) {
      const bad = customer(country, { homeAddress: { zipCode: '9006' } });
      assert.deepEqual(fieldsOf(local(country, bad)), ['customer.homeAddress.zipCode']);
      assert.deepEqual(await remote(country, bad), [FLOA_KO.zip(country, 5)]);
    }
  });

  test('zip code BE: 4 characters', async () => {
    await passes('BE', customer('BE', { homeAddress: { zipCode: '4000' } }));
    const bad = customer('BE', { homeAddress: { zipCode: '10000' } });
    assert.deepEqual(fieldsOf(local('BE', bad)), ['customer.homeAddress.zipCode']);
    assert.deepEqual(await remote('BE', bad), [FLOA_KO.zip('BE', 4)]);
  });

  test('zip code PT: xxxx-xxx', async () => {
    await passes('PT', customer('PT', { homeAddress: { zipCode: '4000-322' } }));
    const bad = customer('PT', { homeAddress: { zipCode: '1050054' } });
    assert.deepEqual(fieldsOf(local('PT', bad)), ['customer.homeAddress.zipCode']);
    assert.deepEqual(await remote('PT', bad), [FLOA_KO.zipPt]);
  });

  test('every broken rule is reported at once', () => {
    const bad = customer('ES', { civility: 'X' as never, nationalId: undefined, cellPhoneNumber: '1', homeAddress: { zipCode: '1' } });
    assert.deepEqual(fieldsOf(local('ES', bad)), ['customer.civility', 'customer.cellPhoneNumber', 'customer.nationalId', 'customer.homeAddress.zipCode']);
  });
});

describe('FLOA presale folder', () => {
  test('one shopping cart with FLOA\'s reference alphabet, products with categories parent first', () => {
    const folder = buildPresaleFolder({
      reference: floaReference('chk:2f6a-91'), cart: { ...cart, lines: [...cart.lines, { ...cart.lines[0]!, sku: 'SKU-2', quantity: 2 }] },
      rawAmount: 45000, customer: normaliseCustomer(customer('FR'), 'FR'), country: 'FR', saleChannel: 'Desktop',
      shippingMethod: 'VIR', categories: { 'SKU-1': ['Home', 'Kitchen'] }, defaultCategories: ['Other'],
    }).presaleFolder;
    const shoppingCart = folder.shoppingCarts[0]!;
    assert.equal(shoppingCart.reference, 'chk_2f6a_91');
    assert.equal(shoppingCart.rawAmount, 45000);
    assert.equal(shoppingCart.productsCount, 3);
    assert.deepEqual(shoppingCart.products[0]!.categories, [{ name: 'Home', parent: '' }, { name: 'Kitchen', parent: 'Home' }]);
    assert.deepEqual(shoppingCart.products[1]!.categories, [{ name: 'Other', parent: '' }]);
    assert.equal(folder.customer.birthDate, '1988-04-12T00:00:00.000Z');
    assert.equal('merchantSite' in folder, false, 'merchantSite only for 10X');
  });

  test('long ids keep a hash so two references never collide', () => {
    const a = floaReference(`order-${'a'.repeat(40)}-1`);
    const b = floaReference(`order-${'a'.repeat(40)}-2`);
    assert.match(a, /^[A-Za-z0-9_]{30}$/);
    assert.notEqual(a, b);
  });
});
