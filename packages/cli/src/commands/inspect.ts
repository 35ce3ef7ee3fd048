/** `strata inspect FILE`: what one Dgraph binary backup file holds. */
import { Command, Option } from 'commander';
import { inspectBackupFile, readKeyFile, type BackupFileStats, type PredicateStats } from '@strata/core';
import { formatCount, renderTable, toJson } from '../format.js';

interface InspectFlags {
  encryption_key_file?: string;
  encryptionKeyFile?: string;
  json?: boolean;
}

const KEY_TYPE_ORDER = ['DATA', 'INDEX', 'REVERSE', 'COUNT', 'COUNT_REV', 'SCHEMA', 'TYPE', 'UNKNOWN'];

function byPredicateAndType(a: PredicateStats, b: PredicateStats): number {
  const ns =
    (a.namespace ?? 0n) < (b.namespace ?? 0n) ? -1 : (a.namespace ?? 0n) > (b.namespace ?? 0n) ? 1 : 0;
  if (ns !== 0) return ns;
  if (a.predicate !== b.predicate) return a.predicate < b.predicate ? -1 : 1;
  return KEY_TYPE_ORDER.indexOf(a.keyType) - KEY_TYPE_ORDER.indexOf(b.keyType);
}

/** Which Dgraph releases write each framing (Strata writes each with `backup --format`). */
const FRAMING_WRITERS: Record<string, string> = {
  gzip: ' (gzip members: Dgraph v20.07 to v20.11, strata --format v20.11)',
  snappy: ' (golang/snappy "sNaPpY": Dgraph v21.03 to v24, strata --format v21.03 or v24)',
  s2: ' (S2 "S2sTwO": Dgraph v25, strata --format v25)',
};

/** The human-readable report: an aligned table per predicate and key type, then totals. */
export function renderInspectTable(stats: BackupFileStats): string {
  const entries = [...stats.entries].sort(byPredicateAndType);
  const withNamespace = entries.some((e) => (e.namespace ?? 0n) !== 0n);
  const columns = [
    ...(withNamespace ? [{ header: 'NAMESPACE', align: 'right' as const }] : []),
    { header: 'PREDICATE' },
    { header: 'KEY TYPE' },
    { header: 'KEYS', align: 'right' as const },
    { header: 'UIDS', align: 'right' as const },
    { header: 'POSTINGS', align: 'right' as const },
  ];
  let keys = 0;
  let uids = 0;
  let postings = 0;
  const rows = entries.map((e) => {
    keys += e.keys;
    uids += e.uids;
    postings += e.postings;
    return [
      ...(withNamespace ? [`0x${(e.namespace ?? 0n).toString(16)}`] : []),
      e.predicate,
      e.keyType,
      formatCount(e.keys),
      formatCount(e.uids),
      formatCount(e.postings),
    ];
  });
  rows.push([
    ...(withNamespace ? [''] : []),
    'TOTAL',
    '',
    formatCount(keys),
    formatCount(uids),
    formatCount(postings),
  ]);
  const totals =
    `frames: ${formatCount(stats.frames)}  kvs: ${formatCount(stats.kvs)}  ` +
    `compressed: ${formatCount(stats.bytesIn)} bytes  decompressed: ${formatCount(stats.bytesDecompressed)} bytes`;
  const framing = `framing: ${stats.framing}${FRAMING_WRITERS[stats.framing] ?? ''}`;
  return `${stats.file}\n\n${renderTable(columns, rows)}\n${totals}\n${framing}\n`;
}

export async function runInspect(file: string, flags: InspectFlags): Promise<void> {
  const keyFile = flags.encryption_key_file ?? flags.encryptionKeyFile;
  const key = keyFile === undefined ? undefined : await readKeyFile(keyFile);
  const stats = await inspectBackupFile(file, key === undefined ? {} : { key });
  process.stdout.write(flags.json ? toJson(stats) : renderInspectTable(stats));
}

const HELP = `
Reads one Dgraph binary backup file (r<ts>-g<group>.backup) from start to end and prints, for
each predicate and key type (DATA, INDEX, REVERSE, COUNT, COUNT_REV, SCHEMA, TYPE), how many keys,
uids and postings it holds, then a totals line: frames, KVs, compressed (file) bytes and
decompressed bytes, and the file's framing (gzip, snappy or S2, and which Dgraph releases write it).

The file is a gzip stream of framed KV lists (u64 little-endian length + badger KVList) as
Dgraph v20.07+ writes it; when the backup is encrypted, the first 16 bytes are the IV and the
rest is AES-CTR encrypted. Give the key with --encryption_key_file: the file is used raw, as
Dgraph does, so it must hold exactly 16, 24 or 32 bytes (AES-128/192/256; a trailing newline
counts).

Examples:
  $ strata inspect backups/dgraph.20201125.173944.587/r21-g1.backup
  $ strata inspect r21-g1.backup --encryption_key_file ./enc_key --json
`;

export function inspectCommand(): Command {
  return new Command('inspect')
    .description('show the predicates, keys, uids and postings in one Dgraph .backup file')
    .argument('<file>', 'the .backup file to read')
    .option('--encryption_key_file <file>', 'file holding the AES key (raw 16, 24 or 32 bytes)')
    .addOption(new Option('--encryption-key-file <file>', 'alias of --encryption_key_file').hideHelp())
    .option('--json', 'print machine-readable JSON (64-bit numbers beyond 2^53 as strings)')
    .addHelpText('after', HELP)
    .action(async (file: string, flags: InspectFlags) => {
      await runInspect(file, flags);
    });
}
