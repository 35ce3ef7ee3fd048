/**
 * Dgraph's RDF mutation text: `{ set { N-Quads } delete { N-Quads } }` (each block optional, in
 * any order, repeatable), or a bare list of N-Quads meaning `set`.
 */
import { Positions } from './errors.js';
import { NQuadScanner, type NQuad } from './nquads.js';

export interface Mutation {
  set: NQuad[];
  del: NQuad[];
}

/**
 * `allowVars`: `uid(v)` and `val(v)` may stand for nodes and values (an upsert block's mutation).
 * `bare`: what a bare list of N-Quads means (gRPC's `del_nquads` is a bare list of deletes).
 */
export function parseMutationBody(text: string, allowVars = false, bare: 'set' | 'delete' = 'set'): Mutation {
  const positions = new Positions(text);
  const s = new NQuadScanner(
    text,
    (o, r) => positions.error(o, r),
    0,
    (o) => positions.at(o).line,
  );
  const out: Mutation = { set: [], del: [] };
  s.skipBetween();
  if (text[s.pos] !== '{') {
    for (;;) {
      s.skipBetween();
      if (s.pos >= text.length) return out;
      if (bare === 'set') out.set.push(s.statement({ allowStar: false, allowVars }));
      else out.del.push(s.statement({ allowStar: true, allowVars }));
    }
  }
  const outerOpen = s.pos;
  s.pos++;
  for (;;) {
    s.skipBetween();
    if (s.pos >= text.length) throw s.errAt(outerOpen, 'unterminated mutation: expected "}"');
    if (text[s.pos] === '}') {
      s.pos++;
      break;
    }
    const opAt = s.pos;
    const m = /^[A-Za-z_]+/.exec(text.slice(s.pos, s.pos + 32));
    const op = m ? m[0] : '';
    if (op !== 'set' && op !== 'delete') {
      throw s.errAt(
        opAt,
        `expected "set {" or "delete {", got ${op ? `"${op}"` : JSON.stringify(text[s.pos])}`,
      );
    }
    s.pos += op.length;
    s.skipBetween();
    if (text[s.pos] !== '{') throw s.errAt(s.pos, `expected "{" after ${op}`);
    const blockOpen = s.pos;
    s.pos++;
    const target = op === 'set' ? out.set : out.del;
    for (;;) {
      s.skipBetween();
      if (s.pos >= text.length) throw s.errAt(blockOpen, `unterminated ${op} block: expected "}"`);
      if (text[s.pos] === '}') {
        s.pos++;
        break;
      }
      target.push(s.statement({ allowStar: op === 'delete', closers: '}', allowVars }));
    }
  }
  s.skipBetween();
  if (s.pos < text.length) throw s.errAt(s.pos, 'unexpected text after the mutation\'s closing "}"');
  return out;
}
