/**
 * The commands of the view. Each one resolves its target (the tree node it was invoked on, the
 * view's selection, or a quick pick), calls the vscode-free model, and turns the outcome into
 * notifications. Errors from @strata/core show with the text the CLI prints.
 */
import * as vscode from 'vscode';
import { readKeyFile, type DestinationOptions, type VerifyReport } from '@strata/core';
import { AlphaAdmin, formatRestoreStatus, type RestoreStatus } from '../model/admin.js';
import { errorText } from '../model/errors.js';
import {
  addLocation,
  isRemote,
  locationLabel,
  normalizeLocation,
  parseStoredCredentials,
  removeLocation,
  secretKey,
  type StoredCredentials,
} from '../model/locations.js';
import { restoreCommandLine } from '../model/restore-command.js';
import type { BackupNode, LocationNode, SeriesNode, TreeNode } from '../model/tree.js';
import { renderVerifyReport, runVerify, verifyTitle, type VerifySummary } from '../model/verify.js';
import { ManifestContentProvider } from './manifest-provider.js';
import type { BackupTreeProvider } from './tree-provider.js';

export interface CommandContext {
  context: vscode.ExtensionContext;
  provider: BackupTreeProvider;
  treeView: vscode.TreeView<TreeNode>;
  output: vscode.OutputChannel;
  /** The outcome of the last verify (read by the extension API and the UI test's harness). */
  lastVerify?: { summary: VerifySummary; report: VerifyReport };
  lastRestoreStatus?: { restoreId: number; status: RestoreStatus };
}

/** Options a caller may pass instead of answering prompts (extension API, tests). */
export interface CommandOptions {
  /** Key file for encrypted series (verify); `''`: verify without a key. */
  keyFile?: string;
  /** Skip the confirmation of a restore. */
  confirmed?: boolean;
  forceFull?: boolean;
  /** Path of the key file on the Alpha's machine (online restore of an encrypted series). */
  encryptionKeyFile?: string;
}

const CONFIG = 'strata';

export function showError(err: unknown): void {
  void vscode.window.showErrorMessage(`Strata: ${errorText(err)}`);
}

function locations(): string[] {
  return vscode.workspace.getConfiguration(CONFIG).get<string[]>('locations', []);
}

async function saveLocations(list: string[]): Promise<void> {
  const cfg = vscode.workspace.getConfiguration(CONFIG);
  const inspect = cfg.inspect<string[]>('locations');
  const target =
    inspect?.workspaceFolderValue !== undefined
      ? vscode.ConfigurationTarget.WorkspaceFolder
      : inspect?.workspaceValue !== undefined
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
  await cfg.update('locations', list, target);
}

/** Credentials of a location from SecretStorage (undefined: the environment is used). */
export async function storedCredentials(
  secrets: vscode.SecretStorage,
  location: string,
): Promise<StoredCredentials | undefined> {
  if (!isRemote(location)) return undefined;
  return parseStoredCredentials(await secrets.get(secretKey(location)));
}

export async function destinationOptions(
  secrets: vscode.SecretStorage,
  location: string,
): Promise<DestinationOptions | undefined> {
  return storedCredentials(secrets, location);
}

/** The options argument, unless it is the selection array a context menu passes second. */
function options<T extends object>(x: unknown): T | undefined {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as T) : undefined;
}

function isNode(x: unknown): x is TreeNode {
  return typeof x === 'object' && x !== null && typeof (x as { kind?: unknown }).kind === 'string';
}

async function pickLocation(ctx: CommandContext, arg: unknown): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  if (isNode(arg)) return 'location' in arg ? arg.location : undefined;
  const sel = ctx.treeView.selection[0];
  if (sel && 'location' in sel) return sel.location;
  const list = locations();
  if (list.length === 1) return list[0];
  return vscode.window.showQuickPick(list, { placeHolder: 'Backup location' });
}

async function pickSeries(ctx: CommandContext, arg: unknown): Promise<SeriesNode | undefined> {
  if (isNode(arg)) {
    if (arg.kind === 'series') return arg;
    if (arg.kind === 'backup') return arg.parent;
    if (arg.kind === 'group') return arg.parent.parent;
    if (arg.kind === 'predicate') return arg.parent.parent.parent;
  }
  if (arg === undefined) {
    const sel = ctx.treeView.selection[0];
    if (sel && sel.kind !== 'location' && sel.kind !== 'message') return pickSeries(ctx, sel);
  }
  const location = await pickLocation(ctx, isNode(arg) && arg.kind === 'location' ? arg : undefined);
  if (location === undefined) return undefined;
  const loc: LocationNode = { kind: 'location', id: `loc:${location}`, location };
  const series = (await ctx.provider.model.children(loc)).filter((n): n is SeriesNode => n.kind === 'series');
  if (series.length === 1) return series[0];
  const picked = await vscode.window.showQuickPick(
    series.map((s) => ({ label: s.backupId, description: `${s.backups.length} backups`, s })),
    { placeHolder: 'Series' },
  );
  return picked?.s;
}

async function pickBackup(ctx: CommandContext, arg: unknown): Promise<BackupNode | undefined> {
  if (isNode(arg)) {
    if (arg.kind === 'backup') return arg;
    if (arg.kind === 'group') return arg.parent;
    if (arg.kind === 'predicate') return arg.parent.parent;
  } else if (typeof arg === 'object' && arg !== null && 'backupId' in arg) {
    const a = arg as { location: string; backupId: string; backupNum: number };
    return ctx.provider.model.findBackup(a.location, a.backupId, a.backupNum);
  }
  if (arg === undefined) {
    const sel = ctx.treeView.selection[0];
    if (sel && (sel.kind === 'backup' || sel.kind === 'group' || sel.kind === 'predicate'))
      return pickBackup(ctx, sel);
  }
  const series = await pickSeries(ctx, arg);
  if (!series) return undefined;
  const backups = (await ctx.provider.model.children(series)).filter(
    (n): n is BackupNode => n.kind === 'backup',
  );
  const picked = await vscode.window.showQuickPick(
    backups.map((b) => ({
      label: `#${b.manifest.backupNum} ${b.manifest.type}`,
      description: b.manifest.path,
      b,
    })),
    { placeHolder: `Backup of ${series.backupId}` },
  );
  return picked?.b;
}

async function chooseKey(encrypted: boolean, opts: CommandOptions | undefined): Promise<Buffer | undefined> {
  if (!encrypted) return undefined;
  let file = opts?.keyFile;
  if (file === undefined) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Encryption key file of the series (raw 16, 24 or 32 bytes)',
      openLabel: 'Use Key',
      canSelectMany: false,
    });
    file = picked?.[0]?.fsPath ?? '';
  }
  return file === '' ? undefined : readKeyFile(file);
}

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  const { context, provider } = ctx;
  const reg = (id: string, fn: (...args: unknown[]) => unknown): vscode.Disposable =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        showError(err);
        return undefined;
      }
    });

  return [
    reg('strata.addLocation', async (arg?: unknown) => {
      let input = typeof arg === 'string' ? arg : undefined;
      if (input === undefined) {
        const choice = await vscode.window.showQuickPick(
          [
            { label: '$(folder) Local folder…', id: 'folder' },
            { label: '$(cloud) s3:// or minio:// URL…', id: 'url' },
          ],
          { placeHolder: 'Add a backup location' },
        );
        if (!choice) return undefined;
        if (choice.id === 'folder') {
          const picked = await vscode.window.showOpenDialog({
            canSelectFolders: true,
            canSelectFiles: false,
            openLabel: 'Add Location',
          });
          input = picked?.[0]?.fsPath;
        } else {
          input = await vscode.window.showInputBox({
            prompt: 'Location URL (no credentials: use Set Credentials or the environment)',
            placeHolder:
              's3://s3.us-west-2.amazonaws.com/bucket/prefix or minio://127.0.0.1:9000/bucket?secure=false',
            validateInput: (v) => {
              try {
                normalizeLocation(v);
                return undefined;
              } catch (err) {
                return errorText(err);
              }
            },
          });
        }
      }
      if (input === undefined) return undefined;
      const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      const location = normalizeLocation(input, base);
      await saveLocations(addLocation(locations(), location));
      provider.refresh(location);
      return location;
    }),

    reg('strata.removeLocation', async (arg?: unknown) => {
      const location = await pickLocation(ctx, arg);
      if (location === undefined) return undefined;
      await saveLocations(removeLocation(locations(), location));
      await context.secrets.delete(secretKey(location));
      provider.refresh(location);
      return location;
    }),

    reg('strata.refresh', (arg?: unknown) => {
      provider.refresh(isNode(arg) && arg.kind === 'location' ? arg.location : undefined);
    }),

    reg('strata.setCredentials', async (arg?: unknown, second?: unknown) => {
      const given = options<StoredCredentials>(second);
      const location = await pickLocation(ctx, arg);
      if (location === undefined) return undefined;
      if (!isRemote(location)) {
        void vscode.window.showInformationMessage(
          `Strata: ${location} is a local folder: it needs no credentials.`,
        );
        return undefined;
      }
      let creds = given;
      if (!creds) {
        const accessKey = await vscode.window.showInputBox({
          prompt: `Access key for ${locationLabel(location)} (empty: forget the stored credentials and use the environment)`,
          ignoreFocusOut: true,
        });
        if (accessKey === undefined) return undefined;
        if (accessKey === '') {
          await context.secrets.delete(secretKey(location));
          provider.refresh(location);
          void vscode.window.showInformationMessage(
            `Strata: credentials of ${locationLabel(location)} forgotten.`,
          );
          return undefined;
        }
        const secret = await vscode.window.showInputBox({
          prompt: 'Secret key',
          password: true,
          ignoreFocusOut: true,
        });
        if (!secret) return undefined;
        const token = await vscode.window.showInputBox({
          prompt: 'Session token (optional)',
          password: true,
          ignoreFocusOut: true,
        });
        if (token === undefined) return undefined;
        creds = { accessKey, secretKey: secret, ...(token !== '' && { sessionToken: token }) };
      }
      await context.secrets.store(secretKey(location), JSON.stringify(creds));
      provider.refresh(location);
      void vscode.window.showInformationMessage(
        `Strata: credentials of ${locationLabel(location)} stored in VS Code's secret storage.`,
      );
      return undefined;
    }),

    reg('strata.openManifest', async (arg?: unknown) => {
      const node = await pickBackup(ctx, arg);
      if (!node) return undefined;
      const m = node.manifest;
      const uri = ManifestContentProvider.uri({
        location: node.location,
        backupId: m.backupId,
        backupNum: m.backupNum,
        path: m.path,
      });
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.languages.setTextDocumentLanguage(doc, 'json');
      await vscode.window.showTextDocument(doc, { preview: true });
      return uri.toString();
    }),

    reg('strata.verifyBackup', async (arg?: unknown, second?: unknown) => {
      const opts = options<CommandOptions>(second);
      const node = await pickBackup(ctx, arg);
      if (!node) return undefined;
      return verifyWithProgress(
        ctx,
        node.location,
        node.manifest.backupId,
        node.manifest.backupNum,
        node.manifest.encrypted,
        opts,
      );
    }),

    reg('strata.verifySeries', async (arg?: unknown, second?: unknown) => {
      const opts = options<CommandOptions>(second);
      const s = await pickSeries(ctx, arg);
      if (!s) return undefined;
      return verifyWithProgress(ctx, s.location, s.backupId, undefined, s.encrypted, opts);
    }),

    reg('strata.copyRestoreCommand', async (arg?: unknown) => {
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
    }),

    reg('strata.startBackup', async (arg?: unknown, second?: unknown) => {
      const opts = options<CommandOptions>(second);
      const location = await pickLocation(ctx, arg);
      if (location === undefined) return undefined;
      let forceFull = opts?.forceFull;
      if (forceFull === undefined) {
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
        if (!pick) return undefined;
        forceFull = pick.full;
      }
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
    }),

    reg('strata.restoreBackup', async (arg?: unknown, second?: unknown) => {
      const opts = options<CommandOptions>(second);
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
    }),

    reg('strata.showRestoreStatus', async (arg?: unknown) => {
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
    }),
  ];
}

function alphaAdmin(): AlphaAdmin {
  const url = vscode.workspace
    .getConfiguration(CONFIG)
    .get<string>('alphaAdminUrl', 'http://127.0.0.1:8080/admin');
  return new AlphaAdmin(url);
}

async function waitForRestore(
  ctx: CommandContext,
  admin: AlphaAdmin,
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
      return admin.waitForRestore(restoreId, {
        intervalMs,
        signal: abort.signal,
        onStatus: (s) => {
          ctx.lastRestoreStatus = { restoreId, status: s };
          progress.report({ message: s.status });
        },
      });
    },
  );
  ctx.output.appendLine(formatRestoreStatus(restoreId, status));
  if (status.status === 'OK')
    void vscode.window.showInformationMessage(`Strata: ${formatRestoreStatus(restoreId, status)}`);
  else void vscode.window.showErrorMessage(`Strata: ${formatRestoreStatus(restoreId, status)}`);
  return status;
}

async function verifyWithProgress(
  ctx: CommandContext,
  location: string,
  backupId: string,
  backupNum: number | undefined,
  encrypted: boolean,
  opts: CommandOptions | undefined,
): Promise<VerifySummary> {
  const key = await chooseKey(encrypted, opts);
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
