/**
 * Runs the corpus on two servers speaking Dgraph's HTTP API and compares their answers: the
 * `data` of each (canonical: keys sorted, arrays sorted unless the case is ordered), or, when the
 * reference refused the query, that the other refused it too (messages kept for the report).
 */
import { canonical } from '../interop/compare.js';
import type { Case } from './corpus.js';

export type Answer = { data: unknown } | { error: string };

export interface Outcome {
  id: string;
  q: string;
  same: boolean;
  /** Both refused and with the same message. */
  sameMessage?: boolean;
  dgraph: Answer;
  strata: Answer;
}

/** The case's text with `{{label}}` replaced by the uid of that blank node. */
export function resolve(text: string, uids: Record<string, string>): string {
  return text.replace(/\{\{([^}]+)\}\}/g, (m, label: string) => {
    const u = uids[label];
    if (u === undefined) throw new Error(`the corpus names ${m}, which the data set has no node for`);
    return u;
  });
}

/** One case on the server at `base`, with `headers` (a token, say). */
export async function ask(
  base: string,
  c: Case,
  uids: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const q = resolve(c.q, uids);
  const body = c.vars
    ? JSON.stringify({
        query: q,
        variables: Object.fromEntries(Object.entries(c.vars).map(([k, v]) => [k, resolve(v, uids)])),
      })
    : q;
  const type = c.vars ? 'application/json' : 'application/dql';
  const r = await fetch(`${base}/query`, {
    method: 'POST',
    headers: { 'content-type': type, ...headers },
    body,
  });
  const text = await r.text();
  let json: { data?: unknown; errors?: { message?: string }[] };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    return { error: `HTTP ${r.status}: not JSON: ${text.slice(0, 200)}` };
  }
  if (json.errors?.length) return { error: json.errors.map((e) => e.message ?? '').join('; ') };
  if (!r.ok) return { error: `HTTP ${r.status}` };
  return { data: canonical(json.data ?? null, !c.ordered) };
}

export function compare(c: Case, dgraph: Answer, strata: Answer): Outcome {
  const out: Outcome = { id: c.id, q: c.q, same: false, dgraph, strata };
  if ('error' in dgraph) {
    out.same = 'error' in strata;
    out.sameMessage = out.same && (strata as { error: string }).error === dgraph.error;
  } else {
    out.same = 'data' in strata && JSON.stringify(strata.data) === JSON.stringify(dgraph.data);
  }
  return out;
}

/** Every case on both servers, one at a time. */
export async function runCorpus(
  corpus: readonly Case[],
  dgraph: string,
  strata: string,
  uids: Record<string, string>,
  strataHeaders: Record<string, string> = {},
): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const c of corpus) {
    out.push(compare(c, await ask(dgraph, c, uids), await ask(strata, c, uids, strataHeaders)));
  }
  return out;
}
