/**
 * The RDF / N-Quads parser of mutations and live loads (packages/server/src/parse/nquads.ts, with
 * lexer.ts and the typed literals of values.ts). Input: the text. Expected: `ParseError` (a
 * position and a reason) or `ValueError`.
 */
import { ParseError, ValueError } from '../../packages/server/dist/parse/errors.js';
import { parseNQuadLine, parseNQuads } from '../../packages/server/dist/parse/nquads.js';
import { expectOnly } from './expected.js';

export function fuzz(data: Buffer): void {
  const text = data.toString('utf8');
  for (const allowStar of [false, true]) {
    expectOnly([ParseError, ValueError], () => {
      const quads = parseNQuads(text, { allowStar });
      if (quads.some((q) => typeof q.predicate !== 'string'))
        throw new TypeError('a quad without a predicate');
    });
  }
  const first = text.split('\n', 1)[0] ?? '';
  expectOnly([ParseError, ValueError], () => parseNQuadLine(first, 1, { allowStar: false, closers: '}' }));
}
