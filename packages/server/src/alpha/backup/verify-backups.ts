/**
 * `/admin` `verifyBackups` (Strata's): core's `verify` (the report `strata verify [--deep] --json`
 * prints) of a location, run by this Alpha with the request's credentials. The location and the
 * files the request names (key file, Vault role-id and secret-id files) are confined to
 * `--restore_dirs` by the same checks as `restore`. It reads only: no lock is taken (a backup or
 * an expire running meanwhile can at worst make a file it reads change or vanish, which the report
 * then names as a problem).
 */
import { analyzeChain, readManifests, verify, type KeyProvider, type VerifyReport } from '@strata/core';
import type { FastifyBaseLogger } from 'fastify';
import { HttpError } from '../../http/errors.js';
import { closeDest, message, secondsSince } from './coordination.js';
import {
  checkVerifyInput,
  openRestoreLocation,
  restoreKeyProvider,
  type VerifyBackupsInput,
} from './inputs.js';
import type { RestoreDirs } from './restore-dirs.js';

export async function verifyBackups(
  input: VerifyBackupsInput,
  /** The cluster's own key (`--encryption_key_file` / `--vault_*`). */
  clusterKey: KeyProvider | undefined,
  dirs: RestoreDirs,
  log: FastifyBaseLogger,
): Promise<VerifyReport> {
  checkVerifyInput(input);
  const dest = await openRestoreLocation(input, dirs);
  const t0 = performance.now();
  let key: Buffer | undefined;
  try {
    const backupId = input.backupId || undefined;
    const backupNum = input.backupNum ?? undefined;
    // The key the request names; else the cluster's own, only for a chain that is encrypted (a
    // key given for plain backups is a problem verify reports, which the request did not ask for).
    let provider = await restoreKeyProvider(input, undefined, dirs);
    if (provider === undefined && clusterKey !== undefined) {
      const chain = analyzeChain((await readManifests(dest)).manifests, { backupId, backupNum });
      if (chain.backups.some((b) => b.encrypted)) provider = clusterKey;
    }
    key = provider === undefined ? undefined : await provider.getKey();
    const report = await verify({ location: dest, backupId, backupNum, key, deep: input.deep === true });
    log.info(
      {
        location: report.location,
        backupId: report.backupId,
        deep: input.deep === true,
        ok: report.ok,
        problems: report.problems.length + report.backups.reduce((n, b) => n + b.problems.length, 0),
        seconds: secondsSince(t0),
      },
      `verifyBackups: series ${report.backupId} ${report.ok ? 'is sound' : 'has problems'}`,
    );
    return report;
  } catch (err) {
    log.warn({ location: dest.describe(), err: message(err) }, 'verifyBackups: failed');
    if (err instanceof HttpError) throw err;
    throw new HttpError('BAD_REQUEST', `verifyBackups failed: ${message(err)}`, 400);
  } finally {
    key?.fill(0);
    closeDest(dest);
  }
}
