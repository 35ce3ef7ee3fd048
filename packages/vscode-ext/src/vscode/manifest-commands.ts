/** Open a backup's manifest as a read-only JSON document. */
import * as vscode from 'vscode';
import type { CommandContext, CommandHandlers } from './command-context.js';
import { ManifestContentProvider } from './manifest-provider.js';
import { pickBackup } from './pickers.js';

export function manifestCommands(ctx: CommandContext): CommandHandlers {
  return {
    'strata.openManifest': async (arg?: unknown) => {
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
    },
  };
}
