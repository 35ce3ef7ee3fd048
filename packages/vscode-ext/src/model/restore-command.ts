/** The `strata restore` command line for a backup (packages/cli/README.md). */
import { shellQuote } from './format.js';

export interface RestoreCommandOptions {
  location: string;
  backupId: string;
  backupNum: number;
  encrypted: boolean;
  /** Target folder of the posting stores; default `./restored`. */
  pdir?: string;
  /** Key file for encrypted series; default a placeholder to fill in. */
  keyFile?: string;
}

export function restoreCommandLine(o: RestoreCommandOptions): string {
  const args = [
    'strata',
    'restore',
    '-l',
    shellQuote(o.location),
    '-p',
    shellQuote(o.pdir ?? './restored'),
    '--backup_id',
    shellQuote(o.backupId),
    '--backup_num',
    String(o.backupNum),
  ];
  if (o.encrypted)
    args.push('--encryption_key_file', o.keyFile !== undefined ? shellQuote(o.keyFile) : '<KEY_FILE>');
  return args.join(' ');
}
