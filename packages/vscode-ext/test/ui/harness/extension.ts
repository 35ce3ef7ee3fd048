/**
 * The UI test's harness extension (depends on strata.strata-vscode). Its command
 * "Strata Harness: Collect Results" records, through the extension host API, what the UI test
 * checks: the Strata extension's API (tree items down to a predicate, the native addon as loaded
 * by the extension host's Node), the manifest and plan documents open in the workbench, the last
 * verify, expire and restore plan run from the UI, plus verify, open-manifest, the restore plan and
 * an expire preview run through vscode.commands. It writes them as
 * JSON to the file named by the setting `strataHarness.out`.
 */
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { StrataExtensionApi } from '../../../src/extension.js';
import type { TreeNode } from '../../../src/model/tree.js';

interface Row {
  kind: string;
  label: string;
  description: string;
  icon: string;
  contextValue: string;
}

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('strataHarness.collect', async () => {
      const out = vscode.workspace.getConfiguration('strataHarness').get<string>('out', '');
      const result: Record<string, unknown> = { vscodeVersion: vscode.version, hostNode: process.version };
      try {
        const ext = vscode.extensions.getExtension<StrataExtensionApi>('strata.strata-vscode');
        if (!ext) throw new Error('strata.strata-vscode is not installed');
        const api = ext.isActive ? ext.exports : await ext.activate();
        result.extensionPath = ext.extensionPath;
        result.native = api.nativeInfo();
        const row = (n: TreeNode): Row => {
          const p = api.present(n);
          return {
            kind: n.kind,
            label: p.label,
            description: p.description,
            icon: p.icon,
            contextValue: p.contextValue,
          };
        };
        // Walk: every location, the first series, every backup, the groups of backup #2, group 2's predicates.
        const roots = await api.children();
        const tree: Record<string, unknown> = { locations: roots.map(row) };
        const series = (await api.children(roots[0])).filter((n) => n.kind === 'series');
        tree.series = series.map(row);
        const backups = await api.children(series[0]);
        tree.backups = backups.map(row);
        const b2 = backups.find((b) => b.kind === 'backup' && b.manifest.backupNum === 2) ?? backups[0];
        const b2children = await api.children(b2);
        tree.chain = b2children.filter((n) => n.kind === 'chain').map(row);
        const groups = b2children.filter((n) => n.kind === 'group');
        tree.groups = groups.map(row);
        tree.predicates = (await api.children(groups[groups.length - 1])).map(row);
        result.tree = tree;
        result.selection = api.treeView.selection.map(row);
        result.treeVisible = api.treeView.visible;
        // What the UI opened and ran.
        result.manifestDocuments = vscode.workspace.textDocuments
          .filter((d) => d.uri.scheme === 'strata-manifest')
          .map((d) => ({ uri: d.uri.toString(), languageId: d.languageId, text: d.getText() }));
        result.uiVerify = api.lastVerify() ?? null;
        result.planDocuments = vscode.workspace.textDocuments
          .filter((d) => d.uri.scheme === 'strata-plan')
          .map((d) => ({ uri: d.uri.toString(), text: d.getText() }));
        // The last expire (the UI's "Expire now") and restore plan (the UI's preview).
        result.uiExpire = api.lastExpire() ?? null;
        result.uiRestorePlan = api.lastRestorePlan()?.plan ?? null;
        // The same commands through the API.
        const uri = await vscode.commands.executeCommand<string>('strata.openManifest', b2);
        const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
        result.apiManifest = { uri, text: doc?.getText() ?? null };
        result.apiVerifySeries = await vscode.commands.executeCommand('strata.verifySeries', series[0]);
        result.apiVerifyBackup = await vscode.commands.executeCommand('strata.verifyBackup', b2);
        result.restoreCommand = await vscode.commands.executeCommand('strata.copyRestoreCommand', b2);
        result.clipboard = await vscode.env.clipboard.readText();
        const plan = await vscode.commands.executeCommand<{ plan: unknown }>('strata.previewRestorePlan', b2);
        result.apiRestorePlan = plan?.plan ?? null;
        result.apiExpirePreview = await vscode.commands.executeCommand(
          'strata.previewExpire',
          roots[0] && 'location' in roots[0] ? roots[0].location : undefined,
          { rules: { keepLast: 2 }, expireNow: false },
        );
        result.ok = true;
      } catch (err) {
        result.ok = false;
        result.error = err instanceof Error ? `${err.message}\n${err.stack}` : String(err);
      }
      writeFileSync(
        out,
        JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2),
      );
      void vscode.window.showInformationMessage('Strata Harness: results written');
    }),
  );
}

export function deactivate(): void {}
