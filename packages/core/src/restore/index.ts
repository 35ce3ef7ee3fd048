export {
  restoreOffline,
  toNativeDrop,
  type RestoreOfflineOptions,
  type RestoreOfflineResult,
  type RestoredGroup,
  type RestoreProgress,
} from './offline.js';
