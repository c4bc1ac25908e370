import type { Catalogue } from './en.js';

/**
 * Czech: the messages of pay in instalments, in a chunk of their own that the instalments chunk
 * loads (with the page's language) only when the proxy has an instalment provider.
 */
export const csInstalments: Partial<Catalogue> = {
  'eligibility.title': 'Platba na splátky',
  'eligibility.checking': 'Ověřujeme, zda můžete platit na splátky…',
  'eligibility.updating': 'Aktualizujeme nabídky pro novou částku…',
  'eligibility.payInFull': 'Zaplatit {amount} najednou',
  'eligibility.offer.split': { one: 'Zaplatit na {count} splátku', few: 'Zaplatit na {count} splátky', many: 'Zaplatit na {count} splátky', other: 'Zaplatit na {count} splátek' },
  'eligibility.offer.credit': { one: 'Zaplatit na {count} měsíční splátku (úvěr)', few: 'Zaplatit na {count} měsíční splátky (úvěr)', many: 'Zaplatit na {count} měsíční splátky (úvěr)', other: 'Zaplatit na {count} měsíčních splátek (úvěr)' },
  'eligibility.offer.deferred': 'Zaplatit později, dne {date}',
  'eligibility.cost': 'Celkem {total}, z toho poplatky {fees}',
  'eligibility.noFees': 'Celkem {total}, bez poplatků',
  'eligibility.schedule': 'Splátkový kalendář',
  'eligibility.notEligible': 'Poskytovatel financování platbu této objednávky na splátky neschválil a neuvádí důvod. Stále můžete zaplatit celou částku najednou.',
  'eligibility.refused': 'Poskytovatel financování nemohl ověřit vaše údaje: {detail}',
  'eligibility.invalidDetails': 'Platbu na splátky nelze nabídnout: některé vaše uložené údaje chybí nebo nejsou platné. {detail}',
  'eligibility.unavailable': 'Poskytovatel financování teď neodpovídá. Zkuste to za chvíli.',
  'eligibility.noCustomer': 'Vyhledejte svůj účet a zjistěte, zda můžete platit na splátky.',
  'eligibility.unverified': 'Potvrďte, že je tento účet váš, abyste zjistili, zda můžete platit na splátky.',
  'eligibility.unverifiedShop': 'Přihlaste se do obchodu a zjistěte, zda můžete platit na splátky.',
  'eligibility.nothingDue': 'Nezbývá nic k úhradě, takže není co platit na splátky.',
  'eligibility.open': 'Zahájili jste platbu: {offer}. Dokončete ji nebo ji zrušte na platební stránce.',
  'eligibility.continue': 'Přejít na platební stránku',
  'eligibility.paid': 'Zaplaceno: {offer}, celkem {total}.',
  'pay.fees': 'Poplatky za splátky',
  'pay.totalWithFees': 'Celkem s poplatky',
  'pay.submitOffer': '{offer}: {total}',
  'pay.redirecting': 'Přesměrováváme vás na platební stránku…',
  'pay.continueOffer': 'Pokračovat na platební stránku',
  'pay.instalmentsOpen': 'Máte rozpracovanou platbu na splátky: dokončete ji nebo ji zrušte na platební stránce.',
  'pay.instalmentsRefused': 'Platba na splátky byla zamítnuta. Nic vám nebylo strženo a vaše body jsou opět k dispozici. Můžete zvolit jiný způsob platby.',
  'pay.instalmentsCancelled': 'Platbu na splátky jste zrušili. Nic vám nebylo strženo. Můžete zvolit jiný způsob platby.',
  'pay.instalmentsReview': 'Vaši platbu na splátky jsme přijali, ale vaše objednávka se mezitím změnila. Obchod vás bude kontaktovat: neplaťte znovu.',
  'receipt.instalments': 'Forma úhrady',
  'pay.anotherWay': 'Zaplatit jinak',
};
