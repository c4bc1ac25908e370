import { define } from '../shared/define.js';
import { EligibilityCheck } from './eligibility-check.js';

define('eligibility-check', EligibilityCheck);
