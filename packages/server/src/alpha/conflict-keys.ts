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
 * Keys are hashed (96 bits in base64url, three seeded FNV-1a lanes with a MurmurHash3 finish) to
 * bound what goes to Zero. The hash needs no secrecy, only spread: two keys with one hash only cost
 * a needless abort. It was SHA-1 through node:crypto, a hash object per key: 4 s of the Alpha's 34 s
 * of JavaScript in a 1M N-Quad load. Every Alpha of a cluster must hash alike (Zero compares what
 * they send). Past `MAX_KEYS` the batch's predicates are sent as coarse keys instead (see conflicts.ts).
 */
import { indexTokens, type EdgeMutation, type SchemaPredicate } from '@strata/core';

/** More keys than this in one group's batch: its predicates conflict as a whole. */
export const MAX_KEYS = 200_000;

export interface BatchConflicts {
  keys: string[];
  preds: string[];
  coarse: string[];
}

const LANE_SEEDS = [0x811c9dc5, 0x9747b28c, 0x3c6ef372] as const;
const digest = Buffer.alloc(12);

/** MurmurHash3's 32-bit finish: every input bit moves every output bit. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The key of `parts` (strings by UTF-16 unit, buffers by byte, each followed by a 0 unit). */
export function hash(parts: (string | Buffer)[]): string {
  let [a, b, c] = LANE_SEEDS as readonly number[] as [number, number, number];
  const mix = (u: number) => {
    a = Math.imul(a ^ u, 0x01000193);
    b = Math.imul(b ^ u, 0x01000193) ^ (b >>> 15);
    c = Math.imul(c ^ u, 0x5bd1e995) + 0x6b43a9b5;
  };
  for (const p of parts) {
    if (typeof p === 'string') for (let i = 0; i < p.length; i++) mix(p.charCodeAt(i));
    else for (let i = 0; i < p.length; i++) mix(p[i]!);
    mix(0);
  }
  digest.writeUInt32BE(fmix32(a), 0);
  digest.writeUInt32BE(fmix32(b ^ a), 4);
  digest.writeUInt32BE(fmix32(c ^ b), 8);
  return digest.toString('base64url');
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
