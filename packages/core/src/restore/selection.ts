/**
 * A partial restore's selection: which predicates of a series a restore keeps (issue 18).
 *
 * How the parts combine: a predicate (namespace, name) of the series is kept when
 *  - `namespaces` is absent or holds its namespace, and
 *  - `predicates` is absent or holds its name (a name applies in every selected namespace), or the
 *    name starts with `dgraph.` (Dgraph's own predicates: types, ACL users and groups, the GraphQL
 *    schema, which the kept data needs to be served), and
 *  - `exclude` does not hold its name (in any namespace; `dgraph.*` names can be excluded too).
 * Every name and namespace given must be held by the series: a typo is an error, not an empty
 * restore.
 */
import { InvalidArgumentError } from '../errors.js';
import type { PredicateName } from '../manifest/model.js';

export interface RestoreSelection {
  /** Restore only these predicates (bare names, as users type them), plus `dgraph.*`. */
  predicates?: readonly string[] | undefined;
  /** Restore only these namespaces. */
  namespaces?: readonly bigint[] | undefined;
  /** Leave these predicates out (in every namespace). */
  exclude?: readonly string[] | undefined;
}

/** Whether a selection selects anything less than everything. */
export function isPartial(sel: RestoreSelection | undefined): boolean {
  return sel !== undefined && [sel.predicates, sel.namespaces, sel.exclude].some((x) => x !== undefined);
}

const MAX_U64 = (1n << 64n) - 1n;
const MAX_LISTED = 40;

/** A predicate name as a user typed it: not empty, no reverse edge, no spaces or control bytes. */
function checkName(name: string, what: string): string {
  if (name === '') throw new InvalidArgumentError(`${what}: an empty predicate name`);
  if (name.startsWith('~')) {
    throw new InvalidArgumentError(
      `${what}: "${name}" is a reverse edge; name the predicate "${name.slice(1)}"`,
    );
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\s\u0000-\u001f<>"{}|^`\\]/.test(name)) {
    throw new InvalidArgumentError(`${what}: "${name}" holds a character not allowed in a predicate name`);
  }
  return name;
}

/** A comma-separated list of predicate names (`name,age`); empty items are refused. */
export function parsePredicateList(text: string, what = 'predicates'): string[] {
  return [...new Set(text.split(',').map((s) => checkName(s.trim(), what)))];
}

/** A comma-separated list of namespaces: decimal (`0,2`) or hex with `0x` (`0x2`), each < 2^64. */
export function parseNamespaceList(text: string, what = 'namespaces'): bigint[] {
  const out = new Set<bigint>();
  for (const raw of text.split(',')) {
    const s = raw.trim();
    if (!/^(\d{1,20}|0x[0-9a-fA-F]{1,16})$/.test(s)) {
      throw new InvalidArgumentError(
        `${what}: "${s}" is not a namespace (a whole number, decimal or 0x hex, e.g. 0,2)`,
      );
    }
    const n = BigInt(s);
    if (n > MAX_U64) throw new InvalidArgumentError(`${what}: ${s} is beyond 2^64-1`);
    out.add(n);
  }
  return [...out];
}

function listed(names: Iterable<string>): string {
  const all = [...new Set(names)].sort();
  if (all.length === 0) return '(none)';
  const shown = all.slice(0, MAX_LISTED).join(', ');
  return all.length > MAX_LISTED ? `${shown} and ${all.length - MAX_LISTED} more` : shown;
}

/**
 * The predicates of `held` (every predicate the series holds: its last backup's groups) the
 * selection keeps, in `held`'s order. Throws InvalidArgumentError naming what the series holds
 * when a name or namespace given is not in it, or when nothing is left.
 */
export function selectPredicates(held: readonly PredicateName[], sel: RestoreSelection): PredicateName[] {
  for (const n of sel.predicates ?? []) checkName(n, 'predicates');
  for (const n of sel.exclude ?? []) checkName(n, 'exclude');
  if (sel.predicates?.length === 0) throw new InvalidArgumentError('predicates: the list is empty');
  if (sel.namespaces?.length === 0) throw new InvalidArgumentError('namespaces: the list is empty');
  const heldNs = new Set(held.map((p) => p.namespace));
  const unknownNs = (sel.namespaces ?? []).filter((n) => !heldNs.has(n));
  if (unknownNs.length > 0) {
    throw new InvalidArgumentError(
      `namespace${unknownNs.length === 1 ? '' : 's'} ${unknownNs.join(', ')} ` +
        `${unknownNs.length === 1 ? 'is' : 'are'} not in the backup (it holds namespaces ` +
        `${[...heldNs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(', ')})`,
    );
  }
  const nsSet = sel.namespaces === undefined ? undefined : new Set(sel.namespaces);
  const inNs = held.filter((p) => nsSet === undefined || nsSet.has(p.namespace));
  const names = new Set(inNs.map((p) => p.name));
  const where =
    nsSet === undefined
      ? 'the backup'
      : `namespace${nsSet.size === 1 ? '' : 's'} ${[...nsSet].join(', ')} of the backup`;
  for (const [flag, list] of [
    ['predicates', sel.predicates],
    ['exclude', sel.exclude],
  ] as const) {
    const unknown = (list ?? []).filter((n) => !names.has(n));
    if (unknown.length > 0) {
      throw new InvalidArgumentError(
        `${flag}: ${unknown.map((n) => `"${n}"`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in ` +
          `${where}, which holds: ${listed(names)}`,
      );
    }
  }
  const want = sel.predicates === undefined ? undefined : new Set(sel.predicates);
  const drop = new Set(sel.exclude ?? []);
  const kept = inNs.filter(
    (p) => !drop.has(p.name) && (want === undefined || want.has(p.name) || p.name.startsWith('dgraph.')),
  );
  if (kept.length === 0) {
    throw new InvalidArgumentError(
      `the selection keeps no predicate of ${where} (it holds: ${listed(names)})`,
    );
  }
  return kept;
}
