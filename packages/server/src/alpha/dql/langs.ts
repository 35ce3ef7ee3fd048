/**
 * Which of a predicate's values a selection shows, as Dgraph picks them: none asked, the untagged
 * ones; `name@en:fr` the first language with a value; `.` the untagged value, else any tagged one.
 */
import { HttpError } from '../../http/errors.js';
import type { Langs } from '../../parse/query.js';
import type { WireFactValue } from '../wire.js';

export function pickValues(values: WireFactValue[], langs: Langs | undefined): WireFactValue[] {
  if (!langs) return values.filter((v) => !v.lang);
  for (const l of langs) {
    if (l === '.') {
      const untagged = values.filter((v) => !v.lang);
      if (untagged.length) return untagged;
      const tagged = values.find((v) => v.lang);
      return tagged ? [tagged] : [];
    }
    const found = values.filter((v) => v.lang === l);
    if (found.length) return found;
  }
  return [];
}

/** Dgraph's refusal of a language on a predicate without `@lang` (a value, a comparison). */
export function langNotAllowed(predicate: string): HttpError {
  return new HttpError(
    'BAD_REQUEST',
    `: Language tags can only be used with predicates of string type having @lang directive in schema. Got: [${predicate}]`,
  );
}
