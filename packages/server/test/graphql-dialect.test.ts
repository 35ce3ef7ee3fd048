import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { dropEmptyParens } from '../src/parse/graphql-dialect.js';

describe("Dgraph's /admin GraphQL dialect", () => {
  it('drops empty parentheses (variable definitions and arguments), as gqlparser takes them', () => {
    const cases: [string, string][] = [
      [
        'query backup() { listBackups(input: {location: "/b"}) { backupId } }',
        'query backup { listBackups(input: {location: "/b"}) { backupId } }',
      ],
      ['{ health() { status } }', '{ health { status } }'],
      [
        'mutation m( , # nothing\n ) { export(input: {}) { taskId } }',
        'mutation m { export(input: {}) { taskId } }',
      ],
    ];
    for (const [dgraph, js] of cases) {
      expect(dropEmptyParens(dgraph)).toBe(js);
      expect(() => parse(dgraph)).toThrow();
      expect(() => parse(dropEmptyParens(dgraph))).not.toThrow();
    }
  });

  it('leaves strings, block strings, comments and non-empty parentheses alone', () => {
    for (const q of [
      '{ listBackups(input: {location: "/a()b"}) { path } }',
      '{ listBackups(input: {location: """x() \\""" ()"""}) { path } }',
      '# a () comment\n{ health { status } }',
      'query q($a: String) { health { status } }',
      '{ listBackups(input: {location: "unterminated () ',
    ]) {
      expect(dropEmptyParens(q)).toBe(q);
    }
  });
});
