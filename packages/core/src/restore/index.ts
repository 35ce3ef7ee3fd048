export {
  restoreOffline,
  stagingDir,
  type RestoreOfflineOptions,
  type RestoreOfflineResult,
  type RestoredGroup,
  type RestoreProgress,
} from './offline.js';
export { mergesChain, toNativeDrop, writeGroupStore, type GroupStoreInput } from './group-store.js';
export { checkChainChecksums, sha256Of } from './checksums.js';
export {
  planRestore,
  type PlannedLoad,
  type RestorePlan,
  type RestorePlanBackup,
  type RestorePlanGroup,
} from './plan.js';
export {
  layoutTablets,
  planLayout,
  sourceGroupsFor,
  MAX_TARGET_GROUPS,
  type LayoutOptions,
  type RestoreLayout,
  type TargetGroup,
} from './layout.js';
export {
  isPartial,
  parseNamespaceList,
  parsePredicateList,
  selectPredicates,
  type RestoreSelection,
} from './selection.js';
