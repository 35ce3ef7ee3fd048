/**
 * Which variables each block defines and uses, the checks Dgraph makes on them (each defined
 * once, each used, none used undefined), and the order blocks run in: a block after every block
 * defining a variable it uses.
 */
import { HttpError } from '../../http/errors.js';
import { mathVars } from '../../parse/query-math.js';
import type { Filter, QueryBlock, RootFunc, Selection } from '../../parse/query.js';

interface Vars {
  defines: string[];
  uses: string[];
}

function funcUses(f: RootFunc, out: string[]): void {
  if (f.name === 'uid' || f.name === 'uid_in') out.push(...f.vars);
  if ('valueVars' in f && f.valueVars) out.push(...f.valueVars);
  if ('ofVar' in f && f.ofVar) out.push(f.ofVar);
}

function filterUses(f: Filter | undefined, out: string[]): void {
  if (!f) return;
  if (f.op === 'func') funcUses(f.func, out);
  else if (f.op === 'not') filterUses(f.arg, out);
  else for (const a of f.args) filterUses(a, out);
}

function selectionVars(sels: readonly Selection[], v: Vars): void {
  for (const s of sels) {
    switch (s.kind) {
      case 'uid':
      case 'count':
        if (s.varName) v.defines.push(s.varName);
        if (s.kind === 'count') filterUses(s.filter, v.uses);
        break;
      case 'val':
        v.uses.push(s.varName);
        if (s.defines) v.defines.push(s.defines);
        break;
      case 'math':
        v.uses.push(...mathVars(s.expr));
        if (s.varName) v.defines.push(s.varName);
        break;
      case 'aggregate':
        if ('varName' in s.of) v.uses.push(s.of.varName);
        if (s.defines) v.defines.push(s.defines);
        break;
      case 'expand':
        if (s.valueVar) v.uses.push(s.valueVar);
        if (s.children) selectionVars(s.children, v);
        break;
      case 'predicate':
        if (s.varName) v.defines.push(s.varName);
        filterUses(s.filter, v.uses);
        for (const o of s.order ?? []) if (o.valueVar) v.uses.push(o.valueVar);
        for (const f of s.facets ?? [])
          for (const k of f.keys ?? []) if (k.varName) v.defines.push(k.varName);
        if (s.children) selectionVars(s.children, v);
        break;
      case 'checkpwd':
        break;
    }
  }
}

export function blockVars(b: QueryBlock): Vars {
  const v: Vars = { defines: [], uses: [] };
  if (b.varName) v.defines.push(b.varName);
  if (b.func) funcUses(b.func, v.uses);
  filterUses(b.filter, v.uses);
  for (const o of b.order ?? []) if (o.valueVar) v.uses.push(o.valueVar);
  if (b.shortest) {
    for (const end of [b.shortest.from, b.shortest.to]) if (end.varName) v.uses.push(end.varName);
  }
  selectionVars(b.children, v);
  return v;
}

const goList = (xs: string[]) => `[${xs.join(' ')}]`;

/**
 * The blocks in the order they run; refuses variables used but not defined, and the like.
 * `usedBeyond`: variables something else uses (an upsert block's mutations).
 */
export function planBlocks(blocks: readonly QueryBlock[], usedBeyond: readonly string[] = []): QueryBlock[] {
  const vars = blocks.map(blockVars);
  const defines = vars.flatMap((v) => v.defines);
  const uses = [...new Set([...vars.flatMap((v) => v.uses), ...usedBeyond])].sort();
  const defined = [...new Set(defines)].sort();
  if (defined.length !== defines.length)
    throw new HttpError('BAD_REQUEST', 'Some variables are declared multiple times.');
  if (defined.length > uses.length) {
    throw new HttpError(
      'BAD_REQUEST',
      `Some variables are defined but not used\nDefined:${goList(defined)}\nUsed:${goList(uses)}\n`,
    );
  }
  if (defined.length < uses.length) {
    throw new HttpError(
      'BAD_REQUEST',
      `Some variables are used but not defined\nDefined:${goList(defined)}\nUsed:${goList(uses)}\n`,
    );
  }
  if (defined.some((d, i) => d !== uses[i])) {
    throw new HttpError(
      'BAD_REQUEST',
      `Variables are not used properly. \nDefined:${goList(defined)}\nUsed:${goList(uses)}\n`,
    );
  }
  // Run a block once every variable it uses (and does not define itself) is defined.
  const done = new Set<string>();
  const order: QueryBlock[] = [];
  const left = blocks.map((b, i) => ({ b, v: vars[i]! }));
  while (left.length > 0) {
    const i = left.findIndex(({ v }) => v.uses.every((u) => done.has(u) || v.defines.includes(u)));
    if (i < 0) throw new HttpError('BAD_REQUEST', 'Cycle detected in the variables of the query blocks');
    const [{ b, v }] = left.splice(i, 1) as [{ b: QueryBlock; v: Vars }];
    order.push(b);
    for (const d of v.defines) done.add(d);
  }
  return order;
}
