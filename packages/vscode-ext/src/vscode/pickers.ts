/**
 * The target of a command: the tree node it was invoked on, else the view's selection, else a
 * quick pick.
 */
import * as vscode from 'vscode';
import type { BackupNode, LocationNode, SeriesNode, TreeNode } from '../model/tree.js';
import { CONFIG, type CommandContext } from './command-context.js';

export function isNode(x: unknown): x is TreeNode {
  return typeof x === 'object' && x !== null && typeof (x as { kind?: unknown }).kind === 'string';
}

/** The `strata.locations` setting. */
export function configuredLocations(): string[] {
  return vscode.workspace.getConfiguration(CONFIG).get<string[]>('locations', []);
}

export async function pickLocation(ctx: CommandContext, arg: unknown): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  if (isNode(arg)) return 'location' in arg ? arg.location : undefined;
  const sel = ctx.treeView.selection[0];
  if (sel && 'location' in sel) return sel.location;
  const list = configuredLocations();
  if (list.length === 1) return list[0];
  return vscode.window.showQuickPick(list, { placeHolder: 'Backup location' });
}

export async function pickSeries(ctx: CommandContext, arg: unknown): Promise<SeriesNode | undefined> {
  if (isNode(arg)) {
    if (arg.kind === 'series') return arg;
    if (arg.kind === 'backup') return arg.parent;
    if (arg.kind === 'chain' || arg.kind === 'group') return arg.parent.parent;
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

export async function pickBackup(ctx: CommandContext, arg: unknown): Promise<BackupNode | undefined> {
  if (isNode(arg)) {
    if (arg.kind === 'backup') return arg;
    if (arg.kind === 'chain' || arg.kind === 'group') return arg.parent;
    if (arg.kind === 'predicate') return arg.parent.parent;
  } else if (typeof arg === 'object' && arg !== null && 'backupId' in arg) {
    const a = arg as { location: string; backupId: string; backupNum: number };
    return ctx.provider.model.findBackup(a.location, a.backupId, a.backupNum);
  }
  if (arg === undefined) {
    const sel = ctx.treeView.selection[0];
    if (
      sel &&
      (sel.kind === 'backup' || sel.kind === 'chain' || sel.kind === 'group' || sel.kind === 'predicate')
    )
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
