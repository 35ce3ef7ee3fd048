/** The shape of the commands that take a backup LOCATION argument (`ls`, `verify`, `doctor`). */
import { Command } from 'commander';
import { addCredentialOptions, type CredentialFlags } from './credentials.js';

export interface LocationCommandSpec<F extends CredentialFlags & { json?: boolean }> {
  name: string;
  description: string;
  /** The help of `--json`. */
  json: string;
  /** The text after the options in `--help`. */
  help: string;
  /** Options of this command, added before the credential options. */
  options?: (cmd: Command) => Command;
  run: (location: string, flags: F) => Promise<void>;
}

/** `strata NAME <location> [options] [--json]` with the credential options of remote locations. */
export function locationCommand<F extends CredentialFlags & { json?: boolean }>(
  spec: LocationCommandSpec<F>,
): Command {
  const cmd = new Command(spec.name)
    .description(spec.description)
    .argument('<location>', 'the backup location: a folder path, file://, s3:// or minio:// URL');
  spec.options?.(cmd);
  cmd.option('--json', spec.json);
  return addCredentialOptions(cmd)
    .addHelpText('after', spec.help)
    .action(async (location: string, flags: F) => {
      await spec.run(location, flags);
    });
}
