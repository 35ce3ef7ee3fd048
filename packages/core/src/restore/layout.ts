/**
 * Where a restore puts each predicate (issue 18): the chain's predicates, after the selection,
 * onto target groups 1..M. Pure and deterministic.
 *
 * - M equal to the backup's group count N (and every backup group id <= M): each predicate stays
 *   in its backup group.
 * - Otherwise (re-sharding), whole predicates are assigned as Strata's Zero assigns a tablet on
 *   first use: `dgraph.*` to group 1, any other to the group serving the fewest tablets (ties: the
 *   lowest group id). A tablet is a predicate name (all its namespaces), so a name is placed once;
 *   the `dgraph.*` names come first, then the others in code-point order.
 * - `sameGroups` insists on the backup's layout: M != N is refused, as Dgraph refuses it.
 */
import { InvalidArgumentError, SeriesError } from '../errors.js';
import type { BackupManifest, PredicateName } from '../manifest/model.js';

/** The most groups a restore writes (each one is an Alpha's store). */
export const MAX_TARGET_GROUPS = 1000;

export interface LayoutOptions {
  /** M: the group count of the cluster restored into (default: the backup's). */
  targetGroups?: number | undefined;
  /** Refuse M != N instead of re-sharding. */
  sameGroups?: boolean | undefined;
}

export interface TargetGroup {
  group: number;
  /** The (namespace, name) pairs the group restores. */
  predicates: PredicateName[];
}

export interface RestoreLayout {
  /** N: groups of the chain's last backup. */
  sourceGroups: number;
  /** M. */
  targetGroups: number;
  /** Whether predicates move to other groups than the backup's. */
  resharded: boolean;
  /** Groups 1..M (only those of the backup when it is kept), in order. */
  groups: TargetGroup[];
}

function checkTarget(m: number): void {
  if (!Number.isInteger(m) || m < 1 || m > MAX_TARGET_GROUPS) {
    throw new InvalidArgumentError(
      `the group count must be a whole number from 1 to ${MAX_TARGET_GROUPS}, got ${m}`,
    );
  }
}

/**
 * The layout of `kept` (predicates of the chain's last backup, `lastGroups` its groups) on M
 * groups.
 */
export function planLayout(
  lastGroups: ReadonlyMap<number, readonly PredicateName[]>,
  kept: readonly PredicateName[],
  opts: LayoutOptions = {},
): RestoreLayout {
  const n = lastGroups.size;
  const m = opts.targetGroups ?? n;
  checkTarget(m);
  const ids = [...lastGroups.keys()].sort((a, b) => a - b);
  const keepSet = new Set(kept.map((p) => `${p.namespace}/${p.name}`));
  const isKept = (p: PredicateName): boolean => keepSet.has(`${p.namespace}/${p.name}`);
  if (m === n && ids.every((g) => g <= m)) {
    return {
      sourceGroups: n,
      targetGroups: m,
      resharded: false,
      groups: ids.map((g) => ({ group: g, predicates: (lastGroups.get(g) ?? []).filter(isKept) })),
    };
  }
  if (opts.sameGroups) {
    throw new SeriesError(
      `the backup has ${n} group${n === 1 ? '' : 's'} (${ids.join(', ')}) but the cluster has ${m} ` +
        `group${m === 1 ? '' : 's'}, and the same groups were asked for: restore into a cluster with ` +
        `${n} group${n === 1 ? '' : 's'}, or re-shard (leave out the same-groups option)`,
    );
  }
  const byName = new Map<string, PredicateName[]>();
  for (const p of kept) {
    const list = byName.get(p.name);
    if (list) list.push(p);
    else byName.set(p.name, [p]);
  }
  const names = [...byName.keys()];
  const internal = names.filter((x) => x.startsWith('dgraph.')).sort(cmp);
  const user = names.filter((x) => !x.startsWith('dgraph.')).sort(cmp);
  const groups: TargetGroup[] = Array.from({ length: m }, (_, i) => ({ group: i + 1, predicates: [] }));
  const tablets = new Array<number>(m).fill(0);
  const place = (name: string, gi: number): void => {
    groups[gi]!.predicates.push(...byName.get(name)!);
    tablets[gi]!++;
  };
  for (const name of internal) place(name, 0);
  for (const name of user) {
    let best = 0;
    for (let i = 1; i < m; i++) if (tablets[i]! < tablets[best]!) best = i;
    place(name, best);
  }
  return { sourceGroups: n, targetGroups: m, resharded: true, groups };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Zero's tablets after the restore: each restored predicate name on its group (a tablet is a
 * name, in every namespace; the first group listing it wins, which the layout makes the only one
 * unless it keeps a backup that split a name over groups).
 */
export function layoutTablets(layout: RestoreLayout): { predicate: string; group: number }[] {
  const seen = new Map<string, number>();
  for (const g of layout.groups) {
    for (const p of g.predicates) if (!seen.has(p.name)) seen.set(p.name, g.group);
  }
  return [...seen].map(([predicate, group]) => ({ predicate, group }));
}

/**
 * The backup groups whose file of backup `b` target group `t` loads: when the layout keeps the
 * backup's groups, `t`'s own; else every group of `b` that lists one of `t`'s predicates (or
 * lists none: its file is read and filtered). A target group that loads nothing from a backup
 * still needs the types (every group of Dgraph holds them): then `b`'s lowest group.
 */
export function sourceGroupsFor(layout: RestoreLayout, t: TargetGroup, b: BackupManifest): number[] {
  if (!layout.resharded) return b.groups.has(t.group) ? [t.group] : [];
  const want = new Set(t.predicates.map((p) => `${p.namespace}/${p.name}`));
  const ids = [...b.groups.keys()].sort((x, y) => x - y);
  const from = ids.filter((g) => {
    const preds = b.groups.get(g) ?? [];
    return preds.length === 0 || preds.some((p) => want.has(`${p.namespace}/${p.name}`));
  });
  if (from.some((g) => (b.groups.get(g) ?? []).length > 0)) return from;
  return ids.length === 0 ? [] : [from[0] ?? ids[0]!];
}
