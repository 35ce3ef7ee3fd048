/**
 * Query variables while a query runs: uid variables (`f as friend`, `me as var(func: ...)`: sets
 * of nodes) and value variables (`a as age`, `c as count(friend)`, `m as math(...)`, `w as
 * weight` of a facet: a value per node), with the value forms DQL computes with.
 */
import { VALUE_TYPE_BY_ID, jsonValue } from '../decode.js';
import type { WireFactValue } from '../wire.js';

/** A value as variables, math and aggregates see it. */
export type VarValue =
  | { t: 'int'; v: number }
  | { t: 'float'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'string'; v: string }
  | { t: 'datetime'; v: string; ms: number };

/** A stored value (schema-typed bytes) as a VarValue; undefined for types variables do not hold. */
export function varValueOf(value: WireFactValue): VarValue | undefined {
  const json = jsonValue(Buffer.from(value.value, 'base64'), value.valType);
  return varValueOfJson(json, VALUE_TYPE_BY_ID[value.valType]);
}

/** A JSON value of a known schema type as a VarValue. */
export function varValueOfJson(json: unknown, type: string | undefined): VarValue | undefined {
  switch (type) {
    case 'int':
      return typeof json === 'number' ? { t: 'int', v: json } : undefined;
    case 'float':
      return typeof json === 'number' ? { t: 'float', v: json } : undefined;
    case 'bool':
      return typeof json === 'boolean' ? { t: 'bool', v: json } : undefined;
    case 'datetime':
      return typeof json === 'string' ? { t: 'datetime', v: json, ms: Date.parse(json) } : undefined;
    case 'string':
    case 'default':
    case 'password':
      return typeof json === 'string' ? { t: 'string', v: json } : undefined;
    default:
      return undefined;
  }
}

/** A VarValue as Dgraph writes it in JSON. */
export function varJson(v: VarValue): unknown {
  return v.v;
}

/** The order of two values of one variable (numbers, instants, strings, false before true). */
export function compareVarValues(a: VarValue, b: VarValue): number {
  const key = (x: VarValue): number | string => {
    switch (x.t) {
      case 'datetime':
        return x.ms;
      case 'bool':
        return x.v ? 1 : 0;
      default:
        return x.v;
    }
  };
  const x = key(a);
  const y = key(b);
  if (typeof x === 'string' || typeof y === 'string') {
    const [s, t] = [Buffer.from(String(x)), Buffer.from(String(y))];
    return Buffer.compare(s, t);
  }
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The variables of one query run. */
export class VarStore {
  readonly uids = new Map<string, Set<string>>();
  readonly values = new Map<string, Map<string, VarValue>>();
  /** Uid variables whose order counts (a shortest path's nodes, from start to end). */
  readonly paths = new Map<string, string[]>();

  /** Sets a path variable: its nodes in path order. */
  setPath(name: string, nodes: string[]): void {
    this.paths.set(name, nodes);
    this.addUids(name, nodes);
  }

  /** Adds `uids` to uid variable `name`. */
  addUids(name: string, uids: Iterable<string>): void {
    let s = this.uids.get(name);
    if (!s) this.uids.set(name, (s = new Set()));
    for (const u of uids) s.add(u);
  }

  setValue(name: string, uid: string, v: VarValue): void {
    let m = this.values.get(name);
    if (!m) this.values.set(name, (m = new Map()));
    m.set(uid, v);
  }

  /** A value variable's map (empty when never set). */
  valueMap(name: string): Map<string, VarValue> {
    let m = this.values.get(name);
    if (!m) this.values.set(name, (m = new Map()));
    return m;
  }

  /** The nodes of a variable: a uid variable's, or those a value variable has values for. */
  nodes(name: string): string[] {
    const u = this.uids.get(name);
    if (u) return [...u];
    return [...(this.values.get(name)?.keys() ?? [])];
  }
}
