export {
  restoreOffline,
  stagingDir,
  toNativeDrop,
  type RestoreOfflineOptions,
  type RestoreOfflineResult,
  type RestoredGroup,
  type RestoreProgress,
} from './offline.js';
export { checkChainChecksums, sha256Of } from './checksums.js';
export { planRestore, type RestorePlan, type RestorePlanBackup, type RestorePlanGroup } from './plan.js';
