/**
 * DQL schema queries (`schema {}`, `schema(pred: [...]) { type index }`, `schema(type: T) {}`),
 * answered as Dgraph answers them: `schema` (one object per predicate, in name order, with the
 * fields asked for) and `types` (each type's fields in their order).
 */
import type { SchemaQuery } from '../../parse/query.js';
import type { Cluster } from '../cluster.js';
import type { WireSchemaPredicate } from '../owner.js';

type Entry = Record<string, unknown>;

/** One predicate as Dgraph's `schema` answer shows it (false flags left out, as Dgraph does). */
function entry(p: WireSchemaPredicate, fields: readonly string[]): Entry {
  const index = p.index ?? [];
  // A vector index restored from Dgraph: its tokenizer reads `hnsw("metric":"euclidean")`, and
  // the spec itself comes as `index_specs` (Dgraph sets no `index` flag for it).
  const vectors = p.vectorIndexes ?? [];
  const vectorTokens = vectors.map(
    (v) =>
      `${v.name}(${v.options.map((o) => `${JSON.stringify(o.key)}:${JSON.stringify(o.value)}`).join(',')})`,
  );
  const all: Entry = {
    type: p.valueType,
    index: index.length > 0,
    tokenizer: index.length > 0 ? index : vectors.length > 0 ? vectorTokens : undefined,
    index_specs: vectors.length > 0 ? vectors : undefined,
    reverse: p.reverse,
    count: p.count,
    list: p.list,
    upsert: p.upsert,
    lang: p.lang,
    unique: p.unique,
    no_conflict: p.noconflict,
  };
  const out: Entry = { predicate: p.predicate };
  for (const [k, v] of Object.entries(all)) {
    if (v === undefined || v === false) continue;
    if (fields.length > 0 && !fields.includes(k)) continue;
    out[k] = v;
  }
  return out;
}

export async function runSchemaQuery(cluster: Cluster, q: SchemaQuery): Promise<Record<string, Entry[]>> {
  const data: Record<string, Entry[]> = {};
  if (q.types === undefined) {
    const groups = await Promise.all((await cluster.groupIds()).map((g) => cluster.groupApi(g)));
    const preds = (await Promise.all(groups.map((g) => g.schema()))).flat();
    const wanted = q.predicates && new Set(q.predicates);
    const schema = preds
      .filter((p) => !wanted || wanted.has(p.predicate))
      .sort((a, b) => (a.predicate < b.predicate ? -1 : a.predicate > b.predicate ? 1 : 0))
      .map((p) => entry(p, q.fields));
    // As Dgraph: no `schema` key when no predicate matched.
    if (schema.length > 0) data.schema = schema;
  }
  if (q.predicates === undefined) {
    const wanted = q.types && new Set(q.types);
    data.types = cluster.local.owner
      .typeDefs()
      .filter((t) => !wanted || wanted.has(t.name))
      .map((t) => ({ name: t.name, fields: t.fields.map((name) => ({ name })) }));
  }
  return data;
}
