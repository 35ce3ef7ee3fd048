/**
 * GraphQL-style query variables, as Dgraph reads them: `query name($a: int = 5, $b: string!)`
 * declares them (types `int float bool string`, `!` when a value must be given), the request's
 * `variables` (strings, keyed `$a`) give values, and each `$a` in the query stands for its value.
 */
import type { Lexer, Token } from './lexer.js';

const TYPES = ['int', 'float', 'bool', 'string'] as const;
type VarType = (typeof TYPES)[number];

interface Declared {
  type: VarType;
  value?: string;
  at: number;
}

function checkValue(lx: Lexer, name: string, type: VarType, value: string, at: number): void {
  const ok =
    type === 'int'
      ? /^[+-]?\d+$/.test(value)
      : type === 'float'
        ? /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)
        : type === 'bool'
          ? value === 'true' || value === 'false'
          : true;
  if (!ok) throw lx.error(at, `Expected ${type} for $${name} but got ${JSON.stringify(value)}`);
}

/** A default value: a string, or a number or boolean word. */
function defaultValue(lx: Lexer): string {
  const t = lx.next();
  if (t.kind === 'string' || t.kind === 'word') return t.text;
  throw lx.error(t.start, `expected a default value, got ${lx.describe(t)}`);
}

/**
 * Reads the declarations `( ... )` at the lexer's position, then replaces every `$name` in the
 * rest of the query by its value (`given` first, then the default).
 */
export function readQueryVars(lx: Lexer, given: Record<string, string>): void {
  const declared = new Map<string, Declared>();
  lx.expectPunct('(', 'to open the query variables');
  while (!lx.isPunct(')')) {
    const dollar = lx.expectPunct('$', 'before a query variable');
    const n = lx.next();
    if (n.kind !== 'word') throw lx.error(n.start, `expected a variable name after $, got ${lx.describe(n)}`);
    lx.expectPunct(':', `after $${n.text}`);
    const t = lx.next();
    if (t.kind !== 'word' || !(TYPES as readonly string[]).includes(t.text)) {
      throw lx.error(t.start, `expected a type (${TYPES.join(', ')}) for $${n.text}, got ${lx.describe(t)}`);
    }
    const d: Declared = { type: t.text as VarType, at: dollar.start };
    let required = false;
    if (lx.isPunct('!')) {
      lx.next();
      required = true;
    }
    if (lx.isPunct('=')) {
      lx.next();
      d.value = defaultValue(lx);
    }
    const v = given[`$${n.text}`];
    if (v !== undefined) d.value = v;
    if (d.value === undefined && required)
      throw lx.error(dollar.start, `Variable $${n.text} should be initialised`);
    if (d.value !== undefined) checkValue(lx, n.text, d.type, d.value, dollar.start);
    declared.set(n.text, d);
    if (lx.isPunct(',')) lx.next();
  }
  lx.next();
  for (const k of Object.keys(given)) {
    if (!declared.has(k.replace(/^\$/, ''))) throw lx.error(0, `Type of variable ${k} not specified`);
  }
  lx.substitute((name, at): Token => {
    const d = declared.get(name);
    if (!d) throw lx.error(at.start, `Variable not defined $${name}`);
    if (d.value === undefined) throw lx.error(at.start, `Variable $${name} has no value`);
    return { kind: d.type === 'string' ? 'string' : 'word', text: d.value, start: at.start };
  });
}
