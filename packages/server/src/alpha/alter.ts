/**
 * `POST /alter`: Dgraph schema text, or a drop operation as JSON. Predicates go to their owner
 * groups, types to every group; each drop is recorded afterwards as a `dgraph.drop.op` fact (a new
 * node), as Dgraph does, because backups carry it.
 */
import { supportedTokenizers } from '@strata/core';
import { parseSchema } from '../parse/schema.js';
import type { Cluster } from './cluster.js';
import { HttpError } from '../http/errors.js';
import type { WireAlter, WireSchemaPredicate } from './owner.js';
import { commitEdges } from './txn.js';

/** Dgraph's built-in predicates that group 1 holds from the start. */
export const INITIAL_SCHEMA: WireSchemaPredicate[] = [
  { predicate: 'dgraph.drop.op', valueType: 'string' },
  { predicate: 'dgraph.type', valueType: 'string', list: true, index: ['exact'] },
];

export type AlterBody =
  | string
  | {
      schema?: string;
      drop_all?: boolean;
      drop_op?: string;
      drop_value?: string;
      drop_attr?: string;
    };

export interface AlterResult {
  data: { code: 'Success'; message: 'Done' };
}

const DONE: AlterResult = { data: { code: 'Success', message: 'Done' } };

/** Runs one alter on the given groups at a fresh commit ts (dry run first: all or nothing). */
async function alterGroups(cluster: Cluster, reqs: Map<number, WireAlter>): Promise<bigint> {
  const apis = await Promise.all([...reqs.keys()].map((g) => cluster.groupApi(g)));
  await Promise.all(apis.map((api) => api.alter(0n, reqs.get(api.group)!, true)));
  const commitTs = await cluster.zero.commitTs();
  cluster.inflight.add(commitTs);
  const results = await Promise.allSettled(
    apis.map((api) => api.alter(commitTs, reqs.get(api.group)!, false)),
  );
  await cluster.zero
    .done(
      commitTs,
      results.some((r) => r.status === 'fulfilled'),
    )
    .catch(() => undefined);
  cluster.inflight.remove(commitTs);
  const bad = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (bad) throw bad.reason;
  return commitTs;
}

/** Records a drop as Dgraph does: a new node with `dgraph.drop.op` = `value`. */
async function recordDrop(cluster: Cluster, value: string): Promise<void> {
  const { start } = await cluster.zero.assignUids(1);
  const g = await cluster.writeGroup('dgraph.drop.op');
  await commitEdges(
    cluster,
    new Map([
      [
        g,
        [{ op: 'set', subject: String(start), predicate: 'dgraph.drop.op', text: value, valType: 'string' }],
      ],
    ]),
  );
}

/** Makes sure the built-in predicates this Alpha's group owns exist (on start). */
export async function ensureInitialSchema(cluster: Cluster): Promise<void> {
  const mine: WireSchemaPredicate[] = [];
  for (const p of INITIAL_SCHEMA) {
    const g = await cluster.writeGroup(p.predicate);
    if (g === cluster.groupId && !cluster.local.owner.predicate(p.predicate)) mine.push(p);
  }
  if (mine.length > 0) await alterGroups(cluster, new Map([[cluster.groupId, { predicates: mine }]]));
}

export async function alter(cluster: Cluster, body: AlterBody): Promise<AlterResult> {
  const groups = await cluster.groupIds();
  const everyGroup = (req: WireAlter) => new Map(groups.map((g) => [g, { ...req }]));
  if (typeof body === 'object' && body !== null && body.schema === undefined) {
    if (body.drop_all === true) {
      await alterGroups(cluster, everyGroup({ dropAll: true }));
      cluster.zero.forgetTablets();
      await ensureInitialSchemaEverywhere(cluster);
      await recordDrop(cluster, 'DROP_ALL;');
      return DONE;
    }
    const op = body.drop_op?.toUpperCase();
    if (op === 'DATA') {
      await alterGroups(cluster, everyGroup({ dropData: true }));
      await recordDrop(cluster, 'DROP_DATA;');
      return DONE;
    }
    if (op === 'ATTR' || body.drop_attr !== undefined) {
      const attr = body.drop_attr ?? body.drop_value;
      if (!attr) throw new HttpError('BAD_REQUEST', 'drop_attr needs a predicate name');
      const g = await cluster.readGroup(attr);
      if (g !== undefined) await alterGroups(cluster, new Map([[g, { dropAttr: attr }]]));
      await recordDrop(cluster, `DROP_ATTR;${attr}`);
      return DONE;
    }
    if (op === 'TYPE') {
      if (!body.drop_value)
        throw new HttpError('BAD_REQUEST', 'drop_op TYPE needs drop_value (the type name)');
      await alterGroups(cluster, everyGroup({ dropType: body.drop_value }));
      return DONE;
    }
    throw new HttpError(
      'BAD_REQUEST',
      'expected schema text, {"drop_all": true}, {"drop_op": "DATA"}, {"drop_attr": "name"} or {"drop_op": "TYPE", "drop_value": "T"}',
    );
  }
  const text = typeof body === 'string' ? body : (body.schema ?? '');
  const schema = parseSchema(text);
  checkTokenizers(schema.predicates);
  const reqs = new Map<number, WireAlter>();
  const req = (g: number) => {
    let r = reqs.get(g);
    if (!r) reqs.set(g, (r = {}));
    return r;
  };
  for (const p of schema.predicates) {
    const g = await cluster.writeGroup(p.name);
    (req(g).predicates ??= []).push({
      predicate: p.name,
      valueType: p.valueType,
      list: p.list,
      index: p.index,
      reverse: p.reverse,
      count: p.count,
      upsert: p.upsert,
      lang: p.lang,
      unique: p.unique,
      noconflict: p.noconflict,
    });
  }
  if (schema.types.length > 0) {
    const types = schema.types.map((t) => ({ name: t.name, fields: t.fields }));
    for (const g of groups) req(g).types = types;
  }
  if (reqs.size > 0) await alterGroups(cluster, reqs);
  return DONE;
}

/**
 * Refuses an index Strata cannot compute before anything changes (no tablet is assigned): Dgraph
 * accepts it, but Strata would leave it stale on every write.
 */
function checkTokenizers(predicates: { name: string; index: string[] }[]): void {
  const supported = new Set(supportedTokenizers());
  for (const p of predicates) {
    const missing = p.index.filter((t) => !supported.has(t));
    if (missing.length > 0) {
      throw new HttpError(
        'BAD_REQUEST',
        `predicate <${p.name}>: @index(${missing.join(', ')}) is not supported by Strata yet ` +
          `(it would be left stale on writes); supported tokenizers: ${[...supported].join(', ')}`,
      );
    }
  }
}

/** After DROP_ALL: the built-in predicates again, in their owner groups. */
async function ensureInitialSchemaEverywhere(cluster: Cluster): Promise<void> {
  const reqs = new Map<number, WireAlter>();
  for (const p of INITIAL_SCHEMA) {
    const g = await cluster.writeGroup(p.predicate);
    let r = reqs.get(g);
    if (!r) reqs.set(g, (r = { predicates: [] }));
    r.predicates!.push(p);
  }
  await alterGroups(cluster, reqs);
}
