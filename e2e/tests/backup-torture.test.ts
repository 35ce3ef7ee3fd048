// Backup torture (../torture/backup-torture.ts): kill -9 of Zero, the coordinating Alpha and a
// group's Alpha at random moments during backups; after each restart no reader sees a partial
// backup and the next backup succeeds; the last backup restores to the source's data.
// BACKUP_TORTURE_ROUNDS (default 3) rounds per target; BACKUP_TORTURE_TARGETS (default
// zero,coordinator,group) the targets; BACKUP_TORTURE_LOG=1 prints each round.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backupTorture, resultsTable, type KillTarget } from '../torture/backup-torture.js';
import { killAll } from './procs.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-torture-'));
afterAll(async () => {
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

const ROUNDS = Number(process.env.BACKUP_TORTURE_ROUNDS ?? '3');
const TARGETS = (process.env.BACKUP_TORTURE_TARGETS ?? 'zero,coordinator,group').split(',') as KillTarget[];

describe('backup torture', () => {
  it(
    `kill -9 of each process during a backup, ${ROUNDS} rounds each`,
    async () => {
      const r = await backupTorture({
        tmp,
        rounds: ROUNDS,
        targets: TARGETS,
        leaseMs: 2000,
        initialTriples: 20_000,
        ...(process.env.BACKUP_TORTURE_LOG ? { log: (l: string) => console.log(l) } : {}),
      });
      console.log(resultsTable(r));
      expect(r.rows).toHaveLength(TARGETS.length * ROUNDS);
      expect(r.rows.flatMap((x) => x.failures.map((f) => `${x.target} #${x.round}: ${f}`))).toEqual([]);
      expect(r.restoreFailures).toEqual(Object.fromEntries(TARGETS.map((t) => [t, []])));
    },
    600_000 + ROUNDS * 3 * 60_000,
  );
});
