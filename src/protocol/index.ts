/** What both sides use. Request schemas are in `./requests.ts`, imported by the proxy only. */
export * from './money.js';
export * from './problem.js';
export * from './schemas.js';
export * from './instalments.js';
export * from './instalment-paths.js';
