export {
  verify,
  type VerifyOptions,
  type VerifyReport,
  type BackupVerifyReport,
  type VerifiedFile,
} from './verify.js';
export { renderVerifyReport } from './report.js';
