/** What every command of the view shares: its context, the options callers may pass, errors. */
import * as vscode from 'vscode';
import type { ExpireResult, RestoreStatus, RetentionRules, VerifyReport } from '@strata/core';
import { errorText } from '../model/errors.js';
import type { TreeNode } from '../model/tree.js';
import type { RestorePlanResult } from '../model/restore-plan.js';
import type { VerifySummary } from '../model/verify.js';
import type { PlanContentProvider } from './plan-provider.js';
import type { BackupTreeProvider } from './tree-provider.js';

/** The section of the extension's settings. */
export const CONFIG = 'strata';

export interface CommandContext {
  context: vscode.ExtensionContext;
  provider: BackupTreeProvider;
  treeView: vscode.TreeView<TreeNode>;
  output: vscode.OutputChannel;
  plans: PlanContentProvider;
  /** The outcome of the last verify (read by the extension API and the UI test's harness). */
  lastVerify?: { summary: VerifySummary; report: VerifyReport };
  lastRestoreStatus?: { restoreId: number; status: RestoreStatus };
  /** The last expire preview or run, and the last restore plan (extension API, harness). */
  lastExpire?: ExpireResult;
  lastRestorePlan?: RestorePlanResult;
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
  /** Expire: the rules instead of asking. */
  rules?: RetentionRules;
  /** Expire: after the preview, run it (`true`, still behind `confirmed`) or stop (`false`) without asking. */
  expireNow?: boolean;
}

/** A command's implementation, by command id. */
export type CommandHandlers = Record<string, (...args: unknown[]) => unknown>;

export function showError(err: unknown): void {
  void vscode.window.showErrorMessage(`Strata: ${errorText(err)}`);
}

/** The options argument, unless it is the selection array a context menu passes second. */
export function commandOptions<T extends object>(x: unknown): T | undefined {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as T) : undefined;
}
