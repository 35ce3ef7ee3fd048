/**
 * `checkDestination`: the steps of `strata doctor` — credentials, list, put, get, delete of a probe
 * object — each with what went wrong and how to fix it. Never reports a credential value.
 */
import { randomBytes } from 'node:crypto';
import { StrataError } from '../errors.js';
import type { Destination } from './types.js';

export interface DoctorStep {
  step: 'credentials' | 'list' | 'put' | 'get' | 'delete';
  ok: boolean;
  /** Skipped because an earlier step it needs failed. */
  skipped?: boolean;
  /** What was found (ok) or what failed, with the fix (not ok). */
  detail: string;
  /** StrataError code / reason of a failure. */
  code?: string;
}

export interface DoctorReport {
  ok: boolean;
  location: string;
  /** Where the credentials came from (remote locations), never their values. */
  credentialSource?: string;
  steps: DoctorStep[];
}

function describeError(err: unknown): { detail: string; code?: string } {
  if (err instanceof StrataError) {
    const reason = (err as StrataError & { reason?: string }).reason;
    return { detail: err.message, code: reason === undefined ? err.code : `${err.code}/${reason}` };
  }
  return { detail: err instanceof Error ? err.message : String(err) };
}

/**
 * Runs the probe against a location. `onStep` is called as each step ends. The probe object is
 * `.strata-doctor-<random>` at the location's root and is deleted at the end.
 */
export async function checkDestination(
  dest: Destination,
  opts: { onStep?: (s: DoctorStep) => void; listLimit?: number } = {},
): Promise<DoctorReport> {
  const steps: DoctorStep[] = [];
  const report: DoctorReport = { ok: false, location: dest.describe(), steps };
  const add = (s: DoctorStep): void => {
    steps.push(s);
    opts.onStep?.(s);
  };
  const fail = (step: DoctorStep['step'], err: unknown): void =>
    add({ step, ok: false, ...describeError(err) });

  // 1. credentials
  let credsOk = true;
  if (dest.resolveCredentials) {
    try {
      const c = await dest.resolveCredentials();
      report.credentialSource = c.source;
      add({ step: 'credentials', ok: true, detail: `from ${c.source}` });
    } catch (err) {
      credsOk = false;
      fail('credentials', err);
    }
  } else {
    add({ step: 'credentials', ok: true, detail: 'not needed (local folder)' });
  }
  const skip = (step: DoctorStep['step'], why: string): void =>
    add({ step, ok: false, skipped: true, detail: `skipped: ${why}` });
  if (!credsOk) {
    for (const s of ['list', 'put', 'get', 'delete'] as const) skip(s, 'no credentials');
    return report;
  }

  // 2. list
  const limit = opts.listLimit ?? 1000;
  try {
    let n = 0;
    for await (const _ of dest.list('')) {
      if (++n >= limit) break;
    }
    add({
      step: 'list',
      ok: true,
      detail: `${n}${n >= limit ? '+' : ''} object${n === 1 ? '' : 's'} at ${dest.describe()}`,
    });
  } catch (err) {
    fail('list', err);
  }

  // 3. put
  const probe = `.strata-doctor-${randomBytes(6).toString('hex')}`;
  const body = randomBytes(64 * 1024);
  let put = false;
  try {
    await dest.write(probe, body);
    put = true;
    add({ step: 'put', ok: true, detail: `wrote ${probe} (${body.length} bytes)` });
  } catch (err) {
    fail('put', err);
  }

  // 4. get
  if (put) {
    try {
      const back = await dest.readFile(probe);
      if (back.equals(body)) add({ step: 'get', ok: true, detail: `read ${probe} back, bytes identical` });
      else
        add({
          step: 'get',
          ok: false,
          detail: `read ${probe} back but its bytes differ (${back.length} of ${body.length} bytes)`,
        });
    } catch (err) {
      fail('get', err);
    }
  } else {
    skip('get', 'the probe object could not be written');
  }

  // 5. delete
  if (put) {
    try {
      await dest.delete(probe);
      if (await dest.exists(probe))
        add({ step: 'delete', ok: false, detail: `deleted ${probe} but it still exists` });
      else add({ step: 'delete', ok: true, detail: `deleted ${probe}` });
    } catch (err) {
      fail('delete', err);
    }
  } else {
    skip('delete', 'the probe object could not be written');
  }
  report.ok = steps.every((s) => s.ok);
  return report;
}
