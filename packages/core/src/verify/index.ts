export {
  verify,
  type VerifyOptions,
  type VerifyReport,
  type BackupVerifyReport,
  type VerifiedFile,
} from './verify.js';
export { renderVerifyReport } from './report.js';
export {
  DeepFileCheck,
  DeepSummary,
  deepSink,
  describeKey,
  MAX_PROBLEMS_PER_FILE,
  type DeepGroupReport,
  type DeepReport,
} from './deep.js';
