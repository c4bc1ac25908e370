export * from './money.js';
export * from './problem.js';
export * from './schemas.js';
