/** `strata restore -l LOCATION -p DIR`: offline restore of a backup chain into posting stores. */
import path from 'node:path';
import { Command } from 'commander';
import {
  parseNamespaceList,
  parsePredicateList,
  parseUntil,
  ServiceError,
  ZeroClient,
  keyProviderFrom,
  layoutTablets,
  restoreOffline,
  vaultOptionsFromFlags,
  type PhaseProgress,
  type RestoreLayout,
  type RestoreOfflineResult,
  type RestoreSelection,
  type Transport,
} from '@strata/core';
import { formatCount } from '../format.js';
import { formatBytes, Progress, progressHelp } from '../progress.js';
import {
  addCredentialOptions,
  credentialsFrom,
  CREDENTIALS_HELP,
  type CredentialFlags,
} from '../credentials.js';
import { addVaultOptions, atRestKeyFromFlag, type EncryptionFlags } from '../encryption.js';
import { addChainOptions, chainFrom, intArg, parseBool, type ChainFlags } from '../options.js';
import { addClusterTokenOptions, clusterTokenFrom, type ClusterTokenFlags } from '../cluster-token.js';
import { addClientTlsOption, clientTransportFrom, type ClientTlsFlags } from '../tls.js';

interface RestoreFlags
  extends
    CredentialFlags,
    ChainFlags,
    ClusterTokenFlags,
    ClientTlsFlags,
    Omit<EncryptionFlags, 'encryption_key_file'> {
  location: string;
  postings: string;
  zero?: string;
  force_zero?: boolean;
  json?: boolean;
  until?: string;
  dryRun?: boolean;
  predicates?: string;
  namespaces?: string;
  exclude?: string;
  groups?: number;
  sameGroups?: boolean;
}

/** The selection of --predicates, --namespaces, --exclude (undefined: everything). */
export function selectionFrom(flags: RestoreFlags): RestoreSelection | undefined {
  const sel: RestoreSelection = {
    ...(flags.predicates !== undefined && {
      predicates: parsePredicateList(flags.predicates, '--predicates'),
    }),
    ...(flags.namespaces !== undefined && {
      namespaces: parseNamespaceList(flags.namespaces, '--namespaces'),
    }),
    ...(flags.exclude !== undefined && { exclude: parsePredicateList(flags.exclude, '--exclude') }),
  };
  return Object.keys(sel).length === 0 ? undefined : sel;
}

/** One line on what is restored where, when it is not the whole backup on its own groups. */
function layoutLine(r: RestoreOfflineResult): string | undefined {
  const l = r.layout;
  const parts: string[] = [];
  if (r.partial) {
    const n = l.groups.reduce((s, g) => s + g.predicates.length, 0);
    parts.push(`partial: ${n} predicate${n === 1 ? '' : 's'} selected`);
  }
  if (l.resharded) {
    parts.push(
      `re-sharded from ${l.sourceGroups} backup group${l.sourceGroups === 1 ? '' : 's'} into ${l.targetGroups} ` +
        `group${l.targetGroups === 1 ? '' : 's'} (whole predicates, as Zero assigns tablets)`,
    );
  }
  return parts.length === 0 ? undefined : parts.join('; ');
}

const MAX_NAMES = 12;
function namesOf(l: RestoreLayout, group: number): string {
  const names = [...new Set(l.groups.find((g) => g.group === group)?.predicates.map((p) => p.name) ?? [])];
  if (names.length === 0) return '(none)';
  const shown = names.slice(0, MAX_NAMES).join(', ');
  return names.length > MAX_NAMES ? `${shown} and ${names.length - MAX_NAMES} more` : shown;
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
  const how = layoutLine(r);
  if (how) out.push(how);
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

/**
 * Zero's client for the restore: a wrong cluster token says which flag gives it, an unreachable
 * Zero keeps core's "cannot reach Zero at ..." message.
 */
function zeroClient(addr: string, token: string, transport: Transport): ZeroClient {
  return new ZeroClient(addr, token, {
    timeoutMs: 30_000,
    transport,
    mapError: (err) =>
      err instanceof ServiceError && err.status === 401 && !/client certificate/.test(err.detail)
        ? new Error(
            `Zero at ${addr} refused the cluster token (give the right --token_file or STRATA_CLUSTER_TOKEN)`,
            { cause: err },
          )
        : err,
  });
}

export async function runRestore(flags: RestoreFlags): Promise<void> {
  const progress = new Progress({
    command: 'restore',
    json: flags.json,
    itemNames: { checksums: 'files', load: 'files', zero: 'tablets', plan: 'files' },
  });
  try {
    await restoreWith(flags, progress);
  } catch (err) {
    progress.fail(err);
    throw err;
  }
}

/** Zero's client from -z (reachable, token accepted), or undefined with --force_zero=false. */
async function connectZero(flags: RestoreFlags): Promise<ZeroClient | undefined> {
  if (flags.zero !== undefined) {
    const token = clusterTokenFrom(flags, 'strata restore')?.token;
    if (!token) {
      throw new Error(
        `-z ${flags.zero} needs the cluster token: give --token_file FILE (Zero's DATA/cluster_token is one) or set STRATA_CLUSTER_TOKEN`,
      );
    }
    const zero = zeroClient(flags.zero, token, clientTransportFrom(flags, 'strata restore'));
    // Reachable, and the token is right, before anything is written.
    await zero.lease('uids', 0);
    return zero;
  }
  if (flags.force_zero !== false) {
    throw new Error(
      'no Zero given: pass -z ZERO_ADDR (with --token_file) so the restore moves its UID and timestamp leases ' +
        'past the restored data, or --force_zero=false to restore without a Zero and print the leases to take',
    );
  }
  return undefined;
}

async function restoreWith(flags: RestoreFlags, progress: Progress): Promise<void> {
  const until = flags.until === undefined ? undefined : parseUntil(flags.until);
  // A dry run writes nothing and needs no Zero.
  const zero = flags.dryRun ? undefined : await connectZero(flags);
  // Zero's groups: the tablets can only move onto groups it has.
  const zeroGroups = zero === undefined ? undefined : Object.keys((await zero.state()).groups).length;
  if (zeroGroups !== undefined && flags.groups !== undefined && flags.groups !== zeroGroups) {
    throw new Error(
      `--groups ${flags.groups} but Zero ${flags.zero} has ${zeroGroups} group${zeroGroups === 1 ? '' : 's'}: ` +
        `restore for the cluster's ${zeroGroups} (nothing was written)`,
    );
  }
  const chain = chainFrom(flags);
  const atRest = await atRestKeyFromFlag(flags.encryption, flags);
  // As Dgraph's `restore --encryption`: the cluster's key also reads the backup, unless the backup
  // has a key of its own.
  const provider =
    keyProviderFrom({
      encryptionKeyFile: chain.keyFile,
      vault: vaultOptionsFromFlags(flags),
    }) ?? atRest;
  const key = provider === undefined ? undefined : await provider.getKey();
  const atRestKey = await atRest?.getKey();
  try {
    // check: manifests, chain, files, key, target folders; then core's checksums and load phases
    // (plan: a dry run's decoding of every file).
    progress.begin('check');
    const r = await restoreOffline({
      location: flags.location,
      ...credentialsFrom(flags),
      pdir: flags.postings,
      backupId: chain.backupId,
      backupNum: chain.backupNum,
      until,
      key,
      ...(atRestKey && { atRestKey }),
      selection: selectionFrom(flags),
      ...(flags.groups !== undefined && { targetGroups: flags.groups }),
      // With -z the restore is for Zero's cluster: without --groups its group count must be the
      // backup's (checked before anything is written).
      ...(zeroGroups !== undefined && flags.groups === undefined && { clusterGroups: zeroGroups }),
      ...(flags.sameGroups && { sameGroups: true }),
      ...(flags.dryRun && { dryRun: true, plan: true }),
      ...(progress.active ? { onPhaseProgress: (p: PhaseProgress) => progress.update(p) } : {}),
    });
    if (flags.dryRun) {
      progress.done({ ...r, dryRun: true }, renderRestorePlan(r, flags.postings));
      return;
    }
    if (r.chosen && !flags.json) process.stderr.write(`${r.chosen.reason}\n`);
    let leases: LeasesApplied | undefined;
    if (zero !== undefined) {
      progress.begin('zero');
      const uids = await zero.lease('uids', 0, r.maxUid);
      const ts = await zero.lease('timestamps', 0, r.readTs);
      const ns = r.maxNsId > 0n ? await zero.lease('nsids', 0, r.maxNsId) : undefined;
      leases = {
        zero: zero.addr,
        uids: uids.nextId,
        timestamps: ts.nextId,
        ...(ns ? { nsids: ns.nextId } : {}),
      };
      // The restored predicates live on the groups of the layout (the backup's, or re-sharded).
      const moves = layoutTablets(r.layout);
      progress.update({ phase: 'zero', bytesDone: 0, items: 0, itemsTotal: moves.length });
      for (const [i, m] of moves.entries()) {
        await zero.moveTablet(m.predicate, m.group);
        progress.update({ phase: 'zero', bytesDone: 0, items: i + 1 });
      }
    }
    progress.done(
      { ...r, zero: flags.zero ?? null, leasesApplied: leases !== undefined, leases: leases ?? null },
      renderRestoreReport(r, leases),
    );
  } finally {
    key?.fill(0);
    atRestKey?.fill(0);
  }
}

/** The dry run's report: the choice (--until), the backups, then one line per group. */
export function renderRestorePlan(r: RestoreOfflineResult, pdir: string): string {
  const out: string[] = [];
  for (const w of r.warnings) out.push(`warning: ${w}`);
  if (r.chosen) out.push(r.chosen.reason);
  const plan = r.plan;
  out.push(`dry run: nothing was written. The restore would load series ${r.backupId}:`);
  for (const b of plan?.backups ?? []) {
    out.push(`  #${b.backupNum} ${b.type}, readTs ${b.readTs}${b.time ? `, ${b.time}` : ''} (${b.path})`);
  }
  const how = layoutLine(r);
  if (how) out.push(how);
  for (const g of plan?.groups ?? []) {
    out.push(
      `  group ${g.group} -> ${path.join(pdir, `p${g.group}`)}: ${g.files} file${g.files === 1 ? '' : 's'}, ` +
        `${formatBytes(g.bytes)}, ${formatCount(g.kvs)} kvs, ${g.predicates} predicate${g.predicates === 1 ? '' : 's'}` +
        ` (from backup group${g.sources.length === 1 ? '' : 's'} ${g.sources.join(', ') || 'none'})`,
    );
    if (how) out.push(`    ${namesOf(r.layout, g.group)}`);
  }
  out.push(
    `the restore would move Zero's timestamps past ${r.readTs} and its UIDs past the largest uid loaded (known once loaded)`,
  );
  return out.join('\n') + '\n';
}

const HELP = `
Restores a Dgraph (or Strata) binary backup offline, as "dgraph restore" does: it picks the
chain (the newest series, or --backup_id's, from its full backup up to --backup_num), checks that
every data file of every backup exists and that no target folder holds anything, then writes one
posting store per group into DIR/p<group> (p1, p2, ...). For each backup in order it applies the
backup's drop operations, replaces the schema and types, and loads the group's file, keeping only
the predicates the LAST backup of the chain assigns to that group. Nothing is written when a
check fails; a failure while writing removes the folders it created.

Zero: with -z ZERO_ADDR (and the cluster token: --token_file FILE or STRATA_CLUSTER_TOKEN; a Zero
started with --tls also needs --tls "ca-cert=...; client-cert=...; client-key=...") the restore moves
Zero's leases past the restored data once the folders are written: every UID handed out later is
> maxUid, every timestamp > the read timestamp of the last backup restored (and namespace ids >
maxNsId), and moves the restored predicates' tablets to the groups the last backup assigns them. Zero is contacted (and the token checked) before anything is written. Without -z the
command refuses unless --force_zero=false, and then prints the leases a Zero must grant before
Alphas serve the restored folders. Serve a restored group with
"strata alpha --group N -p DIR/pN --zero ZERO_ADDR".

Examples:
  $ strata restore -l /backups -p ./restored -z localhost:6080 --token_file zw/cluster_token
  $ strata restore -l /backups -p ./restored --force_zero=false
  $ strata restore -l /backups -p ./restored --backup_id jolly_yalow0 --backup_num 2 --force_zero=false
  $ strata restore -l /backups -p ./restored --until 2026-12-01T10:00:00Z --dry-run
  $ strata restore -l /backups -p ./restored --predicates name,age --namespaces 0 --force_zero=false
  $ strata restore -l /backups -p ./restored --exclude dgraph.graphql.schema --groups 5 --dry-run
  $ strata restore -l /backups -p ./restored --until 1234567 -z localhost:6080 --token_file zw/cluster_token
  $ strata restore -l file:///backups -p ./restored --encryption_key_file ./enc_key
  $ strata restore -l /backups -p ./restored --force_zero=false --vault_addr http://vault:8200 \\
      --vault_roleid_file ./role-id --vault_secretid_file ./secret-id --vault_path secret/data/dgraph
  $ strata restore -l s3://s3.eu-west-1.amazonaws.com/my-bucket/dgraph -p ./restored
  $ strata export -p ./restored --out ./dump

Point in time: --until READ_TS or --until TIME (ISO 8601 with its zone, e.g. 2026-12-01T10:00:00Z,
or a date for 00:00 UTC) restores the chain that ends with the newest backup at or before it (of
--backup_id's series when given, else of any series), and says which backup it chose. Times are
those in the backup folders' names (dgraph.YYYYMMDD.HHMMSS.mmm, UTC). Not with --backup_num.

Dry run: --dry-run runs every check (chain, files, checksums, key, empty targets), then reads every
file it would load (decoded, nothing kept) and prints the plan: the backups, and per group the files,
bytes, KVs and predicates. Nothing is written and no Zero is needed.

Partial restore: --predicates a,b restores only those predicates (in every namespace restored),
--namespaces 0,2 only those namespaces (decimal or 0x hex), --exclude c,d everything but those;
they combine (a predicate is kept when its namespace and its name are selected and it is not
excluded). Dgraph's own predicates (dgraph.type, dgraph.acl.*, dgraph.graphql.*, ...) of the
restored namespaces are kept with --predicates unless --exclude names them. Types are kept when they
list a restored predicate, with only those fields; schema entries only for restored predicates. A
name or namespace the backup does not hold is an error that lists what it holds. The leases (-z)
move past what was restored.

Re-sharding: --groups M writes p1..pM for a cluster of M groups. When M differs from the backup's
group count, whole predicates are assigned to groups as Zero assigns a tablet on first use:
dgraph.* to group 1, every other predicate (in name order) to the group with the fewest tablets
(ties: the lowest group); each group is written from the backup groups that held its predicates.
With -z, Zero's tablets follow the new layout; --groups must then be Zero's group count, and
without --groups a backup whose group count differs from Zero's is refused before anything is
written. --same-groups refuses a group count that differs
from the backup's (Dgraph's behaviour). --dry-run shows the layout.

Remote files are downloaded one at a time to a temp file (streamed, deleted once loaded).
${progressHelp('check, checksums (files whose manifest has a sha256), load (file by file), zero (-z); plan (--dry-run)')}${CREDENTIALS_HELP}`;

export function restoreCommand(): Command {
  const cmd = new Command('restore')
    .description('restore a backup chain offline into posting store folders DIR/p<group>')
    .requiredOption(
      '-l, --location <location>',
      'the backup location: a folder path, file://, s3:// or minio:// URL',
    )
    .requiredOption(
      '-p, --postings <dir>',
      'the folder to write p1, p2, ... into (each must not exist or be empty)',
    );
  addVaultOptions(addChainOptions(cmd, 'restore'))
    .option('-z, --zero <addr>', 'Zero whose UID/timestamp leases are moved past the restored data')
    .option(
      '--encryption <options>',
      '"key-file=FILE" or "vault" (the --vault_* flags\' key): write the stores encrypted at rest ' +
        'under that master key, for a cluster started with the same --encryption; it also reads ' +
        'the backup unless --encryption_key_file (or Vault, with a key-file here) gives the backup its own key',
    )
    .option(
      '--force_zero [bool]',
      'require -z (default true); --force_zero=false restores without a Zero and prints the leases to take',
      parseBool,
      true,
    )
    .option(
      '--until <ts|time>',
      'point in time: the newest backup at or before this read timestamp or ISO 8601 time (see below)',
    )
    .option(
      '--dry-run',
      'check everything and print the plan (backups; files, bytes, KVs per group); write nothing',
    )
    .option(
      '--predicates <names>',
      'restore only these predicates, comma-separated (plus dgraph.*; see below)',
    )
    .option('--namespaces <ids>', 'restore only these namespaces, comma-separated (e.g. 0,2)')
    .option('--exclude <names>', 'restore every predicate but these, comma-separated')
    .option(
      '--groups <M>',
      'the group count of the cluster restored into (default: the backup’s); another count re-shards',
      intArg(1, 1000),
    )
    .option('--same-groups', 'refuse a --groups that differs from the backup’s group count (no re-sharding)')
    .option(
      '--json',
      "print JSON events on stdout, one per line: each phase's start and end, then a summary with the result",
    );
  addClusterTokenOptions(cmd, 'file holding the cluster token for -z (default: $STRATA_CLUSTER_TOKEN)');
  return addClientTlsOption(addCredentialOptions(cmd))
    .addHelpText('after', HELP)
    .action(async (flags: RestoreFlags) => {
      await runRestore(flags);
    });
}
