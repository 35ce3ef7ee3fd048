/**
 * The arguments of DQL's string-pattern functions, read as Dgraph reads them:
 *
 *   regexp(pred[@lang], /expr/flags)   flags "" or "i"; `\/` stands for "/"
 *   match(pred[@lang], "text", maxDistance)   fuzzy: Levenshtein distance at most maxDistance
 *
 * Both need the predicate's trigram index at the root (the store checks, and compiles the
 * expression with Dgraph's errors).
 */
import type { Lexer } from './lexer.js';

export const PATTERN_FUNCS = ['regexp', 'match'] as const;
export type PatternFuncName = (typeof PATTERN_FUNCS)[number];

export type PatternFunc =
  | { name: 'regexp'; predicate: string; lang?: string; pattern: string; flags: string }
  | { name: 'match'; predicate: string; lang?: string; fuzzy: string; maxDistance: number };

export function isPatternFunc(name: string): name is PatternFuncName {
  return (PATTERN_FUNCS as readonly string[]).includes(name);
}

/** The arguments after `fn(pred[@lang]`, up to and without the closing ")". */
export function patternFuncArgs(
  lx: Lexer,
  name: PatternFuncName,
  predicate: string,
  lang: string | undefined,
): PatternFunc {
  lx.expectPunct(',', `after ${name}(${predicate}`);
  const t = lx.next();
  const withLang = <T extends object>(f: T): T => (lang === undefined ? f : { ...f, lang });
  if (name === 'regexp') {
    if (t.kind !== 'regex')
      throw lx.error(t.start, `regexp() takes a /pattern/ (flag i for any case), got ${lx.describe(t)}`);
    const end = t.text.lastIndexOf('/');
    const pattern = t.text.slice(1, end).replaceAll('\\/', '/');
    return withLang({ name, predicate, pattern, flags: t.text.slice(end + 1) });
  }
  if (t.kind !== 'string') throw lx.error(t.start, `match() takes a "string", got ${lx.describe(t)}`);
  lx.expectPunct(',', `after match(${predicate}, "...": the largest distance`);
  const d = lx.next();
  if (d.kind !== 'word' || !/^[+-]?\d+$/.test(d.text) || Number(d.text) > 2 ** 31 - 1) {
    throw lx.error(d.start, `Levenshtein distance value must be an int, got ${d.text}`);
  }
  const maxDistance = Number(d.text);
  if (maxDistance < 0)
    throw lx.error(d.start, `Levenshtein distance value must be greater than 0, got ${d.text}`);
  return withLang({ name, predicate, fuzzy: t.text, maxDistance });
}
