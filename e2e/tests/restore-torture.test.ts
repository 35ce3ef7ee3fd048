// Restore torture (../torture/restore-torture.ts): kill -9 of Zero, the coordinating Alpha, a group
// Alpha or the offline `strata restore` at a random moment of a restore, ROUNDS times each
// (env TORTURE_ROUNDS, default 3). After every restart the cluster serves the old or the new data
// whole (never a mix, never empty), nothing is left beside the stores, and the next restore works.
// TORTURE_REPORT=<file> writes the per-round results as JSON. One target: vitest -t 'kill -9 of zero'.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll } from './procs.js';
import {
  RestoreTorture,
  resultsTable,
  type KillTarget,
  type RoundResult,
} from '../torture/restore-torture.js';

const ROUNDS = Number(process.env.TORTURE_ROUNDS ?? 3);
const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-torture-'));
const torture = new RestoreTorture(tmp);
const results: RoundResult[] = [];

beforeAll(() => torture.setup(), 240_000);

afterAll(async () => {
  await killAll();
  const table = resultsTable(results);
  process.stdout.write(`\n${table}\n`);
  if (process.env.TORTURE_REPORT) {
    writeFileSync(process.env.TORTURE_REPORT, `${JSON.stringify(results, null, 1)}\n\n${table}\n`);
  }
  rmSync(tmp, { recursive: true, force: true });
});

describe(`restore torture, ${ROUNDS} rounds per kill target`, () => {
  for (const target of ['group', 'coordinator', 'zero'] as const satisfies readonly KillTarget[]) {
    it(
      `online restore: kill -9 of ${target}`,
      async () => {
        for (let i = 1; i <= ROUNDS; i++) {
          const r = await torture.onlineRound(target, i);
          results.push(r);
          expect(r, JSON.stringify(r)).toMatchObject({ nextOk: true });
          expect(['old', 'new']).toContain(r.outcome);
        }
      },
      ROUNDS * 240_000,
    );
  }

  it(
    'offline strata restore: kill -9 of the CLI',
    async () => {
      for (let i = 1; i <= ROUNDS; i++) {
        const r = await torture.offlineRound(i);
        results.push(r);
        expect(r, JSON.stringify(r)).toMatchObject({ nextOk: true });
        expect(['old', 'new']).toContain(r.outcome);
      }
    },
    ROUNDS * 120_000,
  );
});
