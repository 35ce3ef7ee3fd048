/**
 * The plaintext scan of the encryption-at-rest tests: distinctive data (a predicate name, a word,
 * numbers) and a search of every byte under a folder for it, in the encodings a store uses (the
 * names and words as they are, the word's lower-case term token, a number as its little-endian
 * value and its big-endian int index token; see native store/engine/tests.rs).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const PRED = 'zanzibar_ledger_secret';
export const WORD = 'Quixotically';
export const AMOUNT = 73_915_286_447;
export const SCHEMA = `${PRED}: string @index(exact, term) .\nledger_amount: int @index(int) .\n`;

/** N-Quads of `nodes` ledger entries: each a `PRED` string and an amount past `AMOUNT`. */
export function ledgerRdf(nodes: number): string {
  return Array.from(
    { length: nodes },
    (_, i) => `_:n${i} <${PRED}> "${WORD} entry ${i}" .\n_:n${i} <ledger_amount> "${AMOUNT + 1 + i}" .\n`,
  ).join('');
}

function needles(more: string[]): Buffer[] {
  const n = BigInt(AMOUNT + 1);
  const le = Buffer.alloc(8);
  le.writeBigInt64LE(n);
  const be = Buffer.alloc(8);
  be.writeBigInt64BE(n);
  return [PRED, WORD, WORD.toLowerCase(), ...more].map((s) => Buffer.from(s)).concat([le, be]);
}

/** The needles (and the `more` strings) found in any file under `dir`. */
export function foundUnder(dir: string, more: string[] = []): string[] {
  const found = new Set<string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const bytes = readFileSync(p);
        for (const n of needles(more)) if (bytes.includes(n)) found.add(n.toString());
      }
    }
  };
  walk(dir);
  return [...found];
}
