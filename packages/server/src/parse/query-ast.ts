/** What a parsed DQL query is: blocks, their functions, selections and directives. */
import type { GeoFunc } from './query-geo.js';
import type { MathExpr } from './query-math.js';
import type { PatternFunc } from './query-pattern.js';

export type EqValue = string | bigint | number | boolean;

/** The word-matching functions: term index (`...ofterms`) or fulltext index (`...oftext`). */
export const TEXT_FUNCS = ['anyofterms', 'allofterms', 'anyoftext', 'alloftext'] as const;
export type TextFuncName = (typeof TEXT_FUNCS)[number];

/** The comparisons: `eq` (any of its values), `between` (two values), the others one. */
export const COMPARE_FUNCS = ['eq', 'le', 'lt', 'ge', 'gt', 'between'] as const;
export type CompareFuncName = (typeof COMPARE_FUNCS)[number];

export type RootFunc =
  /** `uid(0x1, f, ...)`: literal uids and the uids of variables. */
  | { name: 'uid'; uids: bigint[]; vars: string[] }
  /** `has(pred)`, `has(~pred)` (subjects of reverse edges: the edges' objects), `has(pred@lang)`. */
  | { name: 'has'; predicate: string; reverse?: boolean; lang?: string }
  /** `uid_in(pred, uid or [uids] or uid(var))`: filters only, as Dgraph. */
  | { name: 'uid_in'; predicate: string; uids: bigint[]; vars: string[] }
  /**
   * A comparison of `predicate` (in language `lang` when given), or of the node's value of a
   * value variable (`ofVar`: `ge(val(c), 3)`); `values` may name variables (`eq(age, val(a))`):
   * then `valueVars` holds them. `count`: compares the number of edges (`~` edges if reverse).
   */
  | {
      name: CompareFuncName;
      predicate: string;
      values: EqValue[];
      lang?: string;
      valueVars?: string[];
      ofVar?: string;
      count?: { reverse: boolean };
    }
  /** `lang`: the predicate's `@lang` in the call ("." for any), absent when none. */
  | { name: TextFuncName; predicate: string; lang?: string; text: string }
  | GeoFunc
  | PatternFunc;

/** A `@filter(...)` expression. */
export type Filter =
  { op: 'func'; func: RootFunc } | { op: 'and' | 'or'; args: Filter[] } | { op: 'not'; arg: Filter };

/** One `orderasc: pred[@lang]` / `orderdesc: val(x)` argument. */
export interface OrderKey {
  predicate: string;
  desc: boolean;
  lang?: string;
  /** `val(x)`: the value variable's value of each node (then `predicate` is `val(x)`). */
  valueVar?: string;
}

export interface Pagination {
  /** Sort keys, in the order written; applied before first/offset. */
  order?: OrderKey[];
  first?: number;
  offset?: number;
  /** Only nodes with a larger uid. */
  after?: bigint;
}

/** A facet filter: `@facets(eq(close, true) and ...)`. */
export type FacetFilter =
  | { op: 'func'; name: CompareFuncName | 'has'; key: string; values: EqValue[] }
  | { op: 'and' | 'or'; args: FacetFilter[] }
  | { op: 'not'; arg: FacetFilter };

/** `@facets`, `@facets(k, alias: k2, v as k3)`, `@facets(filter)`, `@facets(orderasc: k)`. */
export interface FacetsSpec {
  /** Keys to show (every key when absent), each with an alias or a variable. */
  keys?: { key: string; alias?: string; varName?: string }[];
  filter?: FacetFilter;
  order?: { key: string; desc: boolean };
}

/** `@cascade` (every field) or `@cascade(f1, f2)`. */
export type Cascade = true | string[];

/** Directives of a block or of a uid edge. */
export interface Directives {
  filter?: Filter;
  facets?: FacetsSpec[];
  cascade?: Cascade;
  normalize?: boolean;
  groupby?: { predicate: string; reverse: boolean }[];
  recurse?: { depth?: number; loop: boolean };
  ignoreReflex?: boolean;
}

export const AGGREGATES = ['min', 'max', 'sum', 'avg'] as const;
export type AggregateName = (typeof AGGREGATES)[number];

/** A language list of a value: `name@en:fr:.` → ['en', 'fr', '.'], `name@*` → ['*']. */
export type Langs = string[];

export type Selection =
  | { kind: 'uid'; alias?: string; varName?: string }
  /** `expand(_all_)`, `expand(Type)`, or `expand(val(x))` (`arg` 'val': the predicates named by x's values). */
  | { kind: 'expand'; arg: string; valueVar?: string; children?: Selection[] }
  | { kind: 'count'; predicate: string; reverse: boolean; alias?: string; varName?: string; filter?: Filter }
  /** `checkpwd(pred, "password")`: whether the node's password matches. */
  | { kind: 'checkpwd'; predicate: string; password: string; alias?: string }
  /** `val(x)`. */
  | { kind: 'val'; varName: string; alias?: string; defines?: string }
  /** `math(expr)`. */
  | { kind: 'math'; expr: MathExpr; text: string; alias?: string; varName?: string }
  /** `min(val(x))` (`varName` set) or `min(pred)` (in @groupby). */
  | {
      kind: 'aggregate';
      fn: AggregateName;
      of: { varName: string } | { predicate: string };
      alias?: string;
      defines?: string;
    }
  | ({
      kind: 'predicate';
      predicate: string;
      reverse: boolean;
      alias?: string;
      /** `x as pred`: the edges' targets (uid edges) or the values (scalars). */
      varName?: string;
      langs?: Langs;
      /** Nested block; absent for a scalar. */
      children?: Selection[];
    } & Directives &
      Pagination);

/** `shortest(from: a, to: b, numpaths: n, depth: d, minweight: w, maxweight: w)`. */
export interface ShortestSpec {
  from: { uid?: bigint; varName?: string };
  to: { uid?: bigint; varName?: string };
  numpaths: number;
  depth?: number;
  minweight?: number;
  maxweight?: number;
}

export interface QueryBlock extends Pagination, Directives {
  name: string;
  /** The root function; absent for a block of aggregates only (`q() { min(val(a)) }`). */
  func?: RootFunc;
  /** `x as var(func: ...)` / `x as q(func: ...)`: the block's nodes as a uid variable. */
  varName?: string;
  shortest?: ShortestSpec;
  children: Selection[];
  line: number;
  column: number;
}

/** The fields a schema query may ask for (Dgraph's names); none asked: all. */
export const SCHEMA_FIELDS = [
  'type',
  'index',
  'tokenizer',
  'reverse',
  'count',
  'list',
  'upsert',
  'lang',
  'unique',
  'no_conflict',
] as const;
export type SchemaField = (typeof SCHEMA_FIELDS)[number];

export interface SchemaQuery {
  /** `pred:`: only these predicates (and no types). */
  predicates?: string[];
  /** `type:`: only these types (and no predicates). */
  types?: string[];
  fields: SchemaField[];
}

export interface Query {
  name?: string;
  blocks: QueryBlock[];
  /** A schema query (then `blocks` is empty). */
  schema?: SchemaQuery;
}
