/**
 * A tiny lossless JSON reader/printer: numbers stay the digits of the file (a 64-bit read_ts or
 * namespace never goes through a double), key order is kept.
 */

export type JsonValue =
  | { t: 'object'; entries: [string, JsonValue][] }
  | { t: 'array'; items: JsonValue[] }
  | { t: 'string'; value: string; raw: string }
  | { t: 'number'; raw: string }
  | { t: 'literal'; raw: 'true' | 'false' | 'null' };

export class JsonSyntaxError extends Error {}

export function parseJsonLossless(text: string): JsonValue {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${what} at offset ${i}`);
  };
  const str = (): { value: string; raw: string } => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    const raw = text.slice(start, i);
    return { value: JSON.parse(raw) as string, raw };
  };
  const value = (): JsonValue => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, JsonValue][] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { t: 'object', entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const k = str().value;
        ws();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        entries.push([k, value()]);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return { t: 'object', entries };
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const items: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { t: 'array', items };
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return { t: 'array', items };
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return { t: 'string', ...str() };
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) return fail('unexpected character');
    i += m[0].length;
    const raw = m[0];
    return raw === 'true' || raw === 'false' || raw === 'null' ? { t: 'literal', raw } : { t: 'number', raw };
  };
  const v = value();
  ws();
  if (i !== text.length) fail('unexpected text after the value');
  return v;
}

/** Pretty-prints with two-space indentation, keeping strings and numbers exactly as read. */
export function printJson(v: JsonValue, indent = ''): string {
  const inner = `${indent}  `;
  switch (v.t) {
    case 'object':
      if (v.entries.length === 0) return '{}';
      return `{\n${v.entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${printJson(x, inner)}`).join(',\n')}\n${indent}}`;
    case 'array':
      if (v.items.length === 0) return '[]';
      if (v.items.every((x) => x.t === 'number' || x.t === 'literal') && v.items.length <= 16) {
        return `[${v.items.map((x) => printJson(x)).join(', ')}]`;
      }
      return `[\n${v.items.map((x) => `${inner}${printJson(x, inner)}`).join(',\n')}\n${indent}]`;
    case 'string':
    case 'number':
    case 'literal':
      return v.raw;
  }
}

export function getField(v: JsonValue, key: string): JsonValue | undefined {
  return v.t === 'object' ? v.entries.find(([k]) => k === key)?.[1] : undefined;
}
