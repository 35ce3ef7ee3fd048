/**
 * The read-only manifest document of a backup: the manifest exactly as the location holds it,
 * pretty-printed losslessly. For a v20.x per-folder manifest that is the whole file; for a master
 * manifest (`Manifests` array, v21.03+) the one entry of the backup.
 */
import { ManifestError, type BackupManifest, type Destination } from '@strata/core';
import { getField, JsonSyntaxError, parseJsonLossless, printJson } from './json.js';

export const MANIFEST_SCHEME = 'strata-manifest';

export interface ManifestRef {
  location: string;
  backupId: string;
  backupNum: number;
  /** The backup's folder, relative to the location. */
  path: string;
}

/** The path and query of the document URI (`strata-manifest:/<id>/<num>/manifest.json?...`). */
export function manifestUriParts(ref: ManifestRef): { path: string; query: string } {
  const q = new URLSearchParams({
    location: ref.location,
    backupId: ref.backupId,
    backupNum: String(ref.backupNum),
    path: ref.path,
  });
  return {
    path: `/${encodeURIComponent(ref.backupId)}/${ref.backupNum}/manifest.json`,
    query: q.toString(),
  };
}

export function parseManifestQuery(query: string): ManifestRef {
  const q = new URLSearchParams(query);
  const location = q.get('location');
  const backupId = q.get('backupId');
  const num = Number(q.get('backupNum'));
  const p = q.get('path');
  if (location === null || backupId === null || p === null || !Number.isInteger(num)) {
    throw new Error(`not a Strata manifest URI: ?${query}`);
  }
  return { location, backupId, backupNum: num, path: p };
}

/** The document text for `manifest` read from `dest`. */
export async function manifestDocument(dest: Destination, manifest: BackupManifest): Promise<string> {
  const text = (await dest.readFile(manifest.manifestFile)).toString('utf8');
  let tree;
  try {
    tree = parseJsonLossless(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) {
      throw new ManifestError(`${manifest.manifestFile}: not valid JSON (${err.message})`, {
        file: manifest.manifestFile,
      });
    }
    throw err;
  }
  if (manifest.source === 'master') {
    const list = getField(tree, 'Manifests');
    const entry =
      list?.t === 'array'
        ? list.items.find((e) => {
            const p = getField(e, 'path');
            return p?.t === 'string' && p.value === manifest.path;
          })
        : undefined;
    if (entry) return `${printJson(entry)}\n`;
  }
  return `${printJson(tree)}\n`;
}
