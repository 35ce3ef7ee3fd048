/** The union of several groups' canonical `schema.txt` texts. */

function schemaLines(buf: Buffer): string[] {
  const text = buf.toString('utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Merges schemas exactly as the native exporter merges stores: predicate lines sorted bytewise
 * and unique, then one block per type (sorted by name) with the union of its fields (sorted).
 */
export function mergeSchemas(parts: Buffer[]): Buffer {
  const predicates = new Set<string>();
  const types = new Map<string, Set<string>>();
  for (const p of parts) {
    let current: Set<string> | undefined;
    for (const line of schemaLines(p)) {
      if (current) {
        if (line === '}') current = undefined;
        else current.add(line.trim());
        continue;
      }
      const m = /^type (.+) \{$/.exec(line);
      if (m) {
        current = types.get(m[1]!) ?? new Set();
        types.set(m[1]!, current);
      } else if (line.length > 0) {
        predicates.add(line);
      }
    }
  }
  const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  const out: string[] = [...predicates].sort(byBytes).map((l) => `${l}\n`);
  for (const name of [...types.keys()].sort(byBytes)) {
    const fields = [...types.get(name)!].sort(byBytes).map((f) => `  ${f}\n`);
    out.push(`type ${name} {\n${fields.join('')}}\n`);
  }
  return Buffer.from(out.join(''));
}
