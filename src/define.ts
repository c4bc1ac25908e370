/**
 * The drop-in entry: registers the five tags. Importing it twice (CMS plugins load bundles
 * twice) is harmless. Each element can also be registered alone: `elements/<tag>/define.ts`.
 */
import './elements/checkout-session/define.js';
import './elements/customer-lookup/define.js';
import './elements/loyalty-balance/define.js';
import './elements/eligibility-check/define.js';
import './elements/checkout-pay/define.js';

export * from './index.js';
