/**
 * Writes a benchmark's tables into a doc between its markers (`<!-- bench:NAME:start -->` and
 * `<!-- bench:NAME:end -->`): the text before the first table (`intro`; undefined keeps the one
 * there), then the tables just measured and those of other sizes already there, smallest first,
 * so that a run of one size keeps the figures of another. Each table starts with `#### `; `sizeOf`
 * reads the size a table is of from its heading.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export function writeTables(
  doc: string,
  name: string,
  fresh: string[],
  sizeOf: (table: string) => number,
  intro?: string,
): void {
  if (!existsSync(doc)) return;
  const [start, end] = [`<!-- bench:${name}:start -->`, `<!-- bench:${name}:end -->`];
  const cur = readFileSync(doc, 'utf8');
  const a = cur.indexOf(start);
  const b = cur.indexOf(end);
  if (a < 0 || b < a) return;
  const sizes = new Set(fresh.map(sizeOf));
  const between = cur.slice(a + start.length, b);
  const kept = between
    .split(/^(?=#### )/m)
    .filter((t) => t.startsWith('#### ') && !sizes.has(sizeOf(t)))
    .map((t) => t.trimEnd() + '\n');
  const tables = [...kept, ...fresh].sort((x, y) => sizeOf(x) - sizeOf(y));
  const first = between.search(/^#### /m);
  const text = intro ?? (first < 0 ? between : between.slice(0, first)).trim();
  const head = text === '' ? '' : `${text}\n\n`;
  writeFileSync(doc, `${cur.slice(0, a + start.length)}\n${head}${tables.join('\n')}\n${cur.slice(b)}`);
}

/** The size (N-Quads) a `#### 3,000,000 N-Quads ...` table is of. */
export function nquadsOf(t: string): number {
  return Number(/^#### ([\d,]+) N-Quads/.exec(t)?.[1]?.replace(/,/g, '') ?? NaN);
}
