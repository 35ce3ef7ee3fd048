// Picks out of a test stage's output the lines that say what failed, so that the end of a run (the
// part CI logs keep) names the failing files, tests and hooks with their first error line: vitest's
// `FAIL  file > suite > test` headers (a failed beforeAll reads `FAIL  file [ file ]`, and its tests
// count as skipped) and the error under each, its `× test` lines, and cargo's
// `---- name stdout ----` and `panicked at` lines.
const MAX_LINES = 60;
const TURBO_PREFIX = /^[@\w/.-]+:test:/; // turbo's `@strata/e2e:test:` before every line

/** @param {string} output @returns {string[]} */
export function failureLines(output) {
  const lines = output
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .map((l) => l.replace(TURBO_PREFIX, '').trim());
  const picked = new Set();
  lines.forEach((line, i) => {
    if (line.startsWith('FAIL ')) {
      picked.add(line);
      // The first non-empty line under a FAIL header is the error (Error: ..., AssertionError: ...).
      const error = lines.slice(i + 1, i + 6).find((l) => l !== '');
      if (error && !error.startsWith('FAIL ')) picked.add(`    ${error}`);
    } else if (line.startsWith('× ') || /^---- .+ stdout ----$/.test(line)) {
      picked.add(line);
    } else if (/panicked at /.test(line) && !/test_hooks\.rs/.test(line)) {
      picked.add(line); // test_hooks.rs panics on purpose (the native panic tests)
    }
  });
  const all = [...picked];
  return all.length > MAX_LINES ? [...all.slice(0, MAX_LINES), `… and ${all.length - MAX_LINES} more`] : all;
}
