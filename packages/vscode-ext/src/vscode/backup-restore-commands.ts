/**
 * Backups and restores: start an online backup, restore a backup into the Alpha (its plan shown
 * before the confirmation; then its status followed), show a restore's status, copy the `strata restore` command line of an offline restore.
 */
import * as vscode from 'vscode';
import type { AdminClient } from '@strata/core';
import { adminTokenKey, alphaAdminClient } from '../model/admin-auth.js';
import { locationLabel } from '../model/locations.js';
import { restoreCommandLine } from '../model/restore-command.js';
import { restorePlanSummary } from '../model/restore-plan.js';
import {
  CONFIG,
  commandOptions,
  type CommandContext,
  type CommandHandlers,
  type CommandOptions,
} from './command-context.js';
import { storedCredentials } from './credentials-store.js';
import { pickBackup, pickLocation } from './pickers.js';
import { showRestorePlan } from './restore-plan-commands.js';
import { waitForRestore } from './restore-status.js';

/** The `strata.alphaAdminUrl` setting. */
function alphaAdminUrl(): string {
  return vscode.workspace
    .getConfiguration(CONFIG)
    .get<string>('alphaAdminUrl', 'http://127.0.0.1:8080/admin');
}

/** The client of the `strata.alphaAdminUrl` setting's Alpha, with its stored auth token if any. */
async function alphaAdmin(secrets: vscode.SecretStorage): Promise<AdminClient> {
  const url = alphaAdminUrl();
  return alphaAdminClient(url, await secrets.get(adminTokenKey(url)));
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
      const admin = await alphaAdmin(context.secrets);
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
      const admin = await alphaAdmin(context.secrets);
      // The plan first (computed here, on the same location; the Alpha's restorePlan is not used yet).
      const shown = await showRestorePlan(ctx, node, opts, `the Alpha at ${admin.url}`);
      if (!shown) return undefined;
      if (!opts?.confirmed) {
        const ok = await vscode.window.showWarningMessage(
          `Restore ${m.backupId} #${m.backupNum} (backups 1..${m.backupNum} of the series) into the Alpha at ${admin.url}?`,
          {
            modal: true,
            detail:
              `Plan (open in the editor): ${restorePlanSummary(shown.result.plan)}. ` +
              'The restored data replaces what the cluster holds for the restored predicates.',
          },
          'Restore',
        );
        if (ok !== 'Restore') return undefined;
      }
      let encryptionKeyFile = opts?.encryptionKeyFile;
      if (m.encrypted && encryptionKeyFile === undefined) {
        encryptionKeyFile = await vscode.window.showInputBox({
          prompt: 'Path of the encryption key file on the Alpha’s machine',
          ...(shown.keyFile !== undefined && { value: shown.keyFile }),
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

    'strata.setAlphaAuthToken': async (arg?: unknown) => {
      const url = alphaAdminUrl();
      const token =
        typeof arg === 'string'
          ? arg
          : await vscode.window.showInputBox({
              prompt: `Auth token of the Alpha at ${url} (the contents of its --security token-file; empty: forget it)`,
              password: true,
              ignoreFocusOut: true,
            });
      if (token === undefined) return undefined;
      if (token.trim() === '') {
        await context.secrets.delete(adminTokenKey(url));
        void vscode.window.showInformationMessage(`Strata: auth token of ${url} forgotten.`);
        return undefined;
      }
      await context.secrets.store(adminTokenKey(url), token.trim());
      void vscode.window.showInformationMessage(
        `Strata: auth token of ${url} stored in VS Code's secret storage.`,
      );
      return undefined;
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
      return waitForRestore(ctx, await alphaAdmin(context.secrets), id);
    },
  };
}
