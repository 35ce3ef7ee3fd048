/** The text of a {@link VerifyReport}, as `strata verify` prints it and the extension shows it. */
import type { VerifyReport } from './verify.js';

/** `1 file` / `3 files`. */
function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}

/** An integer with thousands separators (1,234,567). */
function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** One line per backup, its problems indented below, then a verdict. */
export function renderVerifyReport(r: VerifyReport): string {
  const out: string[] = [];
  if (r.backupId !== '') out.push(`series ${r.backupId} at ${r.location}`);
  for (const w of r.warnings) out.push(`warning: ${w}`);
  for (const b of r.backups) {
    const kvs = b.files.reduce((n, f) => n + f.kvs, 0);
    const bytes = b.files.reduce((n, f) => n + f.bytes, 0);
    out.push(
      `${b.ok ? 'OK    ' : 'FAILED'} #${b.backupNum} ${b.type} ${b.path} (${b.layout}, readTs ${b.readTs}, ` +
        `${plural(b.files.length, 'file')}, ${count(bytes)} bytes, ${count(kvs)} kvs)`,
    );
    for (const p of b.problems) out.push(`    - ${p}`);
  }
  if (r.deep !== undefined) {
    out.push('deep check, per group:');
    for (const g of r.deep.groups) {
      const versions =
        g.minVersion === undefined ? 'no data keys' : `data versions ${g.minVersion}..${g.maxVersion}`;
      out.push(
        `  group ${g.group}: ${plural(g.files, 'file')}, ${count(g.bytes)} bytes, ${plural(g.keys, 'key')}, ` +
          `${plural(g.predicates.length, 'predicate')} seen, ${versions}, ${plural(g.problems, 'problem')}`,
      );
      for (const n of g.notes) out.push(`    note: ${n}`);
    }
  }
  for (const p of r.problems) out.push(`problem: ${p}`);
  out.push(r.ok ? `all ${plural(r.backups.length, 'backup')} verified` : 'verification FAILED');
  return out.join('\n') + '\n';
}
