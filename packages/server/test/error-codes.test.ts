/**
 * The README's "Error codes" table is @strata/core's ERROR_CODES, rendered: this test fails when
 * they differ. `STRATA_UPDATE_README=1 pnpm --filter @strata/server test error-codes` rewrites it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorCodesMarkdown } from '@strata/core';

const README = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
const BEGIN = '<!-- error-codes:begin (generated from ERROR_CODES, see test/error-codes.test.ts) -->\n';
const END = '<!-- error-codes:end -->';

function section(text: string): { before: string; table: string; after: string } {
  const b = text.indexOf(BEGIN);
  const e = text.indexOf(END);
  if (b === -1 || e < b) throw new Error(`README.md has no ${BEGIN.trim()} … ${END} section`);
  return {
    before: text.slice(0, b + BEGIN.length),
    table: text.slice(b + BEGIN.length, e),
    after: text.slice(e),
  };
}

describe('README "Error codes"', () => {
  it('is the table of every code in ERROR_CODES', () => {
    const text = readFileSync(README, 'utf8');
    const { before, table, after } = section(text);
    const expected = errorCodesMarkdown();
    if (process.env.STRATA_UPDATE_README === '1' && table !== expected) {
      writeFileSync(README, before + expected + after);
      return;
    }
    expect(table).toBe(expected);
  });

  it('lists each code once, with a one-line meaning and where it is returned', () => {
    const rows = errorCodesMarkdown().split('\n').slice(2, -1);
    expect(rows).toHaveLength(Object.keys(ERROR_CODES).length);
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(rows.filter((r) => r.startsWith(`| \`${code}\` |`))).toHaveLength(1);
      expect(info.meaning).not.toMatch(/\n/);
      expect(info.sources.length).toBeGreaterThan(0);
    }
  });
});
