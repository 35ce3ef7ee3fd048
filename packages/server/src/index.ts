/** @strata/server: Zero, and the parsers the Alpha will use. */
export * from './zero/index.js';
export * from './parse/index.js';
