/** @strata/server: Zero, Alpha, and the parsers they use. */
export * from './zero/index.js';
export * from './parse/index.js';
export * from './alpha/index.js';
