// Adyen Web as a merchant bundles it for card payments: core + the Card component (tree-shaken).
// The card fields are Adyen-hosted iframes, which cannot load offline.
import { AdyenCheckout, Card } from '@adyen/adyen-web';
import '@adyen/adyen-web/styles/adyen.css';
import { adyenOptions } from './adyen-options.js';

const checkout = await AdyenCheckout(adyenOptions([{ type: 'scheme', name: 'Cards', brands: ['visa', 'mc', 'amex', 'cartebancaire'] }]));
new Card(checkout).mount('#payment');
