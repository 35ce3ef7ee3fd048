/**
 * The DQL query parser (packages/server/src/parse/query.ts with lexer.ts): blocks, functions,
 * `@filter` trees, schema queries. Input: the query text. Expected: `ParseError` (a position and a
 * reason); a query that parses has at least one block or is a schema query.
 */
import { ParseError } from '../../packages/server/dist/parse/errors.js';
import { parseQuery } from '../../packages/server/dist/parse/query.js';
import { expectOnly } from './expected.js';

export function fuzz(data: Buffer): void {
  expectOnly([ParseError], () => {
    const q = parseQuery(data.toString('utf8'));
    if (q.blocks.length === 0 && !q.schema) throw new RangeError('a query with no block and no schema');
  });
}
