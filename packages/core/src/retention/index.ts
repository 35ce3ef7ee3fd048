export {
  planRetention,
  parseDuration,
  checkRules,
  dependencies,
  type RetentionRules,
  type RetentionPlan,
  type PlannedBackup,
} from './plan.js';
export { expireBackups, EXPIRE_CAS_ATTEMPTS, type ExpireOptions, type ExpireResult } from './expire.js';
