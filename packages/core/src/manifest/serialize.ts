/**
 * Writes the model back as Dgraph's manifest JSON: v20.11 per-folder, or a master manifest of
 * version 2103 (v21.03) or 2105 (v24, v25; v25 also keeps `manifest_summary.json`).
 */
import { InvalidArgumentError } from '../errors.js';
import type { BackupManifest, DropOperation, ManifestVersion } from './model.js';
import { formatName, formatNamespace, NameFormatError } from './names.js';

/**
 * What a backup imitates. `v20.11`: one per-folder manifest (no namespaces, gzip). `v21.03`: the
 * master `{"Manifests":[...]}`, version 2103 (8-byte namespace prefixes), snappy framing. `v24`:
 * version 2105 (`<hexns>-<name>`), snappy framing (read by Dgraph v24 and v25). `v25`: as v24 with
 * S2 framing and `manifest_summary.json` (read by Dgraph v25 only).
 */
export type ManifestLayout = 'v20.11' | 'v21.03' | 'v24' | 'v25';

export const MANIFEST_LAYOUTS: readonly ManifestLayout[] = ['v20.11', 'v21.03', 'v24', 'v25'];

/** The manifest version a layout writes. */
export function layoutVersion(layout: ManifestLayout): ManifestVersion {
  return layout === 'v20.11' ? 0 : layout === 'v21.03' ? 2103 : 2105;
}

const DROP_OP_NUMBER = { ALL: 0, DATA: 1, ATTR: 2, NS: 3 } as const;

function fail(m: BackupManifest, layout: string, why: string): never {
  throw new InvalidArgumentError(
    `cannot write backup ${m.backupId} #${m.backupNum} as a ${layout} manifest: ${why}`,
  );
}

function dropJson(d: DropOperation, version: ManifestVersion, m: BackupManifest, layout: string) {
  // Go's encoding/json with omitempty: a zero drop_op (ALL) and an empty value are left out.
  let value = '';
  switch (d.op) {
    case 'ALL':
      break;
    case 'DATA':
      if (version === 2105) value = formatNamespace(d.namespace ?? 0n);
      else if (d.namespace !== undefined)
        fail(m, layout, 'a DROP_DATA of one namespace needs a version 2105 manifest (v24, v25)');
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

/** The fields of an entry that `manifest_summary.json` keeps (Dgraph v25's ManifestBase). */
function summaryEntry(m: BackupManifest): Record<string, unknown> {
  return {
    type: m.type,
    since: Number(m.since),
    read_ts: Number(m.readTs),
    backup_id: m.backupId,
    backup_num: m.backupNum,
    version: 2105,
    path: m.path,
    encrypted: m.encrypted,
    // v25 writes S2 framing under this label too
    compression: m.compression === 'gzip' ? 'gzip' : 'snappy',
  };
}

/**
 * `manifest_summary.json` for the master manifest text `master` (Dgraph v25: a listing cache of the
 * entries without `groups` and `drop_operations`; restore reads `manifest.json`). Entries keep
 * the fields they have, whoever wrote them.
 */
export function summarizeMaster(master: string): string {
  const raw = JSON.parse(master) as { Manifests?: unknown[] | null };
  const entries = (Array.isArray(raw.Manifests) ? raw.Manifests : []).map((e) => {
    if (e === null || typeof e !== 'object') return e;
    const keep: Record<string, unknown> = {};
    for (const k of [
      'type',
      'since',
      'read_ts',
      'backup_id',
      'backup_num',
      'version',
      'path',
      'encrypted',
      'compression',
    ]) {
      if (k in e) keep[k] = (e as Record<string, unknown>)[k];
    }
    return keep;
  });
  return JSON.stringify({ Manifests: entries });
}

/**
 * One manifest entry as a plain JSON object with Dgraph's field names, in Dgraph's field order.
 * Strata's own fields (`checksums`, `strata_version`, `key_fingerprint`, `store_key_order`) are added only when the
 * model has them, i.e. only for manifests Strata wrote.
 */
export function manifestEntryToJson(m: BackupManifest, layout: ManifestLayout): Record<string, unknown> {
  return entryJson(m, layoutVersion(layout), layout === 'v20.11', layout);
}

/**
 * An entry of a master manifest in its own version: an entry read from a per-folder manifest
 * (version 0) stays version 0 with bare names when the location's per-folder manifests are
 * consolidated into a master, as Dgraph v21.03 does (spec §3.2), so that readers handle its files
 * as the release that wrote them.
 */
export function masterEntryToJson(m: BackupManifest): Record<string, unknown> {
  return entryJson(m, m.version, false, `version ${m.version} master`);
}

function entryJson(
  m: BackupManifest,
  version: ManifestVersion,
  perFolder: boolean,
  layout: string,
): Record<string, unknown> {
  if (perFolder && m.compression !== 'gzip') fail(m, layout, 'v20.11 backups are gzip-compressed');
  try {
    const groups: Record<string, string[]> = {};
    for (const [g, preds] of m.groups) groups[String(g)] = preds.map((p) => formatName(p, version));
    const drops = m.dropOperations.map((d) => dropJson(d, version, m, layout));
    const out: Record<string, unknown> = perFolder
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
      : version !== 2105
        ? {
            type: m.type,
            since: Number(m.since),
            read_ts: Number(m.readTs),
            groups,
            backup_id: m.backupId,
            backup_num: m.backupNum,
            version,
            path: m.path,
            encrypted: m.encrypted,
            drop_operations: drops.length === 0 ? null : drops,
            compression: m.compression === 'snappy' ? 'snappy' : '',
          }
        : {
            // 2105: Dgraph's ManifestBase fields first, then groups and drops.
            ...summaryEntry(m),
            groups,
            drop_operations: drops.length === 0 ? null : drops,
          };
    if (m.checksums !== undefined) out.checksums = m.checksums;
    if (m.strataVersion !== undefined) out.strata_version = m.strataVersion;
    if (m.keyFingerprint !== undefined) out.key_fingerprint = m.keyFingerprint;
    if (m.storeKeyOrder !== undefined) out.store_key_order = m.storeKeyOrder;
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
