/** Clients of Strata's servers: Zero's HTTP API and an Alpha's GraphQL `/admin`. */
export { ServiceError, type ServiceErrorReason, type ServiceErrorOptions } from './errors.js';
export { baseUrl, fetchJson, requestJson, type JsonRequest, type JsonAnswer } from './http.js';
export { fetchExport, type ExportRequest } from './export.js';
export {
  PLAIN_HTTP,
  tlsTransport,
  transportFetch,
  transportHint,
  type ClientTlsOptions,
  type Transport,
} from './transport.js';
export { readCaFile, readKeyPair, secretFileWarning, type KeyPair } from './tls-files.js';
export {
  ZeroClient,
  CLUSTER_TOKEN_HEADER,
  type ZeroClientOptions,
  type BackupLockRequest,
  type ZeroStateJson,
  type ConflictCheckJson,
  type ZeroGroup,
  type ZeroMember,
  type ZeroTablet,
  type ZeroLeaseKind,
} from './zero.js';
export {
  AdminClient,
  AUTH_TOKEN_HEADER,
  type AdminClientOptions,
  type BackupRequest,
  type BackupResult,
  type RestoreRequest,
  type RestoreResult,
  type RestoreStatus,
  type RestoreProgressReport,
  type BackupProgressReport,
  type RestoreGroupProgress,
} from './admin.js';
