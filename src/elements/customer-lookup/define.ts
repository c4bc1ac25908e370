import { define } from '../shared/define.js';
import { CustomerLookup } from './customer-lookup.js';

define('customer-lookup', CustomerLookup);
