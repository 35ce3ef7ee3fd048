/** `strata restore -l LOCATION -p DIR`: offline restore of a backup chain into posting stores. */
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  openDestination,
  readManifests,
  selectChain,
  keyProviderFrom,
  restoreOffline,
  vaultOptionsFromFlags,
  type RestoreOfflineResult,
} from '@strata/core';
import { formatCount, toJson } from '../format.js';
import { baseUrl } from '../serve.js';
import {
  addCredentialOptions,
  credentialsFrom,
  CREDENTIALS_HELP,
  type CredentialFlags,
} from '../credentials.js';
import { addVaultOptions, type EncryptionFlags } from '../encryption.js';

interface RestoreFlags extends CredentialFlags, Omit<EncryptionFlags, 'encryption_key_file'> {
  location: string;
  postings: string;
  backup_id?: string;
  backupId?: string;
  backup_num?: number;
  backupNum?: number;
  encryption_key_file?: string;
  encryptionKeyFile?: string;
  zero?: string;
  force_zero?: boolean;
  token?: string;
  json?: boolean;
}

function parseBackupNum(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number >= 0 (0 = all)');
  return Number(value);
}

function parseBool(value: string): boolean {
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new InvalidArgumentError('expected true or false');
}

const hex = (n: bigint): string => `0x${n.toString(16)}`;

export interface LeasesApplied {
  zero: string;
  uids: string;
  timestamps: string;
  nsids?: string;
}

/** The human-readable report: one line per group, then the leases taken from Zero (or to take). */
export function renderRestoreReport(r: RestoreOfflineResult, leases?: LeasesApplied): string {
  const out: string[] = [];
  for (const w of r.warnings) out.push(`warning: ${w}`);
  out.push(
    `restored series ${r.backupId}, backup${r.backupNums.length === 1 ? '' : 's'} ` +
      `${r.backupNums.map((n) => `#${n}`).join(', ')} (readTs ${r.readTs})`,
  );
  for (const g of r.groups) {
    out.push(
      `  group ${g.group} -> ${g.dir}: ${formatCount(g.kept)} of ${formatCount(g.kvs)} kvs kept, ` +
        `${formatCount(g.keys)} keys, maxUid ${hex(g.maxUid)}`,
    );
  }
  if (leases) {
    out.push(
      `Zero ${leases.zero}: leases moved past the restored data: next UID ${leases.uids}, next timestamp ` +
        `${leases.timestamps}${leases.nsids ? `, next namespace id ${leases.nsids}` : ''}`,
    );
  } else {
    out.push(
      `no Zero given (-z): lease these before serving the restored data: ` +
        `UIDs up to ${hex(r.maxUid)} (${r.maxUid}), timestamps up to ${r.readTs}` +
        (r.maxNsId > 0n ? `, namespace ids up to ${r.maxNsId}` : ''),
    );
  }
  return out.join('\n') + '\n';
}

async function zeroLease(
  zero: string,
  token: string,
  body: { what: 'uids' | 'timestamps' | 'nsids'; num?: number; atLeast?: string },
): Promise<{ nextId: string }> {
  const json = await zeroPost<{ nextId?: string }>(zero, token, '/internal/lease', { num: 0, ...body });
  if (json.nextId === undefined) throw new Error(`Zero at ${zero} answered a lease request without nextId`);
  return { nextId: json.nextId };
}

async function zeroPost<T>(zero: string, token: string, route: string, body: unknown): Promise<T> {
  const url = `${baseUrl(zero)}${route}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-strata-token': token },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new Error(`cannot reach Zero at ${zero} (${cause})`, { cause: err });
  }
  const json = (await res.json().catch(() => ({}))) as T & { message?: string };
  if (res.status === 401)
    throw new Error(
      `Zero at ${zero} refused the cluster token (give the right --token or STRATA_CLUSTER_TOKEN)`,
    );
  if (!res.ok)
    throw new Error(`Zero at ${zero} answered ${res.status} to ${route}: ${json.message ?? 'error'}`);
  return json;
}

export async function runRestore(flags: RestoreFlags): Promise<void> {
  let token: string | undefined;
  if (flags.zero !== undefined) {
    token = flags.token || process.env.STRATA_CLUSTER_TOKEN;
    if (!token) {
      throw new Error(
        `-z ${flags.zero} needs the cluster token: give --token or set STRATA_CLUSTER_TOKEN (Zero's DATA/cluster_token)`,
      );
    }
    // Reachable, and the token is right, before anything is written.
    await zeroLease(flags.zero, token, { what: 'uids' });
  } else if (flags.force_zero !== false) {
    throw new Error(
      'no Zero given: pass -z ZERO_ADDR (with --token) so the restore moves its UID and timestamp leases ' +
        'past the restored data, or --force_zero=false to restore without a Zero and print the leases to take',
    );
  }
  const keyFile = flags.encryption_key_file ?? flags.encryptionKeyFile;
  const provider = keyProviderFrom({
    encryptionKeyFile: keyFile,
    vault: vaultOptionsFromFlags(flags),
  });
  const key = provider === undefined ? undefined : await provider.getKey();
  try {
    const r = await restoreOffline({
      location: flags.location,
      ...credentialsFrom(flags),
      pdir: flags.postings,
      backupId: flags.backup_id ?? flags.backupId,
      backupNum: flags.backup_num ?? flags.backupNum,
      key,
    });
    let leases: LeasesApplied | undefined;
    if (flags.zero !== undefined) {
      const uids = await zeroLease(flags.zero, token!, { what: 'uids', atLeast: String(r.maxUid) });
      const ts = await zeroLease(flags.zero, token!, { what: 'timestamps', atLeast: String(r.readTs) });
      const ns =
        r.maxNsId > 0n
          ? await zeroLease(flags.zero, token!, { what: 'nsids', atLeast: String(r.maxNsId) })
          : undefined;
      leases = {
        zero: flags.zero,
        uids: uids.nextId,
        timestamps: ts.nextId,
        ...(ns ? { nsids: ns.nextId } : {}),
      };
      // The restored predicates live on the groups the last backup of the chain says.
      const chain = selectChain(
        (await readManifests(openDestination(flags.location, credentialsFrom(flags)))).manifests,
        { backupId: r.backupId, backupNum: flags.backup_num ?? flags.backupNum },
      );
      const last = chain.backups[chain.backups.length - 1]!;
      for (const [group, preds] of last.groups) {
        for (const p of preds)
          await zeroPost(flags.zero, token!, '/internal/move-tablet', { predicate: p.name, group });
      }
    }
    process.stdout.write(
      flags.json
        ? toJson({
            ...r,
            zero: flags.zero ?? null,
            leasesApplied: leases !== undefined,
            leases: leases ?? null,
          })
        : renderRestoreReport(r, leases),
    );
  } finally {
    key?.fill(0);
  }
}

const HELP = `
Restores a Dgraph (or Strata) binary backup offline, as "dgraph restore" does: it picks the
chain (the newest series, or --backup_id's, from its full backup up to --backup_num), checks that
every data file of every backup exists and that no target folder holds anything, then writes one
posting store per group into DIR/p<group> (p1, p2, ...). For each backup in order it applies the
backup's drop operations, replaces the schema and types, and loads the group's file, keeping only
the predicates the LAST backup of the chain assigns to that group. Nothing is written when a
check fails; a failure while writing removes the folders it created.

Zero: with -z ZERO_ADDR (and the cluster token: --token or STRATA_CLUSTER_TOKEN) the restore moves
Zero's leases past the restored data once the folders are written: every UID handed out later is
> maxUid, every timestamp > the read timestamp of the last backup restored (and namespace ids >
maxNsId), and moves the restored predicates' tablets to the groups the last backup assigns them. Zero is contacted (and the token checked) before anything is written. Without -z the
command refuses unless --force_zero=false, and then prints the leases a Zero must grant before
Alphas serve the restored folders. Serve a restored group with
"strata alpha --group N -p DIR/pN --zero ZERO_ADDR".

Examples:
  $ strata restore -l /backups -p ./restored -z localhost:6080 --token "$(cat zw/cluster_token)"
  $ strata restore -l /backups -p ./restored --force_zero=false
  $ strata restore -l /backups -p ./restored --backup_id jolly_yalow0 --backup_num 2 --force_zero=false
  $ strata restore -l file:///backups -p ./restored --encryption_key_file ./enc_key
  $ strata restore -l /backups -p ./restored --force_zero=false --vault_addr http://vault:8200 \\
      --vault_roleid_file ./role-id --vault_secretid_file ./secret-id --vault_path secret/data/dgraph
  $ strata restore -l s3://s3.eu-west-1.amazonaws.com/my-bucket/dgraph -p ./restored
  $ strata export -p ./restored --out ./dump

Remote files are downloaded one at a time to a temp file (streamed, deleted once loaded).
${CREDENTIALS_HELP}`;

export function restoreCommand(): Command {
  const cmd = addVaultOptions(
    new Command('restore')
      .description('restore a backup chain offline into posting store folders DIR/p<group>')
      .requiredOption(
        '-l, --location <location>',
        'the backup location: a folder path, file://, s3:// or minio:// URL',
      )
      .requiredOption(
        '-p, --postings <dir>',
        'the folder to write p1, p2, ... into (each must not exist or be empty)',
      )
      .option('--backup_id <id>', 'the series to restore (default: the newest series)')
      .addOption(new Option('--backup-id <id>', 'alias of --backup_id').hideHelp())
      .option('--backup_num <n>', 'restore backups 1..n of the series (default 0: all)', parseBackupNum)
      .addOption(new Option('--backup-num <n>', 'alias of --backup_num').argParser(parseBackupNum).hideHelp())
      .option('--encryption_key_file <file>', 'file holding the AES key (raw 16, 24 or 32 bytes)')
      .addOption(new Option('--encryption-key-file <file>', 'alias of --encryption_key_file').hideHelp()),
  )
    .option('-z, --zero <addr>', 'Zero whose UID/timestamp leases are moved past the restored data')
    .option('--token <token>', 'cluster token for -z (default: $STRATA_CLUSTER_TOKEN)')
    .option(
      '--force_zero [bool]',
      'require -z (default true); --force_zero=false restores without a Zero and prints the leases to take',
      parseBool,
      true,
    )
    .option('--json', 'print the result as JSON (64-bit numbers beyond 2^53 as strings)');
  return addCredentialOptions(cmd)
    .addHelpText('after', HELP)
    .action(async (flags: RestoreFlags) => {
      await runRestore(flags);
    });
}
