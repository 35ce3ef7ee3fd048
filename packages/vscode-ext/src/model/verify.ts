/** Verify a backup (its chain up to it) or a whole series with @strata/core's `verify`. */
import { verify, type Destination, type VerifyReport } from '@strata/core';
import { plural } from './format.js';

export interface VerifyTarget {
  location: string | Destination;
  backupId: string;
  /** Verify backups 1..backupNum of the series (a restore point); absent: the whole series. */
  backupNum?: number;
  key?: Buffer;
}

export interface VerifyProblem {
  /** The file the problem is about (relative to the location), when there is one. */
  file?: string;
  message: string;
}

export interface VerifySummary {
  ok: boolean;
  /** One line for a notification. */
  text: string;
  /** The first problem with its file, when the verification failed. */
  firstProblem?: VerifyProblem;
  problemCount: number;
  backups: number;
  files: number;
}

export function summarizeVerify(r: VerifyReport, what: string): VerifySummary {
  const problems: VerifyProblem[] = [];
  for (const b of r.backups) {
    const fileErrors = new Set<string>();
    for (const f of b.files) {
      if (!f.ok && f.error !== undefined) {
        problems.push({ file: f.file, message: f.error });
        fileErrors.add(f.error);
        fileErrors.add(`${f.file}: ${f.error}`);
      }
    }
    for (const p of b.problems) if (!fileErrors.has(p)) problems.push({ message: p });
  }
  for (const p of r.problems) problems.push({ message: p });
  const files = r.backups.reduce((n, b) => n + b.files.length, 0);
  const base = { problemCount: problems.length, backups: r.backups.length, files };
  if (r.ok) {
    return {
      ok: true,
      text: `${what}: OK — ${plural(r.backups.length, 'backup')}, ${plural(files, 'file')} read end to end`,
      ...base,
    };
  }
  const first = problems[0] ?? { message: 'verification failed' };
  const more = problems.length > 1 ? ` (and ${plural(problems.length - 1, 'more problem')})` : '';
  return {
    ok: false,
    text: `${what}: FAILED — ${first.file !== undefined ? `${first.file}: ` : ''}${first.message}${more}`,
    firstProblem: first,
    ...base,
  };
}

export function verifyTitle(t: Pick<VerifyTarget, 'backupId' | 'backupNum'>): string {
  return t.backupNum === undefined ? `series ${t.backupId}` : `backup ${t.backupId} #${t.backupNum}`;
}

export async function runVerify(
  t: VerifyTarget,
  onWarning?: (w: string) => void,
): Promise<{ report: VerifyReport; summary: VerifySummary }> {
  const report = await verify({
    location: t.location,
    backupId: t.backupId,
    ...(t.backupNum !== undefined && { backupNum: t.backupNum }),
    ...(t.key !== undefined && { key: t.key }),
    ...(onWarning && { onWarning }),
  });
  return { report, summary: summarizeVerify(report, `Verify ${verifyTitle(t)}`) };
}
