export type {
  Destination,
  DestinationCredentials,
  DestinationOptions,
  CredentialInfo,
  VersionedFile,
} from './types.js';
export { LocalDestination, normalizeRelative } from './local.js';
export { openDestination, toDestination } from './open.js';
export { S3Destination, s3ClientConfig } from './s3.js';
export { MinioDestination } from './minio.js';
export { RemoteDestination, DEFAULT_PART_SIZE, DEFAULT_QUEUE_SIZE, MIN_PART_SIZE } from './remote.js';
export {
  parseObjectStoreUri,
  isAwsHost,
  regionFromHost,
  resolveRegion,
  type ObjectStoreLocation,
  type ObjectStoreScheme,
} from './uri.js';
export { checkDestination, type DoctorStep, type DoctorReport } from './doctor.js';
