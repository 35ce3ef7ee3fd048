/**
 * What a fuzz target may throw: the parser's own typed errors. Anything else (a TypeError, a
 * RangeError, a stack overflow, ...) is rethrown, and Jazzer.js reports it as a finding.
 */
export function expectOnly(
  kinds: readonly (abstract new (...args: never[]) => Error)[],
  run: () => void,
): void {
  try {
    run();
  } catch (e) {
    if (kinds.some((k) => e instanceof k)) return;
    throw e;
  }
}
