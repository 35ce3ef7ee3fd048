/** Strata's generated demo data set (@strata/core) against the server's schema and N-Quads parsers. */
import { describe, expect, it } from 'vitest';
import { DEMO_PREDICATES, DEMO_SCHEMA, DEMO_TYPES, demoLines } from '@strata/core';
import {
  parseNQuadLine,
  parseSchema,
  validateValue,
  type NQuad,
  type ValueType,
} from '../src/parse/index.js';

describe('demo data set', () => {
  const schema = parseSchema(DEMO_SCHEMA);
  const byName = new Map(schema.predicates.map((p) => [p.name, p]));

  it('its schema parses, with every index kind and directive Strata supports', () => {
    expect(schema.predicates.map((p) => p.name)).toEqual(DEMO_PREDICATES);
    expect(schema.types.map((t) => t.name)).toEqual(DEMO_TYPES);
    const tokenizers = new Set(schema.predicates.flatMap((p) => p.index));
    expect([...tokenizers].sort()).toEqual(
      ['bool', 'day', 'exact', 'float', 'hash', 'hour', 'int', 'month', 'term', 'trigram', 'year'].sort(),
    );
    const valueTypes = new Set(schema.predicates.map((p) => p.valueType));
    expect([...valueTypes].sort()).toEqual(
      ['bool', 'datetime', 'default', 'float', 'geo', 'int', 'password', 'string', 'uid'].sort(),
    );
    for (const flag of ['reverse', 'count', 'upsert', 'lang'] as const) {
      expect(
        schema.predicates.some((p) => p[flag]),
        flag,
      ).toBe(true);
    }
    expect(byName.get('tags')).toMatchObject({ valueType: 'string', list: true });
    // Every type field is a declared predicate (or the reverse of one).
    for (const t of schema.types) {
      for (const f of t.fields) expect(byName.has(f.replace(/^~/, '')), `${t.name}.${f}`).toBe(true);
    }
  });

  it('every line parses, and every literal is a valid value of its predicate', () => {
    let lines = 0;
    const facetTypes = new Set<string>();
    const geoKinds = new Set<string>();
    const typed = new Set<ValueType>();
    for (const line of demoLines()) {
      lines++;
      const q: NQuad | undefined = parseNQuadLine(line, lines);
      if (!q) throw new Error(`line ${lines} is empty: ${line}`);
      for (const f of q.facets) facetTypes.add(f.valType);
      if (q.predicate === 'dgraph.type') {
        if (q.object.kind !== 'literal' || !DEMO_TYPES.includes(q.object.value)) {
          throw new Error(`line ${lines}: not a schema type: ${line}`);
        }
        continue;
      }
      const p = byName.get(q.predicate);
      if (!p) throw new Error(`line ${lines}: predicate not in the schema: ${line}`);
      if (p.valueType === 'uid') {
        if (q.object.kind !== 'blank') throw new Error(`line ${lines}: expected a node: ${line}`);
        continue;
      }
      if (q.object.kind !== 'literal') throw new Error(`line ${lines}: expected a literal: ${line}`);
      if (q.object.lang && !p.lang) throw new Error(`line ${lines}: @lang on ${p.name}: ${line}`);
      validateValue(q.object.value, p.valueType);
      typed.add(p.valueType);
      if (p.valueType === 'geo') geoKinds.add((JSON.parse(q.object.value) as { type: string }).type);
    }
    expect(lines).toBeGreaterThan(280_000);
    expect([...typed].sort()).toEqual(
      ['bool', 'datetime', 'default', 'float', 'geo', 'int', 'password', 'string'].sort(),
    );
    expect([...geoKinds].sort()).toEqual(['Point', 'Polygon']);
    expect([...facetTypes].sort()).toEqual(['bool', 'datetime', 'float', 'int', 'string']);
  });
});
