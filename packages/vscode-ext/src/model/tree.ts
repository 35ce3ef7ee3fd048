/**
 * The tree of the "Strata Backups" view as plain TypeScript (no vscode import):
 * location → series → backup → group → predicate.
 *
 * A series carries core's chain check (gaps, no full backup: warning lines above its backups); a
 * backup carries the chain its restore point needs (a `chain` line above its groups) and, after an
 * expire preview of its location, whether the preview keeps or removes it.
 *
 * Children are computed when a node is expanded. A location's manifests are read once (one
 * `readManifests` per location per refresh, cached as a promise, so concurrent expansions share
 * it); series, backups, groups and predicates are cut from that cached set. File sizes of local
 * backups are read when their series is expanded, 16 at a time.
 */
import { stat } from 'node:fs/promises';
import {
  backupFolderTime,
  dataFilePath,
  displayName,
  LocalDestination,
  listSeries,
  openDestination,
  readManifests,
  type BackupManifest,
  type Destination,
  type DestinationOptions,
  type ManifestSet,
} from '@strata/core';
import {
  chainLabel,
  restorePointChain,
  seriesChain,
  type RestorePointChain,
  type SeriesChain,
} from './chain.js';
import { errorText } from './errors.js';
import { backupKey, type ExpirePreview, type ExpireVerdict } from './expire.js';
import { formatBytes, formatSpan, formatTime, plural } from './format.js';
import { locationKind, locationLabel } from './locations.js';

export interface LocationNode {
  kind: 'location';
  id: string;
  location: string;
}

export interface SeriesNode {
  kind: 'series';
  id: string;
  parent: LocationNode;
  location: string;
  backupId: string;
  /** The series' backups ordered by backupNum. */
  backups: BackupManifest[];
  encrypted: boolean;
  /** Core's chain check of the series (problems: a restore refuses it). */
  chain: SeriesChain;
}

export interface BackupNode {
  kind: 'backup';
  id: string;
  parent: SeriesNode;
  location: string;
  manifest: BackupManifest;
  /** Bytes of the backup's data files (local locations), null when unknown. */
  size: number | null;
  /** The chain restoring up to this backup loads, as core's selectChain picks it. */
  chain: RestorePointChain;
  /** What the location's last expire preview does with it (until the next refresh). */
  expire?: ExpireVerdict;
}

/** The chain line of a backup: the backups its restore point needs. */
export interface ChainNode {
  kind: 'chain';
  id: string;
  parent: BackupNode;
  location: string;
  chain: RestorePointChain;
}

export interface GroupNode {
  kind: 'group';
  id: string;
  parent: BackupNode;
  location: string;
  manifest: BackupManifest;
  group: number;
  predicates: string[];
}

export interface PredicateNode {
  kind: 'predicate';
  id: string;
  parent: GroupNode;
  location: string;
  manifest: BackupManifest;
  group: number;
  name: string;
}

/** A line in the tree that is no backup object: an error, a warning, "no backups". */
export interface MessageNode {
  kind: 'message';
  id: string;
  parent?: TreeNode;
  severity: 'error' | 'warning' | 'info';
  text: string;
}

export type TreeNode =
  LocationNode | SeriesNode | BackupNode | ChainNode | GroupNode | PredicateNode | MessageNode;

export type Collapsible = 'none' | 'collapsed' | 'expanded';

/** How a node looks, in VS Code terms but as plain data (codicon ids, theme color ids). */
export interface NodePresentation {
  label: string;
  description: string;
  tooltip: string;
  /** A codicon id (`database`, `lock`, ...). */
  icon: string;
  /** A theme color id for the icon, if any. */
  iconColor?: string;
  contextValue: string;
  collapsible: Collapsible;
}

export interface TreeModelOptions {
  /** The locations of the `strata.locations` setting. */
  locations: () => readonly string[];
  /** Credentials of a remote location (from SecretStorage); undefined: the environment. */
  credentials?: (location: string) => Promise<DestinationOptions | undefined>;
  /** Called with every error shown in the tree (the glue turns it into a notification). */
  onError?: (location: string, err: unknown) => void;
  /** Replaces openDestination (tests). */
  openDestination?: (location: string, options?: DestinationOptions) => Destination;
}

interface Loaded {
  dest: Destination;
  set: ManifestSet;
}

const SIZE_CONCURRENCY = 16;

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export class TreeModel {
  readonly #opts: TreeModelOptions;
  readonly #loaded = new Map<string, Promise<Loaded>>();
  readonly #sizes = new Map<string, Promise<Map<string, number | null>>>();
  readonly #expire = new Map<string, ExpirePreview>();
  /** How many times manifests were read (tests check the cache). */
  manifestReads = 0;

  constructor(opts: TreeModelOptions) {
    this.#opts = opts;
  }

  /** Forgets what was read for one location, or for all. */
  refresh(location?: string): void {
    if (location === undefined) {
      this.#loaded.clear();
      this.#sizes.clear();
      this.#expire.clear();
      return;
    }
    this.#loaded.delete(location);
    this.#expire.delete(location);
    for (const k of [...this.#sizes.keys()]) if (k.startsWith(`${location}\n`)) this.#sizes.delete(k);
  }

  /** Decorates the location's backups with an expire preview (kept until the next refresh). */
  setExpirePreview(location: string, preview: ExpirePreview): void {
    this.#expire.set(location, preview);
  }

  expirePreview(location: string): ExpirePreview | undefined {
    return this.#expire.get(location);
  }

  roots(): LocationNode[] {
    return this.#opts.locations().map((location) => ({ kind: 'location', id: `loc:${location}`, location }));
  }

  /** Opens the location's destination with its credentials (a new one each call). */
  async destination(location: string): Promise<Destination> {
    const creds = await this.#opts.credentials?.(location);
    const open = this.#opts.openDestination ?? openDestination;
    return open(location, creds);
  }

  /** The location's destination and manifests, read once until the next refresh. */
  load(location: string): Promise<Loaded> {
    let p = this.#loaded.get(location);
    if (!p) {
      p = (async () => {
        const dest = await this.destination(location);
        this.manifestReads++;
        const set = await readManifests(dest);
        return { dest, set };
      })();
      this.#loaded.set(location, p);
    }
    return p;
  }

  async children(node?: TreeNode): Promise<TreeNode[]> {
    if (node === undefined) return this.roots();
    switch (node.kind) {
      case 'location':
        return this.#seriesOf(node);
      case 'series':
        return this.#backupsOf(node);
      case 'backup': {
        const chain: ChainNode = {
          kind: 'chain',
          id: `${node.id}/chain`,
          parent: node,
          location: node.location,
          chain: node.chain,
        };
        const groups: GroupNode[] = [...node.manifest.groups].map(([group, preds]) => ({
          kind: 'group',
          id: `${node.id}/g${group}`,
          parent: node,
          location: node.location,
          manifest: node.manifest,
          group,
          predicates: preds.map(displayName),
        }));
        return [chain, ...groups];
      }
      case 'group':
        return node.predicates.map((name) => ({
          kind: 'predicate',
          id: `${node.id}/${name}`,
          parent: node,
          location: node.location,
          manifest: node.manifest,
          group: node.group,
          name,
        }));
      default:
        return [];
    }
  }

  async #seriesOf(node: LocationNode): Promise<TreeNode[]> {
    let loaded: Loaded;
    try {
      loaded = await this.load(node.location);
    } catch (err) {
      this.#opts.onError?.(node.location, err);
      return [
        { kind: 'message', id: `${node.id}/error`, parent: node, severity: 'error', text: errorText(err) },
      ];
    }
    const out: TreeNode[] = loaded.set.warnings.map((text, i) => ({
      kind: 'message',
      id: `${node.id}/warning${i}`,
      parent: node,
      severity: 'warning',
      text,
    }));
    const series = listSeries(loaded.set.manifests);
    if (series.length === 0) {
      out.push({
        kind: 'message',
        id: `${node.id}/empty`,
        parent: node,
        severity: 'info',
        text: 'no backups at this location',
      });
    }
    // Newest series first: that is the one a restore picks by default.
    for (const s of [...series].reverse()) {
      out.push({
        kind: 'series',
        id: `${node.id}/s:${s.backupId}`,
        parent: node,
        location: node.location,
        backupId: s.backupId,
        backups: [...s.backups].sort((a, b) => a.backupNum - b.backupNum),
        encrypted: s.encrypted,
        chain: seriesChain(loaded.set.manifests, s.backupId),
      });
    }
    return out;
  }

  async #backupsOf(node: SeriesNode): Promise<TreeNode[]> {
    const sizes = await this.#seriesSizes(node);
    const preview = this.#expire.get(node.location);
    // The series' chain problems first: a restore of this series refuses them.
    const out: TreeNode[] = [
      ...node.chain.problems.map((text, i): MessageNode => ({
        kind: 'message',
        id: `${node.id}/chain-problem${i}`,
        parent: node,
        severity: 'warning',
        text,
      })),
      ...node.chain.warnings.map((text, i): MessageNode => ({
        kind: 'message',
        id: `${node.id}/chain-warning${i}`,
        parent: node,
        severity: 'info',
        text,
      })),
    ];
    for (const m of node.backups) {
      const verdict = preview?.verdicts.get(backupKey(m));
      out.push({
        kind: 'backup',
        id: `${node.id}/b:${m.backupNum}:${m.path}`,
        parent: node,
        location: node.location,
        manifest: m,
        size: sizes.get(m.path) ?? null,
        chain: restorePointChain(node.chain, m),
        ...(verdict && { expire: verdict }),
      });
    }
    return out;
  }

  /** Sizes of the series' data files, local locations only (object stores: unknown). */
  #seriesSizes(node: SeriesNode): Promise<Map<string, number | null>> {
    const key = `${node.location}\n${node.backupId}`;
    let p = this.#sizes.get(key);
    if (!p) {
      p = (async () => {
        const sizes = new Map<string, number | null>();
        const { dest } = await this.load(node.location);
        if (!(dest instanceof LocalDestination)) return sizes;
        const results = await mapLimit(node.backups, SIZE_CONCURRENCY, async (m) => {
          let total = 0;
          for (const [g] of m.groups) {
            try {
              total += (await stat(dest.resolve(dataFilePath(m, g)))).size;
            } catch {
              return null; // a missing file: verify reports it
            }
          }
          return total;
        });
        node.backups.forEach((m, i) => sizes.set(m.path, results[i] ?? null));
        return sizes;
      })();
      this.#sizes.set(key, p);
    }
    return p;
  }

  /** Finds a backup node by series and number (for commands run with ids rather than nodes). */
  async findBackup(location: string, backupId: string, backupNum: number): Promise<BackupNode | undefined> {
    const loc = this.roots().find((r) => r.location === location) ?? {
      kind: 'location' as const,
      id: `loc:${location}`,
      location,
    };
    const series = (await this.children(loc)).find(
      (n): n is SeriesNode => n.kind === 'series' && n.backupId === backupId,
    );
    if (!series) return undefined;
    return (await this.children(series)).find(
      (n): n is BackupNode => n.kind === 'backup' && n.manifest.backupNum === backupNum,
    );
  }
}

function backupTimes(backups: readonly BackupManifest[]): { first: string | null; last: string | null } {
  const times = backups
    .map((b) => backupFolderTime(b.path))
    .filter((t): t is string => t !== null)
    .sort();
  return { first: times[0] ?? null, last: times[times.length - 1] ?? null };
}

/** What a node looks like: icons make full vs incremental and encrypted vs plain obvious. */
export function present(node: TreeNode): NodePresentation {
  switch (node.kind) {
    case 'location': {
      const kind = locationKind(node.location);
      return {
        label: locationLabel(node.location),
        description: kind === 'local' ? node.location : kind,
        tooltip: `${node.location}\n${kind === 'local' ? 'local folder' : `${kind} bucket (credentials: environment or Set Credentials)`}`,
        icon: kind === 'local' ? 'folder-library' : 'cloud',
        contextValue: 'location',
        collapsible: 'collapsed',
      };
    }
    case 'series': {
      const n = node.backups.length;
      const full = node.backups.filter((b) => b.type === 'full').length;
      const { first, last } = backupTimes(node.backups);
      const span = formatSpan(first, last);
      const enc = node.encrypted ? '🔒 encrypted' : 'plain';
      const broken = node.chain.problems.length > 0;
      return {
        label: node.backupId,
        description: `${plural(n, 'backup')} · ${enc} · ${span}${broken ? ' · ⚠ chain broken' : ''}`,
        tooltip:
          `series ${node.backupId}\n${plural(n, 'backup')} (${full} full, ${n - full} incremental)\n` +
          `${node.encrypted ? 'encrypted (AES): verify and restore need the key' : 'not encrypted'}\n${span}` +
          (broken
            ? `\nchain broken (a restore refuses it):\n${node.chain.problems.map((p) => `  ${p}`).join('\n')}`
            : '\nchain complete') +
          node.chain.warnings.map((w) => `\n${w}`).join(''),
        icon: node.encrypted ? 'lock' : 'history',
        ...(node.encrypted && { iconColor: 'charts.yellow' }),
        contextValue: 'series',
        collapsible: 'collapsed',
      };
    }
    case 'backup': {
      const m = node.manifest;
      const time = backupFolderTime(m.path);
      const parts = [
        m.type === 'full' ? `readTs ${m.readTs}` : `since ${m.since} → readTs ${m.readTs}`,
        formatTime(time),
      ];
      if (node.size !== null) parts.push(formatBytes(node.size));
      if (m.encrypted) parts.push('🔒');
      if (node.chain.problems.length > 0) parts.push('⚠ chain broken');
      const removed = node.expire?.action === 'remove';
      if (node.expire) parts.unshift(removed ? 'expire: would be removed' : 'expire: kept');
      return {
        label: `#${m.backupNum} ${m.type}`,
        description: parts.join(' · '),
        tooltip: [
          `backup ${m.backupId} #${m.backupNum}: ${m.type}${m.encrypted ? ', encrypted' : ', plain'}`,
          chainTooltip(node.chain),
          ...(node.expire
            ? [`expire preview: ${removed ? 'would be removed' : 'kept'} (${node.expire.reasons.join('; ')})`]
            : []),
          `folder: ${m.path || '(location root)'}`,
          `since ${m.since}, readTs ${m.readTs}`,
          `time: ${formatTime(time)} UTC`,
          `size: ${node.size === null ? 'unknown' : formatBytes(node.size)}`,
          `${plural(m.groups.size, 'group')}, compression ${m.compression}, manifest version ${m.version}`,
          ...(m.dropOperations.length > 0
            ? [
                `drops: ${m.dropOperations.map((d) => (d.op === 'ATTR' ? `ATTR ${d.attr}` : d.op)).join(', ')}`,
              ]
            : []),
        ].join('\n'),
        icon: removed ? 'trash' : m.type === 'full' ? 'database' : 'diff-added',
        iconColor: removed ? 'charts.red' : m.type === 'full' ? 'charts.blue' : 'charts.green',
        contextValue: 'backup',
        collapsible: 'collapsed',
      };
    }
    case 'chain': {
      const c = node.chain;
      const ok = c.problems.length === 0;
      return {
        label: `chain: ${chainLabel(c.backups)}`,
        description: ok ? `restores ${plural(c.backups.length, 'backup')}` : `⚠ ${c.problems[0]}`,
        tooltip: chainTooltip(c),
        icon: ok ? 'link' : 'warning',
        ...(!ok && { iconColor: 'problemsWarningIcon.foreground' }),
        contextValue: 'chain',
        collapsible: 'none',
      };
    }
    case 'group':
      return {
        label: `group ${node.group}`,
        description: plural(node.predicates.length, 'predicate'),
        tooltip: `group ${node.group} of backup #${node.manifest.backupNum}: ${plural(node.predicates.length, 'predicate')}`,
        icon: 'symbol-namespace',
        contextValue: 'group',
        collapsible: node.predicates.length > 0 ? 'collapsed' : 'none',
      };
    case 'predicate':
      return {
        label: node.name,
        description: '',
        tooltip: `${node.name} (group ${node.group})`,
        icon: node.name.startsWith('dgraph.') ? 'symbol-constant' : 'symbol-field',
        contextValue: 'predicate',
        collapsible: 'none',
      };
    case 'message':
      return {
        label: node.text,
        description: '',
        tooltip: node.text,
        icon: node.severity === 'error' ? 'error' : node.severity === 'warning' ? 'warning' : 'info',
        ...(node.severity === 'error' && { iconColor: 'errorForeground' }),
        ...(node.severity === 'warning' && { iconColor: 'problemsWarningIcon.foreground' }),
        contextValue: `message-${node.severity}`,
        collapsible: 'none',
      };
  }
}

/** The chain of a restore point, one line per backup, or why a restore refuses it. */
function chainTooltip(c: RestorePointChain): string {
  const head =
    c.problems.length === 0
      ? `chain: restoring up to here loads ${plural(c.backups.length, 'backup')}: ${chainLabel(c.backups)}`
      : `chain broken, a restore up to here is refused: ${c.problems.join('; ')}`;
  const lines = c.backups.map(
    (b) => `  #${b.backupNum} ${b.type}, readTs ${b.readTs} (${b.path || '(location root)'})`,
  );
  return [head, ...lines].join('\n');
}

/** The parent of a node (for TreeView.reveal). */
export function parentOf(node: TreeNode): TreeNode | undefined {
  return node.kind === 'location' ? undefined : node.parent;
}
