export {
  planRetention,
  parseDuration,
  checkRules,
  dependencies,
  type RetentionRules,
  type RetentionPlan,
  type PlannedBackup,
} from './plan.js';
