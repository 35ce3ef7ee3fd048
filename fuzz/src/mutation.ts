/**
 * Mutation bodies as `/mutate` reads them: RDF `{ set { ... } delete { ... } }`
 * (packages/server/src/parse/mutation.ts over nquads.ts), upsert blocks (upsert.ts) and JSON
 * `{"set": ..., "delete": ...}` with upsert variables and conditions (mutation-json.ts). Input: the
 * body text. Expected: `ParseError` or `ValueError` for RDF and upsert blocks; for JSON (text that
 * parses as a JSON object) `ValueError`.
 */
import { ParseError, ValueError } from '../../packages/server/dist/parse/errors.js';
import { parseMutationBody } from '../../packages/server/dist/parse/mutation.js';
import { jsonMutation } from '../../packages/server/dist/parse/mutation-json.js';
import { parseCond, parseUpsert } from '../../packages/server/dist/parse/upsert.js';
import { expectOnly } from './expected.js';

export function fuzz(data: Buffer): void {
  const text = data.toString('utf8');
  expectOnly([ParseError, ValueError], () => parseMutationBody(text));
  expectOnly([ParseError, ValueError], () => parseMutationBody(text, true));
  expectOnly([ParseError, ValueError], () => parseUpsert(text));
  expectOnly([ValueError], () => parseCond(text));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return;
  expectOnly([ValueError], () => {
    const m = jsonMutation(json as Record<string, unknown>, 'dg.1', true);
    if ([...m.set, ...m.del].some((q) => !q.predicate)) throw new TypeError('a quad without a predicate');
  });
}
