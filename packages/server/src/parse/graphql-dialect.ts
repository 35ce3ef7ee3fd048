/**
 * Dgraph's `/admin` reads GraphQL with gqlparser, which takes an empty pair of parentheses where
 * graphql-js (mercurius) wants none: `query backup() { listBackups(...) }`, `{ health() { status } }`.
 * Dgraph's own examples use that form, so it is accepted here by dropping every `( )` that holds
 * nothing but ignored tokens (white space, commas, comments). Strings, block strings and comments
 * are left as they are.
 */

/** Index just past the ignored tokens (white space, line terminators, commas, comments) at `i`. */
function skipIgnored(s: string, i: number): number {
  for (;;) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ',' || c === '\uFEFF') i++;
    else if (c === '#') {
      while (i < s.length && s[i] !== '\n' && s[i] !== '\r') i++;
    } else return i;
  }
}

/** Index just past the string (or block string) that starts at `i`. */
function skipString(s: string, i: number): number {
  if (s.startsWith('"""', i)) {
    let j = i + 3;
    while (j < s.length) {
      if (s[j] === '\\' && s.startsWith('\\"""', j)) j += 4;
      else if (s.startsWith('"""', j)) return j + 3;
      else j++;
    }
    return j;
  }
  let j = i + 1;
  while (j < s.length && s[j] !== '"' && s[j] !== '\n') j += s[j] === '\\' ? 2 : 1;
  return Math.min(j + 1, s.length);
}

/** `text` without its empty parentheses (see above); anything else is unchanged. */
export function dropEmptyParens(text: string): string {
  let out = '';
  let from = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') i = skipString(text, i);
    else if (c === '#') i = skipIgnored(text, i);
    else if (c === '(') {
      const j = skipIgnored(text, i + 1);
      if (text[j] === ')') {
        out += text.slice(from, i);
        from = i = j + 1;
      } else i++;
    } else i++;
  }
  return out + text.slice(from);
}
