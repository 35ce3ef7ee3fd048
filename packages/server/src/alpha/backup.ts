/**
 * Binary backup and online restore (format spec §9–§11), both sides:
 *
 * - the coordinator (the Alpha that receives the `/admin` mutation): takes Zero's cluster-wide
 *   backup lock, gets `readTs` from the oracle, plans the series at the destination, asks every
 *   group's Alpha for its file, and writes the manifest last; or checks a restore before changing
 *   anything, then has every group load its part, moves tablets and leases;
 * - the group (`/internal/backup`, `/internal/restore`): streams its store's backup to the
 *   destination, or loads its files into a fresh folder and swaps it in.
 *
 * Credentials and keys travel only in request bodies between Alphas (`/internal/*`, token
 * protected); they are never logged nor returned.
 */
import { randomUUID } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import {
  backupFilePath,
  checkGroupCount,
  keyFingerprint,
  keyProviderFrom,
  listBackups,
  openDestination,
  openPostingStore,
  planBackup,
  readManifests,
  restoreOffline,
  selectChain,
  StrataError,
  toManifestDrop,
  writeGroupFile,
  writeManifest,
  type BackupDropOperation,
  type BackupListing,
  type Destination,
  type DestinationCredentials,
  type KeyProvider,
  type ManifestLayout,
  type PredicateName,
} from '@strata/core';
import { call, type Cluster } from './cluster.js';
import { AlphaError } from './errors.js';

export interface Credentials {
  accessKey?: string | null;
  secretKey?: string | null;
  sessionToken?: string | null;
  anonymous?: boolean | null;
}

export interface BackupInput extends Credentials {
  destination: string;
  forceFull?: boolean | null;
  format?: string | null;
}

export interface RestoreInput extends Credentials {
  location: string;
  backupId?: string | null;
  backupNum?: number | null;
  encryptionKeyFile?: string | null;
  vaultAddr?: string | null;
  vaultRoleIDFile?: string | null;
  vaultSecretIDFile?: string | null;
  vaultPath?: string | null;
  vaultField?: string | null;
  vaultFormat?: string | null;
  isPartial?: boolean | null;
}

/** `/internal/backup` body. */
export interface GroupBackupRequest extends Credentials {
  destination: string;
  path: string;
  readTs: string;
  since: string;
  predicates: string[];
  format: ManifestLayout;
  /** base64 */
  key?: string;
}

export interface GroupBackupResult {
  bytes: number;
  sha256: string;
  kvs: number;
  dropOperations: { op: BackupDropOperation['op']; value?: string; namespace?: string; commitTs?: string }[];
}

/** `/internal/restore` body. */
export interface GroupRestoreRequest extends Credentials {
  location: string;
  backupId?: string;
  backupNum?: number;
  restoreTs: string;
  /** base64 */
  key?: string;
}

export interface GroupRestoreResult {
  maxUid: string;
  maxNsId: string;
  keys: number;
}

export type RestoreState = 'UNKNOWN' | 'IN_PROGRESS' | 'OK' | 'ERR';

const BACKUP_TIMEOUT_MS = 6 * 3600 * 1000;
const LOCK_TIMEOUT_MS = 6 * 3600 * 1000;

function creds(c: Credentials): DestinationCredentials {
  return {
    ...(c.accessKey ? { accessKey: c.accessKey } : {}),
    ...(c.secretKey ? { secretKey: c.secretKey } : {}),
    ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
    ...(c.anonymous ? { anonymous: true } : {}),
  };
}

function wireCreds(c: Credentials): Credentials {
  const d = creds(c);
  return { ...d };
}

function closeDest(d: Destination): void {
  (d as { close?: () => void }).close?.();
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export interface BackupServiceOptions {
  cluster: Cluster;
  keyProvider?: KeyProvider | undefined;
  dataDir: string;
  version: string;
  log: FastifyBaseLogger;
}

export class BackupService {
  private readonly restores = new Map<number, { status: RestoreState; errors: string[] }>();
  private nextRestoreId = 1;

  constructor(private readonly opts: BackupServiceOptions) {}

  private get cluster(): Cluster {
    return this.opts.cluster;
  }

  /** Calls a group's `/internal/*` route: in process for this Alpha's group, else over HTTP. */
  private async callGroup<T>(
    group: number,
    route: string,
    body: unknown,
    local: () => Promise<T>,
  ): Promise<T> {
    if (group === this.cluster.groupId) return local();
    const addr = await this.cluster.groupAddr(group);
    return call<T>(
      `http://${addr}`,
      `group ${group} (Alpha at ${addr})`,
      'POST',
      route,
      this.cluster.token,
      body,
      BACKUP_TIMEOUT_MS,
    );
  }

  private async lock(kind: 'backup' | 'restore', description: string): Promise<string> {
    const id = `${kind}-${randomUUID()}`;
    try {
      await this.cluster.zero.backupLock({
        op: 'acquire',
        id,
        kind,
        holder: this.cluster.local.addr,
        description,
        timeoutMs: LOCK_TIMEOUT_MS,
      });
    } catch (err) {
      if (err instanceof AlphaError && err.statusCode === 409) {
        throw new AlphaError(
          'CONFLICT',
          `${kind} refused: ${err.message.replace(/^Zero at [^:]+:\d+: /, '')}`,
          409,
        );
      }
      throw err;
    }
    return id;
  }

  private async unlock(id: string): Promise<void> {
    await this.cluster.zero.backupLock({ op: 'release', id }).catch((err: unknown) => {
      this.opts.log.warn(
        { lock: id, err: message(err) },
        'could not release the backup lock (it expires by itself)',
      );
    });
  }

  // ------------------------------------------------------------------ backup (coordinator)

  async backup(input: BackupInput): Promise<{ response: { code: string; message: string }; taskId: string }> {
    if (!input.destination) throw new AlphaError('BAD_REQUEST', 'backup needs a destination');
    const format = input.format ?? undefined;
    if (format !== undefined && format !== 'v20.11' && format !== 'v21.03') {
      throw new AlphaError('BAD_REQUEST', `backup format must be "v20.11" or "v21.03", not "${format}"`);
    }
    const dest = openDestination(input.destination, creds(input));
    const lockId = await this.lock('backup', `backup to ${dest.describe()}`);
    let key: Buffer | undefined;
    try {
      const readTs = await this.cluster.zero.readTs();
      key = this.opts.keyProvider ? await this.opts.keyProvider.getKey() : undefined;
      const fp = key ? keyFingerprint(key) : undefined;
      const plan = await planBackup(dest, {
        forceFull: input.forceFull ?? false,
        encrypted: key !== undefined,
        keyFingerprint: fp,
        format: format as ManifestLayout | undefined,
        readTs,
      });
      const state = await this.cluster.zeroState(true);
      const groups = Object.keys(state.groups)
        .map(Number)
        .sort((a, b) => a - b);
      const predicates = new Map<number, string[]>(
        groups.map((g) => [g, Object.keys(state.groups[String(g)]!.tablets).sort()]),
      );
      const results = await Promise.allSettled(
        groups.map((g) => {
          const body: GroupBackupRequest = {
            destination: input.destination,
            ...wireCreds(input),
            path: backupFilePath(plan, g),
            readTs: String(readTs),
            since: String(plan.since),
            predicates: predicates.get(g)!,
            format: plan.format,
            ...(key ? { key: key.toString('base64') } : {}),
          };
          return this.callGroup(g, '/internal/backup', body, () => this.groupBackup(body));
        }),
      );
      const failed = results.findIndex((r) => r.status === 'rejected');
      if (failed !== -1) {
        await this.removeFolder(dest, plan.folder);
        const reason = message((results[failed] as PromiseRejectedResult).reason);
        throw new AlphaError(
          'BACKUP_FAILED',
          `backup failed, no manifest was written: group ${groups[failed]}: ${reason}`,
          500,
        );
      }
      const ok = results.map((r) => (r as PromiseFulfilledResult<GroupBackupResult>).value);
      // Drop operations of every group, in commit order, each once.
      const seen = new Set<string>();
      const drops = ok
        .flatMap((r) => r.dropOperations)
        .sort((a, b) => {
          const x = BigInt(a.commitTs ?? '0');
          const y = BigInt(b.commitTs ?? '0');
          return x < y ? -1 : x > y ? 1 : 0;
        })
        .filter((d) => {
          const k = `${d.commitTs}/${d.op}/${d.value ?? ''}/${d.namespace ?? ''}`;
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        })
        .map((d) =>
          toManifestDrop({
            op: d.op,
            ...(d.value === undefined ? {} : { value: d.value }),
            ...(d.namespace === undefined ? {} : { namespace: BigInt(d.namespace) }),
          }),
        );
      const checksums: Record<string, string> = {};
      groups.forEach((g, i) => (checksums[path.posix.basename(backupFilePath(plan, g))] = ok[i]!.sha256));
      const groupMap = new Map<number, PredicateName[]>(
        groups.map((g) => [g, predicates.get(g)!.map((name) => ({ namespace: 0n, name }))]),
      );
      try {
        await writeManifest(dest, {
          plan,
          groups: groupMap,
          dropOperations: drops,
          checksums,
          strataVersion: this.opts.version,
          keyFingerprint: fp,
        });
      } catch (err) {
        await this.removeFolder(dest, plan.folder);
        throw new AlphaError('BACKUP_FAILED', `backup failed writing its manifest: ${message(err)}`, 500);
      }
      const bytes = ok.reduce((n, r) => n + r.bytes, 0);
      return {
        response: {
          code: 'Success',
          message:
            `Backup completed: ${plan.type} backup ${plan.backupId} #${plan.backupNum} at readTs ${readTs}` +
            `${plan.type === 'incremental' ? ` (since ${plan.since})` : ''}, ${groups.length} group${groups.length === 1 ? '' : 's'}, ` +
            `${bytes} bytes, in ${plan.folder}${key ? ' (encrypted)' : ''}.`,
        },
        taskId: lockId,
      };
    } finally {
      key?.fill(0);
      await this.unlock(lockId);
      closeDest(dest);
    }
  }

  /** Best effort: removes every file a failed backup wrote into its folder. */
  private async removeFolder(dest: Destination, folder: string): Promise<void> {
    try {
      const files: string[] = [];
      for await (const f of dest.list(`${folder}/`)) files.push(f);
      await Promise.allSettled(files.map((f) => dest.delete(f)));
      const local = (dest as { resolve?: (rel: string) => string }).resolve;
      if (typeof local === 'function') await rm(local.call(dest, folder), { recursive: true, force: true });
    } catch (err) {
      this.opts.log.warn({ folder, err: message(err) }, 'could not remove the files of a failed backup');
    }
  }

  // ------------------------------------------------------------------ backup (group)

  async groupBackup(req: GroupBackupRequest): Promise<GroupBackupResult> {
    const dest = openDestination(req.destination, creds(req));
    const key = req.key ? Buffer.from(req.key, 'base64') : undefined;
    try {
      const r = await writeGroupFile(this.cluster.local.owner.store, dest, {
        path: req.path,
        readTs: BigInt(req.readTs),
        since: BigInt(req.since),
        predicates: req.predicates.map((name) => ({ name })),
        layout: req.format,
        ...(key ? { key } : {}),
      });
      return {
        bytes: r.bytes,
        sha256: r.sha256,
        kvs: r.summary.kvs,
        dropOperations: r.summary.dropOperations.map((d) => ({
          op: d.op,
          ...(d.value === undefined || d.value === null ? {} : { value: d.value }),
          ...(d.namespace === undefined || d.namespace === null ? {} : { namespace: String(d.namespace) }),
          ...(d.commitTs === undefined ? {} : { commitTs: String(d.commitTs) }),
        })),
      };
    } catch (err) {
      // Core's typed errors (an unreachable or refusing destination, ...) carry safe messages: pass
      // them to the coordinator, which would otherwise only see this Alpha's bare 500.
      if (err instanceof StrataError) throw new AlphaError('BACKUP_FAILED', err.message, 502);
      throw err;
    } finally {
      key?.fill(0);
      closeDest(dest);
    }
  }

  // ------------------------------------------------------------------ listBackups

  async listBackups(input: Credentials & { location: string }): Promise<BackupListing[]> {
    const dest = openDestination(input.location, creds(input));
    try {
      return await listBackups({ location: dest });
    } finally {
      closeDest(dest);
    }
  }

  // ------------------------------------------------------------------ restore (coordinator)

  restoreStatus(id: number): { status: RestoreState; errors: string[] } {
    return this.restores.get(id) ?? { status: 'UNKNOWN', errors: [] };
  }

  private restoreKeyProvider(input: RestoreInput): KeyProvider | undefined {
    const vault = {
      ...(input.vaultAddr ? { addr: input.vaultAddr } : {}),
      ...(input.vaultRoleIDFile ? { roleIdFile: input.vaultRoleIDFile } : {}),
      ...(input.vaultSecretIDFile ? { secretIdFile: input.vaultSecretIDFile } : {}),
      ...(input.vaultPath ? { path: input.vaultPath } : {}),
      ...(input.vaultField ? { field: input.vaultField } : {}),
      ...(input.vaultFormat ? { format: input.vaultFormat as 'base64' | 'raw' } : {}),
    };
    return (
      keyProviderFrom({ encryptionKeyFile: input.encryptionKeyFile ?? undefined, vault }) ??
      this.opts.keyProvider
    );
  }

  /**
   * Checks everything before changing anything (chain, group count, files, key), then starts the
   * restore in the background and returns its id.
   */
  async restore(input: RestoreInput): Promise<{ code: string; message: string; restoreId: number }> {
    if (!input.location) throw new AlphaError('BAD_REQUEST', 'restore needs a location');
    if (input.isPartial) throw new AlphaError('BAD_REQUEST', 'isPartial restores are not supported');
    const dest = openDestination(input.location, creds(input));
    const lockId = await this.lock('restore', `restore from ${dest.describe()}`);
    let key: Buffer | undefined;
    let started = false;
    try {
      const provider = this.restoreKeyProvider(input);
      const set = await readManifests(dest);
      const chain = selectChain(set.manifests, {
        backupId: input.backupId ?? undefined,
        backupNum: input.backupNum ?? undefined,
      });
      const groups = await this.cluster.groupIds();
      checkGroupCount(chain, groups.length);
      if (chain.backups.some((b) => b.encrypted) && provider) key = await provider.getKey();
      await restoreOffline({
        location: dest,
        pdir: path.join(path.dirname(this.opts.dataDir), `.restore-check-${randomUUID()}`),
        backupId: chain.backupId,
        backupNum: input.backupNum ?? undefined,
        key,
        clusterGroups: groups.length,
        dryRun: true,
      });
      const id = this.nextRestoreId++;
      this.restores.set(id, { status: 'IN_PROGRESS', errors: [] });
      const last = chain.backups[chain.backups.length - 1]!;
      const k = key;
      key = undefined;
      started = true;
      void this.runRestore(id, input, chain.backupId, last.groups, groups, k).finally(() => {
        k?.fill(0);
        closeDest(dest);
        return this.unlock(lockId);
      });
      return { code: 'Success', message: 'Restore operation started.', restoreId: id };
    } catch (err) {
      if (err instanceof AlphaError) throw err;
      throw new AlphaError('BAD_REQUEST', `restore refused, nothing was changed: ${message(err)}`, 400);
    } finally {
      if (!started) {
        key?.fill(0);
        closeDest(dest);
        await this.unlock(lockId);
      }
    }
  }

  private async runRestore(
    id: number,
    input: RestoreInput,
    backupId: string,
    lastGroups: Map<number, PredicateName[]>,
    groups: number[],
    key: Buffer | undefined,
  ): Promise<void> {
    const status = this.restores.get(id)!;
    try {
      const zero = this.cluster.zero;
      const restoreTs = BigInt((await zero.lease('timestamps', 1)).startId!);
      // The last manifest's predicates on their groups.
      for (const [g, preds] of lastGroups) {
        for (const p of preds) await zero.moveTablet(p.name, g);
      }
      const results = await Promise.allSettled(
        groups.map((g) => {
          const body: GroupRestoreRequest = {
            location: input.location,
            ...wireCreds(input),
            backupId,
            ...(input.backupNum ? { backupNum: input.backupNum } : {}),
            restoreTs: String(restoreTs),
            ...(key ? { key: key.toString('base64') } : {}),
          };
          return this.callGroup(g, '/internal/restore', body, () => this.groupRestore(body));
        }),
      );
      const errors = results.flatMap((r, i) =>
        r.status === 'rejected' ? [`group ${groups[i]}: ${message(r.reason)}`] : [],
      );
      const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const maxUid = ok.reduce((m, r) => (BigInt(r.maxUid) > m ? BigInt(r.maxUid) : m), 0n);
      const maxNsId = ok.reduce((m, r) => (BigInt(r.maxNsId) > m ? BigInt(r.maxNsId) : m), 0n);
      if (maxUid > 0n) await zero.lease('uids', 0, maxUid);
      await zero.lease('timestamps', 0, restoreTs);
      if (maxNsId > 0n) await zero.lease('nsids', 0, maxNsId);
      // Every Alpha forgets its cached tablets.
      this.cluster.forgetCaches();
      await Promise.allSettled(
        groups
          .filter((g) => g !== this.cluster.groupId)
          .map((g) => this.callGroup(g, '/internal/forget-tablets', {}, async () => ({}))),
      );
      if (errors.length > 0) {
        status.status = 'ERR';
        status.errors = errors;
      } else {
        status.status = 'OK';
      }
    } catch (err) {
      status.status = 'ERR';
      status.errors.push(message(err));
    }
  }

  forgetTablets(): void {
    this.cluster.forgetCaches();
  }

  // ------------------------------------------------------------------ restore (group)

  /** Loads this group's part of the chain into a fresh folder, then swaps it in for the live store. */
  async groupRestore(req: GroupRestoreRequest): Promise<GroupRestoreResult> {
    const owner = this.cluster.local.owner;
    const g = owner.group;
    const dataDir = path.resolve(this.opts.dataDir);
    const fresh = `${dataDir}.restore-${req.restoreTs}`;
    await rm(fresh, { recursive: true, force: true });
    const key = req.key ? Buffer.from(req.key, 'base64') : undefined;
    let result;
    try {
      result = await restoreOffline({
        location: req.location,
        ...creds(req),
        pdir: path.dirname(dataDir),
        backupId: req.backupId,
        backupNum: req.backupNum,
        key,
        groups: [g],
        restoreTs: BigInt(req.restoreTs),
        dirFor: () => fresh,
      });
    } catch (err) {
      await rm(fresh, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    } finally {
      key?.fill(0);
    }
    const mine = result.groups.find((x) => x.group === g);
    if (!mine) {
      throw new AlphaError('BAD_REQUEST', `the backup has no data for group ${g}`);
    }
    const old = `${dataDir}.old-${Date.now()}`;
    await owner.replaceStore(async (current) => {
      current.close();
      try {
        await rename(dataDir, old);
        await rename(fresh, dataDir);
        return openPostingStore(dataDir, { group: g });
      } catch (err) {
        // Put the old store back and keep serving it.
        await rename(old, dataDir).catch(() => undefined);
        owner.store = openPostingStore(dataDir, { group: g });
        throw err;
      }
    });
    void rm(old, { recursive: true, force: true }).catch(() => undefined);
    this.cluster.forgetCaches();
    return { maxUid: String(mine.maxUid), maxNsId: String(mine.maxNsId), keys: mine.keys };
  }
}
