/** The TreeDataProvider: a thin adapter from the plain model (src/model/tree.ts) to VS Code. */
import * as vscode from 'vscode';
import { parentOf, present, type TreeModel, type TreeNode } from '../model/tree.js';

export class BackupTreeProvider implements vscode.TreeDataProvider<TreeNode> {
  readonly #changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.#changed.event;

  constructor(readonly model: TreeModel) {}

  /** Re-reads one location (or all) on the next expansion. */
  refresh(location?: string): void {
    this.model.refresh(location);
    this.#changed.fire(undefined);
  }

  /** Redraws the view from what was read (e.g. after an expire preview decorated it). */
  redraw(): void {
    this.#changed.fire(undefined);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const p = present(node);
    const state =
      p.collapsible === 'none'
        ? vscode.TreeItemCollapsibleState.None
        : p.collapsible === 'expanded'
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(p.label, state);
    item.id = node.id;
    item.description = p.description;
    item.tooltip = p.tooltip;
    item.accessibilityInformation = { label: p.description ? `${p.label}, ${p.description}` : p.label };
    item.contextValue = p.contextValue;
    item.iconPath = new vscode.ThemeIcon(
      p.icon,
      p.iconColor ? new vscode.ThemeColor(p.iconColor) : undefined,
    );
    return item;
  }

  getChildren(node?: TreeNode): Promise<TreeNode[]> {
    return this.model.children(node);
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return parentOf(node);
  }
}
