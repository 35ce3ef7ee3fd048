/** `strata doctor LOCATION`: can Strata use this backup location? One line per step. */
import type { Command } from 'commander';
import { checkDestination, openDestination, type DoctorReport, type DoctorStep } from '@strata/core';
import { ExitCode } from '../exit.js';
import { toJson } from '../format.js';
import { CREDENTIALS_HELP, credentialsFrom, type CredentialFlags } from '../credentials.js';
import { locationCommand } from '../location-command.js';

interface DoctorFlags extends CredentialFlags {
  json?: boolean;
}

/** `✓ list: 3 objects at ...` / `✗ put: access denied ...` / `- get: skipped: ...` */
export function renderStep(s: DoctorStep): string {
  const mark = s.skipped ? '-' : s.ok ? '✓' : '✗';
  return `${mark} ${s.step}: ${s.detail}`;
}

export function renderDoctorVerdict(r: DoctorReport): string {
  return r.ok
    ? `${r.location}: ready for backups and restores\n`
    : `${r.location}: FAILED (${r.steps
        .filter((s) => !s.ok && !s.skipped)
        .map((s) => s.step)
        .join(', ')})\n`;
}

export async function runDoctor(location: string, flags: DoctorFlags): Promise<void> {
  const dest = openDestination(location, credentialsFrom(flags));
  if (!flags.json) process.stdout.write(`checking ${dest.describe()}\n`);
  const report = await checkDestination(dest, {
    onStep: (s) => {
      if (!flags.json) process.stdout.write(`${renderStep(s)}\n`);
    },
  });
  process.stdout.write(flags.json ? toJson(report) : renderDoctorVerdict(report));
  if (!report.ok) throw new ExitCode(1);
}

const HELP = `
Checks that Strata can use a backup location, one line per step (✓ passed, ✗ failed with what
to do, - skipped):
  credentials  which source the credentials come from (never their values);
  list         lists the location;
  put          writes a small probe object .strata-doctor-<random> at the location's root;
  get          reads it back and compares the bytes;
  delete       deletes it and checks that it is gone.
Exit status: 0 only when every step passed.

Examples:
  $ strata doctor /backups
  $ strata doctor s3://s3.us-west-2.amazonaws.com/my-bucket/dgraph
  $ MINIO_ACCESS_KEY=... MINIO_SECRET_KEY=... strata doctor minio://127.0.0.1:9000/backups?secure=false
${CREDENTIALS_HELP}`;

export function doctorCommand(): Command {
  return locationCommand({
    name: 'doctor',
    description: 'check a backup location: credentials, list, put, get and delete of a probe object',
    json: 'print the report as JSON',
    help: HELP,
    run: runDoctor,
  });
}
