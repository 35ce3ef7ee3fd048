/** Writes the model back as Dgraph's manifest JSON (v20.11 per-folder, or a v21.03 master manifest). */
import { InvalidArgumentError } from '../errors.js';
import type { BackupManifest, DropOperation, ManifestVersion } from './model.js';
import { formatName, formatNamespace, NameFormatError } from './names.js';

/** `v20.11`: one per-folder manifest (no namespaces, gzip); `v21.03`: the master `{"Manifests":[...]}`. */
export type ManifestLayout = 'v20.11' | 'v21.03';

const DROP_OP_NUMBER = { ALL: 0, DATA: 1, ATTR: 2, NS: 3 } as const;

function fail(m: BackupManifest, layout: ManifestLayout, why: string): never {
  throw new InvalidArgumentError(
    `cannot write backup ${m.backupId} #${m.backupNum} as a ${layout} manifest: ${why}`,
  );
}

function dropJson(d: DropOperation, version: ManifestVersion, m: BackupManifest, layout: ManifestLayout) {
  // Go's encoding/json with omitempty: a zero drop_op (ALL) and an empty value are left out.
  let value = '';
  switch (d.op) {
    case 'ALL':
      break;
    case 'DATA':
      if (d.namespace !== undefined)
        fail(m, layout, 'a DROP_DATA of one namespace needs a version 2105 manifest');
      break;
    case 'ATTR':
      value = formatName({ namespace: d.namespace, name: d.attr }, version);
      break;
    case 'NS':
      if (version === 0) fail(m, layout, 'DROP_NS needs namespaces (v21.03+)');
      value = formatNamespace(d.namespace);
      break;
  }
  const out: { drop_op?: number; drop_value?: string } = {};
  if (DROP_OP_NUMBER[d.op] !== 0) out.drop_op = DROP_OP_NUMBER[d.op];
  if (value !== '') out.drop_value = value;
  return out;
}

/**
 * One manifest entry as a plain JSON object with Dgraph's field names, in Dgraph's field order.
 * Strata's own fields (`checksums`, `strata_version`, `key_fingerprint`) are added only when the
 * model has them, i.e. only for manifests Strata wrote.
 */
export function manifestEntryToJson(m: BackupManifest, layout: ManifestLayout): Record<string, unknown> {
  const version: ManifestVersion = layout === 'v20.11' ? 0 : 2103;
  if (layout === 'v20.11' && m.compression !== 'gzip') fail(m, layout, 'v20.11 backups are gzip-compressed');
  try {
    const groups: Record<string, string[]> = {};
    for (const [g, preds] of m.groups) groups[String(g)] = preds.map((p) => formatName(p, version));
    const drops = m.dropOperations.map((d) => dropJson(d, version, m, layout));
    const out: Record<string, unknown> =
      layout === 'v20.11'
        ? {
            type: m.type,
            // v20.x: `since` holds the backup's own read timestamp.
            since: Number(m.readTs),
            groups,
            backup_id: m.backupId,
            backup_num: m.backupNum,
            encrypted: m.encrypted,
            drop_operations: drops.length === 0 ? null : drops,
          }
        : {
            type: m.type,
            since: Number(m.since),
            read_ts: Number(m.readTs),
            groups,
            backup_id: m.backupId,
            backup_num: m.backupNum,
            version: 2103,
            path: m.path,
            encrypted: m.encrypted,
            drop_operations: drops.length === 0 ? null : drops,
            compression: m.compression === 'snappy' ? 'snappy' : '',
          };
    if (m.checksums !== undefined) out.checksums = m.checksums;
    if (m.strataVersion !== undefined) out.strata_version = m.strataVersion;
    if (m.keyFingerprint !== undefined) out.key_fingerprint = m.keyFingerprint;
    return out;
  } catch (err) {
    if (err instanceof NameFormatError) fail(m, layout, err.message);
    throw err;
  }
}

/**
 * The manifest file's text. `v20.11`: the per-folder `manifest.json` of one backup (one line, as
 * Dgraph writes it). `v21.03`: the master manifest `{"Manifests":[...]}` of all given backups, in
 * the order given.
 */
export function serializeManifest(
  model: BackupManifest | readonly BackupManifest[],
  layout: ManifestLayout,
): string {
  const list: readonly BackupManifest[] = Array.isArray(model) ? model : [model as BackupManifest];
  if (layout === 'v20.11') {
    if (list.length !== 1) {
      throw new InvalidArgumentError(`a v20.11 manifest holds exactly one backup, got ${list.length}`);
    }
    return JSON.stringify(manifestEntryToJson(list[0]!, layout));
  }
  return JSON.stringify({ Manifests: list.map((m) => manifestEntryToJson(m, layout)) });
}
