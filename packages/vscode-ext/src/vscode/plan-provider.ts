/** Read-only plan documents (`strata-plan:`): expire previews and results, restore plans. */
import * as vscode from 'vscode';
import { PLAN_SCHEME, PlanDocuments } from '../model/plan-docs.js';

export class PlanContentProvider implements vscode.TextDocumentContentProvider {
  readonly #docs = new PlanDocuments();
  readonly #changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.#changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return (
      this.#docs.get(uri.path) ?? 'This plan is gone (the window was reloaded): run the preview again.\n'
    );
  }

  /** Stores the text under `path` and opens it beside the view (updated in place when open). */
  async show(path: string, text: string): Promise<vscode.TextDocument> {
    const uri = vscode.Uri.from({ scheme: PLAN_SCHEME, path });
    this.#docs.set(path, text);
    this.#changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false });
    return doc;
  }
}
