/** Finds and reads every manifest of a backup location, whatever Dgraph version wrote it. */
import type { Destination } from '../destinations/types.js';
import type { BackupManifest } from './model.js';
import { deriveSince, parseMasterManifest, parsePerFolderManifest } from './parse.js';
import { mapConcurrent } from '../util/concurrency.js';

/** Per-folder manifests read at once (remote locations with hundreds of backups list fast). */
export const MANIFEST_READ_CONCURRENCY = 16;

export interface ManifestSet {
  /** `master`: a root `manifest.json` (v21.03+); `per-folder`: v20.x; `none`: no manifest found. */
  layout: 'master' | 'per-folder' | 'none';
  /** Every backup, in backup order (master: file order; per-folder: sorted by path = time). */
  manifests: BackupManifest[];
  /** Things a user should know that do not stop a read (e.g. entries whose folder is gone). */
  warnings: string[];
}

const MASTER = 'manifest.json';
const SUMMARY = 'manifest_summary.json';
const PER_FOLDER = /(^|\/)dgraph\.[^/]+\/manifest\.json$/;

/** `<location>/<rel>` for messages. */
export function displayPath(dest: Destination, rel: string): string {
  const d = dest.describe();
  const q = /^[a-z0-9+.-]+:\/\//i.test(d) ? d.indexOf('?') : -1; // s3://h/b?secure=false: path before the query
  const base = (q < 0 ? d : d.slice(0, q)).replace(/\/+$/, '');
  return `${base}/${rel}${q < 0 ? '' : d.slice(q)}`;
}

/**
 * Reads a location's manifests into the one model.
 *
 * - A root `manifest.json` with `Manifests` (v21.03+; its entries may also be version 0) is used
 *   alone. Entries whose `path` folder does not exist are dropped with a warning, as Dgraph v21.03
 *   does. `manifest_summary.json` (current Dgraph) is only a listing cache and is never read.
 * - Otherwise every `dgraph.*\/manifest.json` below the location (v20.07 / v20.11), sorted by path.
 *
 * Throws a ManifestError naming the file and field for any manifest that cannot be read, and
 * FileNotFoundError when the location does not exist.
 */
export async function readManifests(dest: Destination): Promise<ManifestSet> {
  const warnings: string[] = [];
  const files: string[] = [];
  for await (const f of dest.list('')) files.push(f);

  let manifests: BackupManifest[];
  let layout: ManifestSet['layout'];
  if (files.includes(MASTER)) {
    layout = 'master';
    const file = displayPath(dest, MASTER);
    const all = parseMasterManifest((await dest.readFile(MASTER)).toString('utf8'), {
      file,
      manifestFile: MASTER,
    });
    manifests = [];
    for (const m of all) {
      const prefix = `${m.path}/`;
      if (m.path !== '' && !files.some((f) => f.startsWith(prefix))) {
        warnings.push(
          `${file}: backup ${m.backupId} #${m.backupNum} is in folder ${m.path}, which does not exist at ` +
            `${dest.describe()}: ignored (as Dgraph does)`,
        );
        continue;
      }
      manifests.push(m);
    }
  } else {
    const found = files.filter((f) => PER_FOLDER.test(f)).sort();
    layout = found.length > 0 ? 'per-folder' : 'none';
    if (found.length === 0 && files.includes(SUMMARY)) {
      warnings.push(
        `${displayPath(dest, SUMMARY)} exists but manifest.json does not: the summary is only a listing cache, ` +
          'so no backup can be read from this location',
      );
    }
    // Read in parallel (bounded), parse in path order: the first broken manifest is reported.
    const texts = await mapConcurrent(found, MANIFEST_READ_CONCURRENCY, async (rel) =>
      (await dest.readFile(rel)).toString('utf8'),
    );
    manifests = found.map((rel, i) =>
      parsePerFolderManifest(texts[i]!, {
        file: displayPath(dest, rel),
        manifestFile: rel,
        folder: rel.slice(0, -'/manifest.json'.length),
      }),
    );
  }
  deriveSince(manifests);
  return { layout, manifests, warnings };
}
