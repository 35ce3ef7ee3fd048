/**
 * Puts what Strata and the real Dgraph say into one form, so that the interop tests can compare
 * them: schema (Dgraph's `schema {}` answer and Strata's export `schema.txt` as Strata's schema
 * lines), data (Dgraph's RDF export as Strata's canonical export lines) and query answers (arrays
 * sorted, so that order within a level does not count).
 */

export interface SchemaView {
  /** `pred: type @index(...) ... .` lines, sorted. */
  predicates: string[];
  /** Type name → its fields, sorted. */
  types: Record<string, string[]>;
}

interface DgraphPredicate {
  predicate: string;
  type: string;
  list?: boolean;
  tokenizer?: string[];
  lang?: boolean;
  count?: boolean;
  reverse?: boolean;
  upsert?: boolean;
  unique?: boolean;
  no_conflict?: boolean;
}

/** Dgraph's `schema {}` answer (its `data`), restricted to `preds` and `types`. */
export function dgraphSchema(
  data: Record<string, unknown>,
  preds: readonly string[],
  types: readonly string[],
): SchemaView {
  const schema = (data.schema ?? []) as DgraphPredicate[];
  const lines = schema
    .filter((p) => preds.includes(p.predicate))
    .map((p) => {
      let s = `${p.predicate}: ${p.list ? `[${p.type}]` : p.type}`;
      // A vector index reads `hnsw("metric":"euclidean")` in schema answers and
      // `hnsw(metric:"euclidean")` in schema text (Dgraph's export): the text form.
      const toks = (p.tokenizer ?? []).map((t) => t.replace(/"([A-Za-z_]+)":/g, '$1:'));
      if (toks.length > 0) s += ` @index(${toks.sort().join(', ')})`;
      for (const [on, text] of [
        [p.lang, '@lang'],
        [p.count, '@count'],
        [p.reverse, '@reverse'],
        [p.upsert, '@upsert'],
        [p.unique, '@unique'],
        [p.no_conflict, '@noconflict'],
      ] as const)
        if (on) s += ` ${text}`;
      return `${s} .`;
    })
    .sort();
  const out: Record<string, string[]> = {};
  for (const t of (data.types ?? []) as { name: string; fields?: { name: string }[] }[]) {
    if (types.includes(t.name)) out[t.name] = (t.fields ?? []).map((f) => f.name).sort();
  }
  return { predicates: lines, types: out };
}

/** Strata's export `schema.txt`, restricted to `preds` and `types`. */
export function strataSchema(text: string, preds: readonly string[], types: readonly string[]): SchemaView {
  const predicates: string[] = [];
  const out: Record<string, string[]> = {};
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const t = /^type (\S+) \{$/.exec(line);
    if (t) {
      current = types.includes(t[1]!) ? (out[t[1]!] = []) : undefined;
    } else if (line === '}') {
      current = undefined;
    } else if (/^\s+\S/.test(line)) {
      current?.push(line.trim());
    } else if (line.trim() !== '' && preds.includes(line.slice(0, line.indexOf(':')))) {
      predicates.push(line);
    }
  }
  for (const f of Object.values(out)) f.sort();
  return { predicates: predicates.sort(), types: out };
}

/**
 * Dgraph's export separates facets by `,`; the canonical dump (and Strata's export) by `, `
 * (`../shared/fixtures/dgraph/README.md`). Commas inside quoted strings are kept.
 */
function canonicalFacets(facets: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < facets.length; i++) {
    const c = facets[i]!;
    if (c === '\\' && quoted) {
      out += c + (facets[++i] ?? '');
      continue;
    }
    if (c === '"') quoted = !quoted;
    out += c === ',' && !quoted ? ', ' : c;
  }
  return out;
}

/**
 * A literal of Dgraph's export (escaped by Go's json.Marshal: `&`, `<`, `>`, U+2028 and U+2029 as
 * `\u....`, lowercase hex) escaped as Strata's canonical dump escapes it
 * (shared/fixtures/dgraph/README.md: `\\ \" \n \r \t`, other controls and 0x7F as uppercase `\uXXXX`).
 */
function canonicalLiteral(object: string): string {
  const m = /^"((?:[^"\\]|\\.)*)"(.*)$/s.exec(object);
  if (!m) return object;
  const text = JSON.parse(`"${m[1]!}"`) as string;
  let out = '';
  for (const c of text) {
    const n = c.codePointAt(0)!;
    if (c === '\\') out += '\\\\';
    else if (c === '"') out += '\\"';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (n < 0x20 || n === 0x7f) out += `\\u${n.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += c;
  }
  return `"${out}"${m[2]!}`;
}

/**
 * Dgraph's RDF export lines (`<s> <p> "v"^^<xs:string> <0x0> [(facets)] .`) as Strata writes the
 * same fact (`<s> <p> "v" [(facets)] .`), restricted to `preds`, sorted.
 */
export function dgraphExportLines(lines: string[], preds: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of lines) {
    const m = /^(<0x[0-9a-f]+>) <([^>]+)> (.*) <(0x[0-9a-f]+)>( \([^)]*\))? \.$/.exec(raw.trim());
    if (!m) throw new Error(`unexpected Dgraph export line: ${raw}`);
    const [, subject, pred, object, ns, facets] = m;
    if (!preds.includes(pred!)) continue;
    const obj = canonicalLiteral(object!.replace(/"\^\^<xs:string>/, '"'));
    out.push(
      `${subject} <${pred}> ${obj}${ns === '0x0' ? '' : ` <${ns}>`}${facets ? canonicalFacets(facets) : ''} .`,
    );
  }
  return out.sort();
}

/**
 * Strata's export `data.rdf` lines restricted to `preds`, sorted, without what Dgraph's export
 * leaves out: the `dgraph.type` of a node whose only type is `dgraph.graphql` (the GraphQL schema
 * node, `worker/export.go`). Strata's export keeps it, as the golden dumps do.
 */
export function strataExportLines(text: string, preds: readonly string[]): string[] {
  const lines = text.split('\n').filter((l) => {
    const m = /^<[^>]+> <([^>]+)> /.exec(l);
    return m !== null && preds.includes(m[1]!);
  });
  const types = new Map<string, number>();
  for (const l of lines) {
    const m = /^(<[^>]+>) <dgraph\.type> /.exec(l);
    if (m) types.set(m[1]!, (types.get(m[1]!) ?? 0) + 1);
  }
  return lines
    .filter((l) => {
      const m = /^(<[^>]+>) <dgraph\.type> "dgraph\.graphql"/.exec(l);
      return !(m && types.get(m[1]!) === 1);
    })
    .sort();
}

/**
 * A query answer with keys ordered and every array sorted (by each element's canonical JSON), or,
 * with `sortArrays` false, left in its order (the answer of an ordered query).
 */
export function canonical(v: unknown, sortArrays = true): unknown {
  if (Array.isArray(v)) {
    if (!sortArrays) return v.map((x) => canonical(x, false));
    return v
      .map((x) => canonical(x))
      .map((x) => [JSON.stringify(x), x] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([, x]) => x);
  }
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k], sortArrays)]),
    );
  }
  return v;
}
