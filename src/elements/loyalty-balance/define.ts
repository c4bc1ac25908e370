import { define } from '../shared/define.js';
import { LoyaltyBalance } from './loyalty-balance.js';

define('loyalty-balance', LoyaltyBalance);
