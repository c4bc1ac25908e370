// Adyen Web's Drop-in as its docs show it: `@adyen/adyen-web/auto` (every payment method
// registered) and methods a European shop often offers. Hosted card fields and the wallets'
// scripts cannot load offline.
import { AdyenCheckout, Dropin } from '@adyen/adyen-web/auto';
import '@adyen/adyen-web/styles/adyen.css';
import { adyenOptions } from './adyen-options.js';

const checkout = await AdyenCheckout(
  adyenOptions([
    { type: 'scheme', name: 'Cards', brands: ['visa', 'mc', 'amex', 'cartebancaire'] },
    { type: 'paypal', name: 'PayPal' },
    { type: 'klarna', name: 'Pay later with Klarna.' },
  ]),
);
new Dropin(checkout).mount('#payment');
