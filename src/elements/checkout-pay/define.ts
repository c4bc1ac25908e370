import { define } from '../shared/define.js';
import { CheckoutPay } from './checkout-pay.js';

define('checkout-pay', CheckoutPay);
