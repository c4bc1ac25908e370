import type { FloaCustomer } from '../../proxy/providers/floa/types.js';

/**
 * Demo identities for the FLOA simulator: per country, one eligible, one not eligible and one
 * KO customer, plus a slow one and one whose record breaks a country rule (refused by the
 * adapter before any call). The simulator decides by e-mail; the demo's customer source
 * hands these records to the adapter as the server-side identity.
 */
export type FloaOutcome = 'eligible' | 'not-eligible' | 'ko' | 'slow';

export interface FloaDemoIdentity {
  outcome: FloaOutcome | 'invalid';
  /** What this identity shows on the demo page. */
  demonstrates: string;
  customer: FloaCustomer;
}

const history = { firstOrderDate: '2022-01-16', lastOrderDate: '2025-03-01' };

function person(
  country: 'FR' | 'ES' | 'IT' | 'PT' | 'BE',
  n: number,
  fields: Omit<FloaCustomer, 'reference' | 'homeAddress' | 'history'> & { address: [string, string, string] },
): FloaCustomer {
  const { address, ...rest } = fields;
  return { reference: `${country}-${String(n).padStart(4, '0')}`, ...rest, homeAddress: { line1: address[0], zipCode: address[1], city: address[2], countryCode: country }, history };
}

export function floaDemoIdentities(): FloaDemoIdentity[] {
  return [
    // France
    {
      outcome: 'eligible',
      demonstrates: 'FR, eligible to 3x/4x/pay later (and 10x with the journey URLs); married name with a birth name.',
      customer: person('FR', 1, { civility: 'Mrs', firstName: 'Camille', lastName: 'Martin', birthName: 'Durand', birthDate: '1988-04-12', birthZipCode: '33', birthCountry: 'FR', cellPhoneNumber: '06 12 34 56 78', email: 'camille.martin@floa-demo.test', address: ['8 Quai de Bacalan', '33000', 'Bordeaux'] }),
    },
    {
      outcome: 'not-eligible',
      demonstrates: 'FR, not eligible (FLOA gives no reason); born in Martinique (birth zip code 972).',
      customer: person('FR', 2, { civility: 'Mr', firstName: 'Louis', lastName: 'Bernard', birthDate: '1979-11-03', birthZipCode: '972', birthCountry: 'FR', cellPhoneNumber: '0698765432', email: 'louis.bernard@floa-demo.test', address: ['12 Rue de la République', '69002', 'Lyon'] }),
    },
    {
      outcome: 'ko',
      demonstrates: 'FR, KO: FLOA answers with an error text and a requestId; born in Nice (06000).',
      customer: person('FR', 3, { civility: 'Ms', firstName: 'Nina', lastName: 'Petit', birthDate: '1995-02-20', birthZipCode: '06000', birthCountry: 'FR', homePhoneNumber: '0493123456', email: 'nina.petit@floa-demo.test', address: ['3 Promenade des Anglais', '06000', 'Nice'] }),
    },
    {
      outcome: 'slow',
      demonstrates: 'FR, FLOA answers too late: the proxy times out and offers a retry.',
      customer: person('FR', 4, { civility: 'Mr', firstName: 'Hugo', lastName: 'Lambert', birthDate: '1990-06-30', birthZipCode: '75', birthCountry: 'FR', cellPhoneNumber: '0711223344', email: 'hugo.lambert@floa-demo.test', address: ['5 Rue de Rivoli', '75004', 'Paris'] }),
    },
    {
      outcome: 'invalid',
      demonstrates: 'FR, birth zip code "6000" (Nice without its leading zero): refused before any FLOA call.',
      customer: person('FR', 5, { civility: 'Mr', firstName: 'Paul', lastName: 'Lefèvre', birthDate: '1984-09-09', birthZipCode: '6000', birthCountry: 'FR', cellPhoneNumber: '0655443322', email: 'paul.lefevre@floa-demo.test', address: ['10 Avenue Jean Médecin', '06000', 'Nice'] }),
    },
    // Spain: national id mandatory, phones of 9 digits, second last name, no birth zip code.
    {
      outcome: 'eligible',
      demonstrates: 'ES, eligible; second last name and DNI sent.',
      customer: person('ES', 1, { civility: 'Mrs', firstName: 'Lucía', lastName: 'García', birthName: 'García', secondLastName: 'López', birthDate: '1987-03-15', cellPhoneNumber: '+34 612 345 678', nationalId: '40919740A', email: 'lucia.garcia@floa-demo.test', address: ['C. Bartolomé Ordóñez 4', '09006', 'Burgos'] }),
    },
    {
      outcome: 'not-eligible',
      demonstrates: 'ES, not eligible.',
      customer: person('ES', 2, { civility: 'Mr', firstName: 'Javier', lastName: 'Moreno', secondLastName: 'Díaz', birthDate: '1982-12-01', cellPhoneNumber: '622334455', nationalId: '12345678Z', email: 'javier.moreno@floa-demo.test', address: ['Calle Mayor 10', '28013', 'Madrid'] }),
    },
    {
      outcome: 'ko',
      demonstrates: 'ES, KO.',
      customer: person('ES', 3, { civility: 'Ms', firstName: 'Sofía', lastName: 'Ruiz', birthDate: '1993-07-22', homePhoneNumber: '963123456', nationalId: '87654321X', email: 'sofia.ruiz@floa-demo.test', address: ['Plaza del Ayuntamiento 1', '46002', 'Valencia'] }),
    },
    // Italy: birth zip code 99 (born outside France), codice fiscale, cell 9 digits.
    {
      outcome: 'eligible',
      demonstrates: 'IT, eligible; birth zip code 99, codice fiscale.',
      customer: person('IT', 1, { civility: 'Mrs', firstName: 'Giulia', lastName: 'Rossi', birthName: 'Rossi', birthDate: '1985-08-01', birthZipCode: '99', birthCountry: 'IT', cellPhoneNumber: '312345678', nationalId: 'RSSGLI85M41H501Z', email: 'giulia.rossi@floa-demo.test', address: ['Viale Donato Bramante 3', '05100', 'Terni'] }),
    },
    {
      outcome: 'not-eligible',
      demonstrates: 'IT, not eligible; home phone of 6 digits.',
      customer: person('IT', 2, { civility: 'Mr', firstName: 'Marco', lastName: 'Bianchi', birthDate: '1976-01-19', birthZipCode: '99', birthCountry: 'IT', homePhoneNumber: '654321', nationalId: 'BNCMRC76A19F205X', email: 'marco.bianchi@floa-demo.test', address: ['Via Dante 12', '20121', 'Milano'] }),
    },
    {
      outcome: 'ko',
      demonstrates: 'IT, KO.',
      customer: person('IT', 3, { civility: 'Ms', firstName: 'Chiara', lastName: 'Romano', birthDate: '1991-05-05', birthZipCode: '99', birthCountry: 'IT', cellPhoneNumber: '347654321', nationalId: 'RMNCHR91E45L219K', email: 'chiara.romano@floa-demo.test', address: ['Via Roma 25', '10121', 'Torino'] }),
    },
    // Portugal: zip xxxx-xxx, NIF, birth zip code always 99.
    {
      outcome: 'eligible',
      demonstrates: 'PT, eligible; zip code xxxx-xxx, NIF, birth zip code 99 set by the adapter.',
      customer: person('PT', 1, { civility: 'Mrs', firstName: 'Inês', lastName: 'Santos', birthName: 'Santos', birthDate: '1989-10-10', cellPhoneNumber: '912345678', nationalId: '999999990', email: 'ines.santos@floa-demo.test', address: ['Avenida 5 de Outubro 197', '1050-054', 'Lisboa'] }),
    },
    {
      outcome: 'not-eligible',
      demonstrates: 'PT, not eligible.',
      customer: person('PT', 2, { civility: 'Mr', firstName: 'Tiago', lastName: 'Ferreira', birthDate: '1980-04-25', cellPhoneNumber: '936543210', nationalId: '123456789', email: 'tiago.ferreira@floa-demo.test', address: ['Rua de Santa Catarina 100', '4000-442', 'Porto'] }),
    },
    {
      outcome: 'ko',
      demonstrates: 'PT, KO.',
      customer: person('PT', 3, { civility: 'Ms', firstName: 'Ana', lastName: 'Costa', birthDate: '1994-12-12', homePhoneNumber: '213456789', nationalId: '234567890', email: 'ana.costa@floa-demo.test', address: ['Rua Augusta 50', '1100-053', 'Lisboa'] }),
    },
    // Belgium: zip code of 4 characters, birth zip code mandatory (99 when born outside France).
    {
      outcome: 'eligible',
      demonstrates: 'BE, eligible; zip code of 4 characters.',
      customer: person('BE', 1, { civility: 'Mrs', firstName: 'Emma', lastName: 'Janssens', birthName: 'Peeters', birthDate: '1986-07-16', birthZipCode: '99', birthCountry: 'BE', cellPhoneNumber: '0470123456', email: 'emma.janssens@floa-demo.test', address: ['Rue Brederode 16', '1000', 'Bruxelles'] }),
    },
    {
      outcome: 'not-eligible',
      demonstrates: 'BE, not eligible.',
      customer: person('BE', 2, { civility: 'Mr', firstName: 'Lucas', lastName: 'Peeters', birthDate: '1978-02-14', birthZipCode: '99', birthCountry: 'BE', cellPhoneNumber: '0485765432', email: 'lucas.peeters@floa-demo.test', address: ['Meir 50', '2000', 'Antwerpen'] }),
    },
    {
      outcome: 'ko',
      demonstrates: 'BE, KO.',
      customer: person('BE', 3, { civility: 'Ms', firstName: 'Louise', lastName: 'Maes', birthDate: '1996-09-30', birthZipCode: '59', birthCountry: 'FR', homePhoneNumber: '022345678', email: 'louise.maes@floa-demo.test', address: ['Place Saint-Lambert 1', '4000', 'Liège'] }),
    },
  ];
}

/** E-mail → outcome, as the simulator reads it (invalid records never reach it). */
export function floaDemoOutcomes(): Record<string, FloaOutcome> {
  const outcomes: Record<string, FloaOutcome> = {};
  for (const identity of floaDemoIdentities()) {
    if (identity.outcome !== 'invalid') outcomes[identity.customer.email.toLowerCase()] = identity.outcome;
  }
  return outcomes;
}
