// Sums the closing lines of the test runners `pnpm test` drives: vitest's
// `Tests  N passed | N failed | N skipped (N)` and cargo's `test result: ok. N passed; N failed; N ignored`.
/** @param {string} output @returns {{ passed: number, failed: number, skipped: number }} */
export function countResults(output) {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const sum = { passed: 0, failed: 0, skipped: 0 };
  for (const line of plain.split('\n')) {
    const v = /\bTests\s+(.*)\(\d+\)\s*$/.exec(line);
    if (v) {
      const counts = v[1] ?? '';
      sum.passed += Number(/(\d+) passed/.exec(counts)?.[1] ?? 0);
      sum.failed += Number(/(\d+) failed/.exec(counts)?.[1] ?? 0);
      sum.skipped += Number(/(\d+) skipped/.exec(counts)?.[1] ?? 0);
      continue;
    }
    const c = /test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/.exec(line);
    if (c) {
      sum.passed += Number(c[1]);
      sum.failed += Number(c[2]);
      sum.skipped += Number(c[3]);
    }
  }
  return sum;
}
