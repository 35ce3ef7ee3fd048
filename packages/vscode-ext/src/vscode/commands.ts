/**
 * Registers the commands of the view. Each one resolves its target (the tree node it was invoked
 * on, the view's selection, or a quick pick: pickers.ts), calls the vscode-free model, and turns
 * the outcome into notifications. Errors from @strata/core show with the text the CLI prints.
 */
import * as vscode from 'vscode';
import { backupRestoreCommands } from './backup-restore-commands.js';
import { showError, type CommandContext } from './command-context.js';
import { expireCommands } from './expire-commands.js';
import { locationCommands } from './location-commands.js';
import { manifestCommands } from './manifest-commands.js';
import { restorePlanCommands } from './restore-plan-commands.js';
import { verifyCommands } from './verify-commands.js';

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  const handlers = {
    ...locationCommands(ctx),
    ...manifestCommands(ctx),
    ...verifyCommands(ctx),
    ...backupRestoreCommands(ctx),
    ...expireCommands(ctx),
    ...restorePlanCommands(ctx),
  };
  return Object.entries(handlers).map(([id, fn]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        showError(err);
        return undefined;
      }
    }),
  );
}
