/**
 * `POST /query`: a DQL query (parse/query.ts) run at one read timestamp from Zero's oracle. Blocks
 * run in the order their variables need (plan.ts) and answer in the order written, as Dgraph's
 * JSON: `var` blocks show nothing, a block of aggregates only (`q() { min(val(a)) }`) one object
 * per aggregate, `shortest` blocks `_path_`.
 */
import { parseQuery, type Query, type QueryBlock } from '../../parse/query.js';
import type { Cluster } from '../cluster.js';
import { aggregate } from './aggregate.js';
import { Executor, isUidCount, page, uidCountObject, type Obj } from './executor.js';
import { groupBy } from './groupby.js';
import { normalize } from './normalize.js';
import { planBlocks } from './plan.js';
import { recurse } from './recurse.js';
import { runSchemaQuery } from './schema-query.js';
import { shortestPaths } from './shortest.js';
import { varJson, VarStore } from './vars.js';

export interface QueryResult {
  data: Record<string, unknown>;
  extensions: {
    server_latency: {
      parsing_ns: number;
      processing_ns: number;
      encoding_ns: number;
      assign_timestamp_ns: number;
      total_ns: number;
    };
    txn: { start_ts: number };
  };
}

/** A block of aggregates over variables only: one object per aggregate. */
function aggregatesOnly(ex: Executor, b: QueryBlock): Obj[] {
  const out: Obj[] = [];
  for (const s of b.children) {
    if (s.kind !== 'aggregate' || !('varName' in s.of)) continue;
    const v = aggregate(s.fn, [...(ex.vars.values.get(s.of.varName)?.values() ?? [])]);
    if (v !== undefined) out.push({ [s.alias ?? `${s.fn}(val(${s.of.varName}))`]: varJson(v) });
  }
  return out;
}

/** Runs one block; its answer (a list of objects), or for `shortest` its `_path_`. */
async function runBlock(ex: Executor, b: QueryBlock): Promise<{ key: string; value: unknown } | undefined> {
  if (b.shortest) {
    const { paths, nodes } = await shortestPaths(ex, b);
    if (b.varName) ex.vars.setPath(b.varName, nodes);
    return paths.length ? { key: '_path_', value: paths } : undefined;
  }
  if (!b.func) return { key: b.name, value: aggregatesOnly(ex, b) };
  const uids = await ex.rootUids(b);
  if (b.varName) ex.vars.addUids(b.varName, uids);
  const sels = b.children.filter((s) => !isUidCount(s));
  let list: Obj[];
  if (b.recurse) {
    const objs = await recurse(ex, uids, sels, b.recurse);
    list = uids.map((u) => objs.get(u)).filter((o): o is Obj => o !== undefined);
  } else if (b.groupby) {
    const groups = await groupBy(ex, uids, b.groupby, b.children);
    list = groups.length ? [{ '@groupby': groups }] : [];
  } else {
    const level = await ex.render(uids, sels, b.cascade);
    let nodes = uids.map((u) => level.objs.get(u)).filter((o): o is Obj => o !== undefined);
    // Under @cascade, Dgraph pages the nodes cascade left.
    if (b.cascade) nodes = page(nodes, { ...b, after: undefined });
    if (b.normalize) nodes = nodes.flatMap((o) => normalize(o, b.children));
    list = [...uidCountObject(b.children, b.cascade ? nodes.length : uids.length), ...nodes];
  }
  return { key: b.name, value: list };
}

/**
 * Runs the blocks of a parsed query at `readTs`: their answer (`data`) and the variables they
 * defined (an upsert block's mutations read them), in `order` (plan.ts's, checked beforehand).
 */
export async function runBlocks(
  cluster: Cluster,
  q: Query,
  readTs: bigint,
  order: readonly QueryBlock[] = planBlocks(q.blocks),
): Promise<{ data: Record<string, unknown>; vars: VarStore }> {
  const vars = new VarStore();
  const ex = new Executor(cluster, readTs, vars);
  const answers = new Map<QueryBlock, { key: string; value: unknown } | undefined>();
  for (const b of order) answers.set(b, await runBlock(ex, b));
  const data: Record<string, unknown> = {};
  for (const b of q.blocks) {
    const a = answers.get(b);
    if (a && (b.name !== 'var' || b.shortest)) data[a.key] = a.value;
  }
  return { data, vars };
}

/**
 * Runs a DQL query; `vars` are the request's GraphQL-style variables; `atTs` a transaction's
 * snapshot (default: a fresh read ts from Zero).
 */
export async function runQuery(
  cluster: Cluster,
  text: string,
  vars: Record<string, string> = {},
  atTs?: bigint,
): Promise<QueryResult> {
  const t0 = process.hrtime.bigint();
  const q = parseQuery(text, vars);
  // The variables are checked before a read ts is taken.
  const order = q.schema ? [] : planBlocks(q.blocks);
  const t1 = process.hrtime.bigint();
  const readTs = atTs ?? (await cluster.zero.readTs());
  const t2 = process.hrtime.bigint();
  const data = q.schema
    ? await runSchemaQuery(cluster, q.schema)
    : (await runBlocks(cluster, q, readTs, order)).data;
  const t3 = process.hrtime.bigint();
  return {
    data,
    extensions: {
      server_latency: {
        parsing_ns: Number(t1 - t0),
        processing_ns: Number(t3 - t2),
        encoding_ns: 0,
        assign_timestamp_ns: Number(t2 - t1),
        total_ns: Number(t3 - t0),
      },
      txn: { start_ts: Number(readTs) },
    },
  };
}
