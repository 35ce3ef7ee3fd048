/**
 * The conflict keys of a prepared batch, as Dgraph computes them (posting.GetConflictKey): two
 * transactions conflict when both write one of these keys (Zero checks, ../zero/conflicts.ts).
 *
 * - `@noconflict` predicates: none.
 * - `@upsert` predicates: the data key (predicate, subject) and each index token of the values
 *   set or deleted, so two transactions giving two nodes the same e-mail conflict.
 * - list predicates: (predicate, subject, value): adding two values to one list does not conflict.
 * - other predicates: the data key (predicate, subject): one value per node, the second writer aborts.
 * - `@count` predicates also the node's count (Dgraph's count index key moves with each edge), and
 *   with `@reverse` the object's count of reverse edges.
 *
 * Keys are hashed (SHA-1, 96 bits in base64url) to bound what goes to Zero. Past `MAX_KEYS` the
 * batch's predicates are sent as coarse keys instead (see conflicts.ts).
 */
import { createHash } from 'node:crypto';
import { indexTokens, type EdgeMutation, type SchemaPredicate } from '@strata/core';

/** More keys than this in one group's batch: its predicates conflict as a whole. */
export const MAX_KEYS = 200_000;

export interface BatchConflicts {
  keys: string[];
  preds: string[];
  coarse: string[];
}

function hash(parts: (string | Buffer)[]): string {
  const h = createHash('sha1');
  for (const p of parts) {
    h.update(p);
    h.update('\0');
  }
  return h.digest('base64url').slice(0, 16);
}

function valueId(e: EdgeMutation): Buffer | string {
  if (e.objectUid !== undefined) return `u${e.objectUid}`;
  return Buffer.concat([Buffer.from(`v${e.lang ?? ''}\0`), e.value ?? Buffer.alloc(0)]);
}

export function conflictKeys(
  edges: EdgeMutation[],
  schemaOf: (predicate: string) => SchemaPredicate | undefined,
): BatchConflicts {
  const keys = new Set<string>();
  const preds = new Set<string>();
  let coarse = false;
  for (const e of edges) {
    preds.add(e.predicate);
    if (coarse) continue;
    const sp = schemaOf(e.predicate);
    if (sp?.noconflict) continue;
    const subject = String(e.subject);
    if (sp?.upsert) {
      keys.add(hash(['d', e.predicate, subject]));
      if (e.value !== undefined) {
        for (const tok of sp.index ?? []) {
          let tokens: Buffer[];
          try {
            tokens = indexTokens(tok, e.value, e.lang ?? '');
          } catch {
            // A tokenizer that cannot read the value: the value itself stands for its tokens.
            tokens = [e.value];
          }
          for (const t of tokens) keys.add(hash(['i', e.predicate, tok, t]));
        }
      }
    } else if ((sp?.list ?? e.objectUid !== undefined) && !e.star) {
      keys.add(hash(['d', e.predicate, subject, valueId(e)]));
    } else {
      keys.add(hash(['d', e.predicate, subject]));
    }
    if (sp?.count) {
      keys.add(hash(['c', e.predicate, subject]));
      if (sp.reverse && e.objectUid !== undefined)
        keys.add(hash(['c', `~${e.predicate}`, String(e.objectUid)]));
    }
    if (keys.size > MAX_KEYS) coarse = true;
  }
  const p = [...preds];
  return coarse ? { keys: [], preds: p, coarse: p } : { keys: [...keys], preds: p, coarse: [] };
}
