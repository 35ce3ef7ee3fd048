/** Option parsers and option groups shared by several commands. */
import { Command, InvalidArgumentError, Option } from 'commander';

/** An integer option from `min` to `max`. */
export function intArg(min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}

/** `a,b,c` → `['a','b','c']` (empty entries dropped). */
export function listArg(v: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

/** `--backup_num N`: a whole number, 0 for all the backups of the series. */
export function parseBackupNum(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number >= 0 (0 = all)');
  return Number(value);
}

/** `true|1|yes` / `false|0|no`. */
export function parseBool(value: string): boolean {
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new InvalidArgumentError('expected true or false');
}

/** The flags that choose a chain of backups of a location, and its key file (dashed aliases too). */
export interface ChainFlags {
  backup_id?: string;
  backupId?: string;
  backup_num?: number;
  backupNum?: number;
  encryption_key_file?: string;
  encryptionKeyFile?: string;
}

/** Adds --backup_id, --backup_num and --encryption_key_file; `verb` says what is done to the chain. */
export function addChainOptions(cmd: Command, verb: string): Command {
  return cmd
    .option('--backup_id <id>', `the series to ${verb} (default: the newest series)`)
    .addOption(new Option('--backup-id <id>', 'alias of --backup_id').hideHelp())
    .option('--backup_num <n>', `${verb} backups 1..n of the series (default 0: all)`, parseBackupNum)
    .addOption(new Option('--backup-num <n>', 'alias of --backup_num').argParser(parseBackupNum).hideHelp())
    .option('--encryption_key_file <file>', 'file holding the AES key (raw 16, 24 or 32 bytes)')
    .addOption(new Option('--encryption-key-file <file>', 'alias of --encryption_key_file').hideHelp());
}

/** The chain the flags choose and the key file they name. */
export function chainFrom(flags: ChainFlags): {
  backupId: string | undefined;
  backupNum: number | undefined;
  keyFile: string | undefined;
} {
  return {
    backupId: flags.backup_id ?? flags.backupId,
    backupNum: flags.backup_num ?? flags.backupNum,
    keyFile: flags.encryption_key_file ?? flags.encryptionKeyFile,
  };
}
