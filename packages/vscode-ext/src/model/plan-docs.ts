/**
 * The read-only text documents of the plans (expire preview and result, restore plan):
 * `strata-plan:/expire/<location>.txt`, `strata-plan:/restore/<backupId>-<num>.txt`. Plain
 * storage; src/vscode/plan-provider.ts serves it as a TextDocumentContentProvider.
 */
export const PLAN_SCHEME = 'strata-plan';

/** A file-name-safe form of a label (locations hold slashes and colons). */
function safeName(s: string): string {
  const out = s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '');
  return (out || 'location').slice(0, 80);
}

export function expireDocPath(locationLabel: string): string {
  return `/expire/${safeName(locationLabel)}.txt`;
}

export function restorePlanDocPath(backupId: string, backupNum: number): string {
  return `/restore/${safeName(backupId)}-${backupNum}.txt`;
}

export class PlanDocuments {
  readonly #docs = new Map<string, string>();

  set(path: string, text: string): void {
    this.#docs.set(path, text);
  }

  get(path: string): string | undefined {
    return this.#docs.get(path);
  }
}
