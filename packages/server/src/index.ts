/** @strata/server: Zero, Alpha, the parsers they use, and their one HTTP error type. */
export { HttpError, errorBody, type ErrorBody, type HttpErrorCode } from './http/errors.js';
export {
  parseSecurityFlag,
  readSecretFile,
  SecurityFlagError,
  type SecurityOptions,
  type TokenScope,
} from './http/security-options.js';
export {
  CLIENT_AUTH_TYPES,
  parseTlsFlag,
  TlsFlagError,
  type ClientAuthType,
  type TlsFlag,
} from './http/tls-options.js';
export { serverTls, type ServerTls } from './http/tls-server.js';
export { serverLogger, type ServerLoggerOptions } from './http/logger.js';
export { LOG_LEVELS, DEFAULT_LOG_LEVEL, type LogLevel } from './http/log-levels.js';
export * from './zero/index.js';
export * from './parse/index.js';
export * from './alpha/index.js';
