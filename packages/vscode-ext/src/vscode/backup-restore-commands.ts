/**
 * Backups and restores: start an online backup, restore a backup into the Alpha (and follow its
 * status), show a restore's status, copy the `strata restore` command line of an offline restore.
 */
import * as vscode from 'vscode';
import { AdminClient } from '@strata/core';
import { locationLabel } from '../model/locations.js';
import { restoreCommandLine } from '../model/restore-command.js';
import {
  CONFIG,
  commandOptions,
  type CommandContext,
  type CommandHandlers,
  type CommandOptions,
} from './command-context.js';
import { storedCredentials } from './credentials-store.js';
import { pickBackup, pickLocation } from './pickers.js';
import { waitForRestore } from './restore-status.js';

/** The client of the `strata.alphaAdminUrl` setting's Alpha. */
function alphaAdmin(): AdminClient {
  const url = vscode.workspace
    .getConfiguration(CONFIG)
    .get<string>('alphaAdminUrl', 'http://127.0.0.1:8080/admin');
  return new AdminClient(url);
}

/** Incremental or full, from a quick pick; undefined when dismissed. */
async function askForceFull(location: string): Promise<boolean | undefined> {
  const pick = await vscode.window.showQuickPick(
    [
      {
        label: '$(diff-added) Incremental',
        description: 'continue the newest series (a full backup if there is none)',
        full: false,
      },
      { label: '$(database) Full', description: 'start a new series (forceFull)', full: true },
    ],
    { placeHolder: `Back up the cluster into ${location}` },
  );
  return pick?.full;
}

export function backupRestoreCommands(ctx: CommandContext): CommandHandlers {
  const { context, provider } = ctx;
  return {
    'strata.copyRestoreCommand': async (arg?: unknown) => {
      const node = await pickBackup(ctx, arg);
      if (!node) return undefined;
      const line = restoreCommandLine({
        location: node.location,
        backupId: node.manifest.backupId,
        backupNum: node.manifest.backupNum,
        encrypted: node.manifest.encrypted,
      });
      await vscode.env.clipboard.writeText(line);
      void vscode.window.showInformationMessage(`Strata: copied \`${line}\``);
      return line;
    },

    'strata.startBackup': async (arg?: unknown, second?: unknown) => {
      const opts = commandOptions<CommandOptions>(second);
      const location = await pickLocation(ctx, arg);
      if (location === undefined) return undefined;
      const forceFull = opts?.forceFull ?? (await askForceFull(location));
      if (forceFull === undefined) return undefined;
      const admin = alphaAdmin();
      const creds = await storedCredentials(context.secrets, location);
      const r = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Strata: backing up the Alpha at ${admin.url} into ${locationLabel(location)}…`,
        },
        () => admin.backup({ destination: location, forceFull, ...creds }),
      );
      provider.refresh(location);
      void vscode.window.showInformationMessage(
        `Strata: backup ${forceFull ? '(full) ' : ''}into ${location}: ${r.message || r.code}`,
      );
      return r;
    },

    'strata.restoreBackup': async (arg?: unknown, second?: unknown) => {
      const opts = commandOptions<CommandOptions>(second);
      const node = await pickBackup(ctx, arg);
      if (!node) return undefined;
      const m = node.manifest;
      const admin = alphaAdmin();
      if (!opts?.confirmed) {
        const ok = await vscode.window.showWarningMessage(
          `Restore ${m.backupId} #${m.backupNum} (backups 1..${m.backupNum} of the series) into the Alpha at ${admin.url}?`,
          {
            modal: true,
            detail: 'The restored data replaces what the cluster holds for the restored predicates.',
          },
          'Restore',
        );
        if (ok !== 'Restore') return undefined;
      }
      let encryptionKeyFile = opts?.encryptionKeyFile;
      if (m.encrypted && encryptionKeyFile === undefined) {
        encryptionKeyFile = await vscode.window.showInputBox({
          prompt: 'Path of the encryption key file on the Alpha’s machine',
          ignoreFocusOut: true,
        });
        if (encryptionKeyFile === undefined) return undefined;
      }
      const creds = await storedCredentials(context.secrets, node.location);
      const r = await admin.restore({
        location: node.location,
        backupId: m.backupId,
        backupNum: m.backupNum,
        ...(encryptionKeyFile && { encryptionKeyFile }),
        ...creds,
      });
      return waitForRestore(ctx, admin, r.restoreId);
    },

    'strata.showRestoreStatus': async (arg?: unknown) => {
      let id = typeof arg === 'number' ? arg : undefined;
      if (id === undefined) {
        const text = await vscode.window.showInputBox({
          prompt: 'restoreId (as returned by the restore mutation)',
          value: ctx.lastRestoreStatus ? String(ctx.lastRestoreStatus.restoreId) : '',
          validateInput: (v) => (/^\d+$/.test(v.trim()) ? undefined : 'a whole number'),
        });
        if (text === undefined) return undefined;
        id = Number(text.trim());
      }
      return waitForRestore(ctx, alphaAdmin(), id);
    },
  };
}
