export { newBackupId, backupFolderName, BACKUP_FOLDER_RE } from './names.js';
export { findStrayFolders } from './stray.js';
export { keyFingerprint, keyMatchesFingerprint } from './fingerprint.js';
export { planBackup, readLocation, backupFilePath, type BackupPlan, type PlanBackupOptions } from './plan.js';
export {
  writeManifest,
  manifestLists,
  MASTER_CAS_ATTEMPTS,
  backupManifestModel,
  toManifestDrop,
  type WriteManifestOptions,
} from './manifest.js';
export {
  backupGroupFile,
  writeGroupFile,
  type GroupFileStream,
  type GroupFileResult,
  type GroupFileTimings,
  type WriteGroupFileOptions,
} from './stream.js';
export { checkRestoreKey } from './key-check.js';
export {
  RESUME_JOURNAL_FILE,
  MAX_JOURNAL_BYTES,
  journalPath,
  newJournal,
  serializeJournal,
  parseJournal,
  readJournal,
  writeJournal,
  findInterrupted,
  resumeMismatch,
  resumedPlan,
  fileSha256,
  type ResumeJournal,
  type JournalGroupResult,
  type InterruptedBackup,
  type ResumeContext,
} from './journal.js';
