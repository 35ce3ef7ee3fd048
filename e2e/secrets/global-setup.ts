// Vitest global setup of the e2e tests: one mode-700 folder for this run's secret files (see
// `secretFile` in tests/procs.ts), removed in teardown. A test worker's own exit hook does not run
// when Vitest ends the worker, which left key and token files behind in the system's temp folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(path.join(tmpdir(), 'strata-e2e-secrets-'));
  // Not named like a secret (TOKEN, SECRET, PASSWORD): the log audit would take the path for one,
  // and the path is in every log line naming a token file.
  process.env.STRATA_E2E_PRIVATE_FILES = root;
  return () => rmSync(root, { recursive: true, force: true });
}
