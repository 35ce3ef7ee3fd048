#!/usr/bin/env node
/** The `strata` command. */
import { Command, CommanderError } from 'commander';
import { StrataError } from '@strata/core';
import { inspectCommand } from './commands/inspect.js';
import { lsCommand } from './commands/ls.js';
import { verifyCommand } from './commands/verify.js';
import { restoreCommand } from './commands/restore.js';
import { exportCommand } from './commands/export.js';
import { zeroCommand } from './commands/zero.js';
import { alphaCommand } from './commands/alpha.js';
import { startCommand } from './commands/start.js';
import { loadCommand } from './commands/load.js';
import { demoDataCommand } from './commands/demo-data.js';
import { doctorCommand } from './commands/doctor.js';
import { backupCommand } from './commands/backup.js';
import { expireCommand } from './commands/expire.js';
import { rotateKeyCommand } from './commands/rotate-key.js';
import { ExitCode } from './exit.js';
import { versionReport } from './version.js';

const DESCRIPTION = [
  "Strata: a graph store whose backups are byte-compatible with Dgraph's binary backups.",
  '',
  'This command reads Dgraph binary backups (gzip-compressed, optionally AES-CTR encrypted files ' +
    'of framed badger KV lists): it lists the backups of a location, verifies them end to end and ' +
    'inspects single files, restores them offline, takes backups of a running cluster (backup), removes old backups by retention rules (expire), ' +
    'and runs the store (zero, alpha, start, load; demo-data writes a demo data set to load).',
].join('\n');

/** Extra advice for errors a user fixes with a flag (a backup's key). */
const HINTS: Partial<Record<string, string>> = {
  ENCRYPTED_NO_KEY: 'give the key with --encryption_key_file',
  WRONG_KEY: 'check the file given with --encryption_key_file',
};

export function buildProgram(): Command {
  const program = new Command('strata')
    .description(DESCRIPTION)
    .option('-V, --version', 'print the versions of strata, @strata/core and the native addon')
    .helpOption('-h, --help', 'show help for strata or a command')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', '\nSet STRATA_DEBUG=1 to print stack traces on unexpected errors.')
    .exitOverride();
  // Not Commander's .version(string): the native addon's version is only known once it is loaded,
  // and only --version should pay for loading it.
  program.on('option:version', () => {
    const r = versionReport();
    process.stdout.write(`${r.lines.join('\n')}\n`);
    if (r.error) process.stderr.write(`strata: error: ${r.error}\n`);
    throw new CommanderError(r.error ? 1 : 0, 'commander.version', r.lines.join('\n'));
  });
  program.addCommand(inspectCommand());
  program.addCommand(lsCommand());
  program.addCommand(verifyCommand());
  program.addCommand(restoreCommand());
  program.addCommand(exportCommand());
  program.addCommand(zeroCommand());
  program.addCommand(alphaCommand());
  program.addCommand(startCommand());
  program.addCommand(loadCommand());
  program.addCommand(demoDataCommand());
  program.addCommand(doctorCommand());
  program.addCommand(backupCommand());
  program.addCommand(expireCommand());
  program.addCommand(rotateKeyCommand());
  return program;
}

function debug(): boolean {
  return process.env.STRATA_DEBUG === '1' || process.env.STRATA_DEBUG === 'true';
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof ExitCode) return err.exitCode;
    if (err instanceof CommanderError) {
      // Commander has already printed help, the version or its own error message.
      return err.exitCode;
    }
    if (err instanceof StrataError) {
      // An error about the key of encryption at rest names its own flag (--encryption).
      const hint = err.message.includes('--encryption') ? undefined : HINTS[err.code];
      process.stderr.write(`strata: error: ${err.message}${hint ? ` (${hint})` : ''}\n`);
      if (debug() && err.stack) process.stderr.write(`${err.stack}\n`);
      return 1;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`strata: error: ${message}\n`);
    if (debug() && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

// A closed pipe (`strata inspect x | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

process.exitCode = await main(process.argv);
