/** Polls an online restore's status with a cancellable progress notification, then reports it. */
import * as vscode from 'vscode';
import type { AdminClient, RestoreStatus } from '@strata/core';
import { formatRestoreStatus, restoreProgressLine } from '../model/restore-status.js';
import { CONFIG, type CommandContext } from './command-context.js';

export async function waitForRestore(
  ctx: CommandContext,
  admin: AdminClient,
  restoreId: number,
): Promise<RestoreStatus> {
  const intervalMs = vscode.workspace.getConfiguration(CONFIG).get<number>('restoreStatusPollMs', 1000);
  const status = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Strata: restore ${restoreId}`,
      cancellable: true,
    },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      // VS Code's bar takes increments: report the growth of the percentage since the last poll.
      let shown = 0;
      return admin.waitForRestore(restoreId, {
        intervalMs,
        signal: abort.signal,
        onStatus: (s) => {
          ctx.lastRestoreStatus = { restoreId, status: s };
          const { message, percent } = restoreProgressLine(s);
          const increment = percent !== undefined && percent > shown ? percent - shown : undefined;
          if (increment !== undefined) shown = percent!;
          progress.report({ message, ...(increment !== undefined ? { increment } : {}) });
        },
      });
    },
  );
  const line = formatRestoreStatus(restoreId, status);
  ctx.output.appendLine(line);
  if (status.status === 'OK') void vscode.window.showInformationMessage(`Strata: ${line}`);
  else void vscode.window.showErrorMessage(`Strata: ${line}`);
  return status;
}
