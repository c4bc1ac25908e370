import { define } from '../shared/define.js';
import { CheckoutSession } from './checkout-session.js';

define('checkout-session', CheckoutSession);
