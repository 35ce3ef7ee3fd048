export type { Destination, DestinationCredentials } from './types.js';
export { LocalDestination, normalizeRelative } from './local.js';
export { openDestination, toDestination } from './open.js';
