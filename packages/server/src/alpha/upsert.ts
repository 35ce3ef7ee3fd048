/**
 * Upsert blocks (parse/upsert.ts): the query runs at the transaction's read ts, each mutation whose
 * `@if` holds is kept, `uid(v)` becomes every node of `v` (a new node, named `uid(v)` in the answer's
 * uids, when `v` has none) and `val(n)` each subject's value of `n`; then one commit, as Dgraph.
 */
import { HttpError } from '../http/errors.js';
import type { Mutation } from '../parse/mutation.js';
import type { Literal, NodeRef, NQuad } from '../parse/nquads.js';
import { parseQuery } from '../parse/query.js';
import type { Upsert, UpsertCond } from '../parse/upsert.js';
import type { ValueType } from '../parse/values.js';
import type { Cluster } from './cluster.js';
import { planBlocks } from './dql/plan.js';
import { runBlocks } from './dql/run.js';
import type { VarStore, VarValue } from './dql/vars.js';
import { mutate, type MutateOptions, type MutateResult } from './mutate.js';

/** At most this many N-Quads from one upsert (uid(v) × uid(w) can multiply). */
const MAX_QUADS = 1_000_000;

function holds(c: UpsertCond, vars: VarStore): boolean {
  switch (c.op) {
    case 'not':
      return !holds(c.arg, vars);
    case 'and':
      return c.args.every((a) => holds(a, vars));
    case 'or':
      return c.args.some((a) => holds(a, vars));
    case 'len': {
      const n = vars.nodes(c.varName).length;
      return { eq: n === c.n, lt: n < c.n, le: n <= c.n, gt: n > c.n, ge: n >= c.n }[c.fn];
    }
  }
}

const VAL_TYPES: Record<VarValue['t'], ValueType> = {
  int: 'int',
  float: 'float',
  bool: 'bool',
  datetime: 'datetime',
  string: 'default',
};

/** The quads of `quads` with variables replaced (see the file's comment). */
function expand(quads: NQuad[], vars: VarStore, out: NQuad[]): void {
  const nodes = (name: string): NodeRef[] => {
    const uids = vars.nodes(name);
    return uids.length
      ? uids.map((u) => ({ kind: 'uid', uid: BigInt(u) }))
      : [{ kind: 'blank', name: `uid(${name})` }];
  };
  for (const q of quads) {
    const subjects = q.subject.kind === 'var' ? nodes(q.subject.name) : [q.subject];
    for (const s of subjects) {
      let objects: NQuad['object'][];
      if (q.object.kind === 'var') objects = nodes(q.object.name);
      else if (q.object.kind === 'val') {
        const v = s.kind === 'uid' ? vars.values.get(q.object.name)?.get(String(s.uid)) : undefined;
        if (v === undefined) continue;
        const lit: Literal = { kind: 'literal', value: String(v.v), valType: VAL_TYPES[v.t] };
        objects = [lit];
      } else objects = [q.object];
      for (const o of objects) {
        if (out.length >= MAX_QUADS)
          throw new HttpError('BAD_REQUEST', `an upsert may write at most ${MAX_QUADS} N-Quads`);
        out.push({ ...q, subject: s, object: o });
      }
    }
  }
}

/** An upsert block in the transaction at `opts.startTs` (its query reads that snapshot). */
export async function upsert(
  cluster: Cluster,
  u: Upsert,
  opts: Omit<MutateOptions, 'queries'>,
): Promise<MutateResult> {
  const q = parseQuery(u.query);
  if (q.schema) throw new HttpError('BAD_REQUEST', 'the query of an upsert block cannot be a schema query');
  // The variables the mutations and conditions use count as used.
  const used = new Set<string>();
  const condVars = (c: UpsertCond): void => {
    if (c.op === 'len') used.add(c.varName);
    else if (c.op === 'not') condVars(c.arg);
    else c.args.forEach(condVars);
  };
  for (const { cond, mutation } of u.mutations) {
    if (cond) condVars(cond);
    for (const x of [...mutation.set, ...mutation.del]) {
      if (x.subject.kind === 'var') used.add(x.subject.name);
      if (x.object.kind === 'var' || x.object.kind === 'val') used.add(x.object.name);
    }
  }
  const order = planBlocks(q.blocks, [...used]);
  const { data, vars } = await runBlocks(cluster, q, opts.startTs, order);
  const m: Mutation = { set: [], del: [] };
  for (const { cond, mutation } of u.mutations) {
    if (cond && !holds(cond, vars)) continue;
    expand(mutation.set, vars, m.set);
    expand(mutation.del, vars, m.del);
  }
  return mutate(cluster, m, { ...opts, queries: data });
}
