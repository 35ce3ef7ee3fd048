/** Read-only manifest documents: `strata-manifest:/<backupId>/<num>/manifest.json?location=...`. */
import * as vscode from 'vscode';
import {
  manifestDocument,
  manifestUriParts,
  MANIFEST_SCHEME,
  parseManifestQuery,
  type ManifestRef,
} from '../model/manifest-doc.js';
import type { TreeModel } from '../model/tree.js';

export class ManifestContentProvider implements vscode.TextDocumentContentProvider {
  constructor(readonly model: TreeModel) {}

  static uri(ref: ManifestRef): vscode.Uri {
    return vscode.Uri.from({ scheme: MANIFEST_SCHEME, ...manifestUriParts(ref) });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const ref = parseManifestQuery(uri.query);
    const { dest, set } = await this.model.load(ref.location);
    const m = set.manifests.find(
      (x) => x.backupId === ref.backupId && x.backupNum === ref.backupNum && x.path === ref.path,
    );
    if (!m)
      throw new Error(
        `backup ${ref.backupId} #${ref.backupNum} is no longer at ${ref.location}: refresh the view`,
      );
    return manifestDocument(dest, m);
  }
}
