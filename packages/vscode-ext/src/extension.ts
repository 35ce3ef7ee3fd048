/**
 * Entry point of the Strata Backups extension. The logic lives in `model/` (no vscode import);
 * this file wires it to VS Code: the tree view, the manifest documents, the commands, settings
 * and secret storage. `activate` returns the extension's API (used by other extensions and by the
 * UI test's harness).
 */
import * as vscode from 'vscode';
import { nativeVersion, type ExpireResult } from '@strata/core';
import { MANIFEST_SCHEME } from './model/manifest-doc.js';
import { PLAN_SCHEME } from './model/plan-docs.js';
import type { RestorePlanResult } from './model/restore-plan.js';
import { errorText } from './model/errors.js';
import { present, TreeModel, type NodePresentation, type TreeNode } from './model/tree.js';
import type { VerifySummary } from './model/verify.js';
import { showError, type CommandContext } from './vscode/command-context.js';
import { registerCommands } from './vscode/commands.js';
import { destinationOptions } from './vscode/credentials-store.js';
import { ManifestContentProvider } from './vscode/manifest-provider.js';
import { PlanContentProvider } from './vscode/plan-provider.js';
import { BackupTreeProvider } from './vscode/tree-provider.js';

export interface NativeInfo {
  ok: boolean;
  nativeVersion?: string;
  error?: string;
  node: string;
  napi: string | undefined;
  modules: string;
  /** Where @strata/native was loaded from. */
  addon?: string;
}

export interface StrataExtensionApi {
  model: TreeModel;
  treeView: vscode.TreeView<TreeNode>;
  children(node?: TreeNode): Promise<TreeNode[]>;
  present(node: TreeNode): NodePresentation;
  lastVerify(): VerifySummary | undefined;
  /** The last expire preview or run. */
  lastExpire(): ExpireResult | undefined;
  /** The last restore plan (Preview Restore Plan, or before Restore Online). */
  lastRestorePlan(): RestorePlanResult | undefined;
  nativeInfo(): NativeInfo;
}

function nativeInfo(): NativeInfo {
  const base = { node: process.version, napi: process.versions.napi, modules: process.versions.modules };
  try {
    const version = nativeVersion();
    const loaded = Object.keys(require.cache).find((k) => /strata-native[^/]*\.node$/.test(k));
    return { ok: true, nativeVersion: version, ...base, ...(loaded !== undefined && { addon: loaded }) };
  } catch (err) {
    return { ok: false, error: errorText(err), ...base };
  }
}

export function activate(context: vscode.ExtensionContext): StrataExtensionApi {
  const output = vscode.window.createOutputChannel('Strata');
  const shown = new Set<string>();
  const model = new TreeModel({
    locations: () => vscode.workspace.getConfiguration('strata').get<string[]>('locations', []),
    credentials: (location) => destinationOptions(context.secrets, location),
    onError: (location, err) => {
      // One notification per location and message until the next refresh.
      const key = `${location}\n${errorText(err)}`;
      if (shown.has(key)) return;
      shown.add(key);
      output.appendLine(`${location}: ${errorText(err)}`);
      showError(err);
    },
  });
  const provider = new BackupTreeProvider(model);
  const treeView = vscode.window.createTreeView('strataBackups', {
    treeDataProvider: provider,
    showCollapseAll: true,
  });
  const plans = new PlanContentProvider();
  const ctx: CommandContext = { context, provider, treeView, output, plans };

  context.subscriptions.push(
    output,
    treeView,
    vscode.workspace.registerTextDocumentContentProvider(MANIFEST_SCHEME, new ManifestContentProvider(model)),
    vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, plans),
    ...registerCommands(ctx),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('strata.locations')) provider.refresh();
    }),
    context.secrets.onDidChange(() => provider.refresh()),
    { dispose: () => shown.clear() },
  );
  // A refresh shows an error again.
  const refresh = provider.refresh.bind(provider);
  provider.refresh = (location?: string) => {
    shown.clear();
    refresh(location);
  };

  return {
    model,
    treeView,
    children: (node) => model.children(node),
    present,
    lastVerify: () => ctx.lastVerify?.summary,
    lastExpire: () => ctx.lastExpire,
    lastRestorePlan: () => ctx.lastRestorePlan,
    nativeInfo,
  };
}

export function deactivate(): void {}
