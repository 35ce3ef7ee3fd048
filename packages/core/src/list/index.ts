export {
  listBackups,
  toListing,
  backupFolderTime,
  type LocationOptions,
  type BackupListing,
  type BackupGroupListing,
} from './list.js';
