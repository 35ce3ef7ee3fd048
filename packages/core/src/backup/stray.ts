/**
 * Backup folders a crash left before they held anything: unlisted `dgraph.<time>` folders of a
 * local location whose only files are unfinished writes (temp files never renamed), or none. A
 * new backup's folder is created by the write of its resume journal, the first file it gets; a
 * coordinator killed during that write leaves such a folder, without the journal that would let
 * the next backup recognise it. Nothing in it was ever readable, so the next backup removes it.
 *
 * Object stores have no such folders: a folder there exists only through its objects, the
 * journal's PUT is whole or absent, and a group file is begun only after the journal exists.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { LocalDestination } from '../destinations/local.js';
import { isUnfinishedWrite } from '../destinations/local-temp.js';
import type { Destination } from '../destinations/types.js';
import type { ManifestSet } from '../manifest/read.js';
import { BACKUP_FOLDER_RE } from './names.js';

/** Lists a folder; undefined when it cannot be read (then it is not taken for stray). */
async function entries(dir: string): Promise<Dirent[] | undefined> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
}

/**
 * The stray folders of the location (names relative to it, oldest first): never listed by a
 * manifest, holding no sub-folder and no file but unfinished writes. Only for local locations;
 * others have none. Call it only while holding the backup lease: a backup of this cluster that is
 * writing its journal right now would otherwise look the same.
 */
export async function findStrayFolders(dest: Destination, existing: ManifestSet): Promise<string[]> {
  if (!(dest instanceof LocalDestination)) return [];
  const listed = new Set(existing.manifests.map((m) => m.path));
  const top = (await entries(dest.root)) ?? [];
  const out: string[] = [];
  for (const d of top) {
    if (!d.isDirectory() || !BACKUP_FOLDER_RE.test(d.name) || listed.has(d.name)) continue;
    const inside = await entries(path.join(dest.root, d.name));
    if (inside?.every((e) => e.isFile() && isUnfinishedWrite(e.name))) out.push(d.name);
  }
  return out.sort();
}
