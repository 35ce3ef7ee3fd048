/** Verify a backup (its chain up to it) or a whole series, with progress and a report. */
import * as vscode from 'vscode';
import { renderVerifyReport } from '@strata/core';
import { runVerify, verifyTitle, type VerifySummary } from '../model/verify.js';
import {
  commandOptions,
  type CommandContext,
  type CommandHandlers,
  type CommandOptions,
} from './command-context.js';
import { chooseKey } from './key-file.js';
import { pickBackup, pickSeries } from './pickers.js';

async function verifyWithProgress(
  ctx: CommandContext,
  location: string,
  backupId: string,
  backupNum: number | undefined,
  encrypted: boolean,
  opts: CommandOptions | undefined,
): Promise<VerifySummary> {
  const key = (await chooseKey(encrypted, opts))?.key;
  const title = verifyTitle({ backupId, ...(backupNum !== undefined && { backupNum }) });
  const dest = await ctx.provider.model.destination(location);
  const { report, summary } = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Strata: verifying ${title}…` },
    () =>
      runVerify({
        location: dest,
        backupId,
        ...(backupNum !== undefined && { backupNum }),
        ...(key !== undefined && { key }),
      }),
  );
  key?.fill(0);
  ctx.lastVerify = { summary, report };
  ctx.output.appendLine(
    `--- strata verify ${location} --backup_id ${backupId}${backupNum !== undefined ? ` --backup_num ${backupNum}` : ''}`,
  );
  ctx.output.append(renderVerifyReport(report));
  const show = (choice: string | undefined): void => {
    if (choice === 'Show Report') ctx.output.show(true);
  };
  if (summary.ok)
    void vscode.window.showInformationMessage(`Strata: ${summary.text}`, 'Show Report').then(show);
  else void vscode.window.showErrorMessage(`Strata: ${summary.text}`, 'Show Report').then(show);
  return summary;
}

export function verifyCommands(ctx: CommandContext): CommandHandlers {
  return {
    'strata.verifyBackup': async (arg?: unknown, second?: unknown) => {
      const opts = commandOptions<CommandOptions>(second);
      const node = await pickBackup(ctx, arg);
      if (!node) return undefined;
      const m = node.manifest;
      return verifyWithProgress(ctx, node.location, m.backupId, m.backupNum, m.encrypted, opts);
    },

    'strata.verifySeries': async (arg?: unknown, second?: unknown) => {
      const opts = commandOptions<CommandOptions>(second);
      const s = await pickSeries(ctx, arg);
      if (!s) return undefined;
      return verifyWithProgress(ctx, s.location, s.backupId, undefined, s.encrypted, opts);
    },
  };
}
