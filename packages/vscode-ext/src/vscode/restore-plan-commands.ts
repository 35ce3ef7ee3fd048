/**
 * "Preview Restore Plan" on a backup: core's restore dry run (every check, every file decoded,
 * nothing written) shown as a read-only document. "Restore Online into Alpha…" shows the same plan
 * before its confirmation, computed in the window, reading the same location the Alpha will read
 * (the Alpha's `restorePlan` query is not used yet).
 */
import * as vscode from 'vscode';
import type { PhaseProgress } from '@strata/core';
import { formatBytes } from '../model/format.js';
import { restorePlanDocPath } from '../model/plan-docs.js';
import { previewRestorePlan, renderRestorePlan, type RestorePlanResult } from '../model/restore-plan.js';
import type { BackupNode } from '../model/tree.js';
import {
  commandOptions,
  type CommandContext,
  type CommandHandlers,
  type CommandOptions,
} from './command-context.js';
import { chooseKey } from './key-file.js';
import { pickBackup } from './pickers.js';

export interface ShownPlan {
  result: RestorePlanResult;
  /** The key file chosen for an encrypted series (a path on this machine). */
  keyFile?: string;
}

/** Computes the plan of restoring `node` (with progress), opens it, returns it; undefined: no key chosen. */
export async function showRestorePlan(
  ctx: CommandContext,
  node: BackupNode,
  opts: CommandOptions | undefined,
  into?: string,
): Promise<ShownPlan | undefined> {
  const m = node.manifest;
  const chosen = await chooseKey(m.encrypted, opts);
  if (m.encrypted && chosen === undefined) return undefined;
  const dest = await ctx.provider.model.destination(node.location);
  try {
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Strata: planning the restore of ${m.backupId} #${m.backupNum}…`,
      },
      (progress) => {
        let shown = 0;
        const onPhaseProgress = (p: PhaseProgress): void => {
          const pct = p.bytesTotal ? Math.floor((100 * p.bytesDone) / p.bytesTotal) : undefined;
          const inc = pct === undefined ? undefined : Math.max(0, pct - shown);
          if (inc !== undefined) shown = pct!;
          progress.report({
            message: `${p.phase}: ${formatBytes(p.bytesDone)}${p.bytesTotal ? ` of ${formatBytes(p.bytesTotal)}` : ''}`,
            ...(inc !== undefined && { increment: inc }),
          });
        };
        return previewRestorePlan({
          location: dest,
          backupId: m.backupId,
          backupNum: m.backupNum,
          ...(chosen && { key: chosen.key }),
          onPhaseProgress,
        });
      },
    );
    ctx.lastRestorePlan = result;
    await ctx.plans.show(
      restorePlanDocPath(m.backupId, m.backupNum),
      renderRestorePlan(result, { location: node.location, ...(into !== undefined && { into }) }),
    );
    return { result, ...(chosen && { keyFile: chosen.file }) };
  } finally {
    chosen?.key.fill(0);
  }
}

export function restorePlanCommands(ctx: CommandContext): CommandHandlers {
  return {
    'strata.previewRestorePlan': async (arg?: unknown, second?: unknown) => {
      const opts = commandOptions<CommandOptions>(second);
      const node = await pickBackup(ctx, arg);
      if (!node) return undefined;
      return (await showRestorePlan(ctx, node, opts))?.result;
    },
  };
}
