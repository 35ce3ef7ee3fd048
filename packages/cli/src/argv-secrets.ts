/**
 * Secrets never come from the command line, where every user of the machine can read them (`ps`,
 * /proc/PID/cmdline) and shells keep them in their history. The old argv forms (`--token`,
 * `--secret_key`, `--session_token`) are still recognised, only to be refused with the way to
 * give the secret instead; the value itself is never echoed.
 */
import { Option, type Command } from 'commander';

/** The refusal message for `flag`, and what to use instead. */
export function argvSecretMessage(flag: string, instead: string): string {
  return `${flag} would put a secret on the command line (visible in ps): ${instead}`;
}

/**
 * Adds `flags` (e.g. `--token <token>`, hidden from --help) to `cmd`, refused before the action
 * runs with `instead` as the hint.
 */
export function refuseArgvSecret(cmd: Command, flags: string, instead: string): Command {
  const option = new Option(flags).hideHelp();
  cmd.addOption(option);
  return cmd.hook('preAction', (_cmd, action) => {
    if (action.getOptionValue(option.attributeName()) !== undefined) {
      throw new Error(argvSecretMessage(option.long ?? flags, instead));
    }
  });
}
