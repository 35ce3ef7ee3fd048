#!/usr/bin/env node
/**
 * Regenerates packages/native/src/store/collate/data/ from Go's golang.org/x/text/collate tables
 * (the CLDR 23 / Unicode 6.2 collation tables Dgraph's `exact` index uses for language-tagged
 * values). Run once per x/text upgrade; the output is committed so that building Strata needs no Go.
 *
 *   node scripts/gen/collation-tables.mjs [x/text version, default v0.39.0]
 *
 * It downloads the module with `go mod download` and reads the arrays of collate/tables.go.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const version = process.argv[2] ?? 'v0.39.0';
const out = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../packages/native/src/store/collate/data',
);
const info = JSON.parse(
  execFileSync('go', ['mod', 'download', '-json', `golang.org/x/text@${version}`], { encoding: 'utf8' }),
);
const src = readFileSync(path.join(info.Dir, 'collate', 'tables.go'), 'utf8');

/**
 * The first capture of `re` in `text`; throws naming `what` when there is none.
 * @param {RegExp} re @param {string} text @param {string} what @returns {string}
 */
function must(re, text, what) {
  const m = re.exec(text);
  if (!m || m[1] === undefined) throw new Error(`tables.go: no ${what}`);
  return m[1];
}

/**
 * The body of `var NAME = [N]TYPE{ ... }` with its declared length.
 * @param {string} name @returns {{ length: number, body: string }}
 */
function arrayBody(name) {
  const m = new RegExp(
    `var ${name} = \\[(\\d+)\\](?:struct\\{[^}]*\\}|\\w+)\\{\\n([\\s\\S]*?)\\n\\}\\n`,
  ).exec(src);
  if (!m || m[1] === undefined || m[2] === undefined) throw new Error(`tables.go has no array ${name}`);
  return { length: Number(m[1]), body: m[2].replace(/\/\/[^\n]*/g, '') };
}

/** Numbers of an array whose items are either `0xV,` in order or `0xK: 0xV,` at index K. */
function numbers(name) {
  const { length, body } = arrayBody(name);
  const values = new Array(length).fill(0);
  let next = 0;
  for (const item of body.split(',')) {
    const t = item.trim();
    if (!t) continue;
    const kv = /^(0x[0-9a-fA-F]+|\d+):\s*(0x[0-9a-fA-F]+|\d+)$/.exec(t);
    const [index, value] = kv ? [Number(kv[1]), Number(kv[2])] : [next, Number(t)];
    if (!Number.isInteger(value) || index >= length) throw new Error(`${name}: bad item ${t}`);
    values[index] = value;
    next = index + 1;
  }
  return values;
}

function write(file, values, width) {
  const buf = Buffer.alloc(values.length * width);
  values.forEach((v, i) => (width === 4 ? buf.writeUInt32LE(v, i * 4) : buf.writeUInt16LE(v, i * 2)));
  writeFileSync(path.join(out, file), buf);
}

mkdirSync(out, { recursive: true });
write('values.bin', numbers('mainValues'), 4);
write('lookup.bin', numbers('mainLookup'), 2);
write('expand.bin', numbers('mainExpandElem'), 4);
write('contract.bin', numbers('mainContractElem'), 4);

const ct = arrayBody('mainCTEntries');
const entries = [...ct.body.matchAll(/\{([^}]*)\}/g)].map((m) =>
  (m[1] ?? '').split(',').map((x) => Number(x.trim())),
);
if (
  entries.length !== ct.length ||
  entries.some((e) => e.length !== 4 || e.some((x) => !(x >= 0 && x <= 255)))
)
  throw new Error('mainCTEntries: unexpected shape');
writeFileSync(path.join(out, 'ctentries.bin'), Buffer.from(entries.flat()));

const names = must(/var availableLocales = "([^"]*)"/, src, 'availableLocales').split(',');
const offsets = [...src.matchAll(/lookupOffset: (0x[0-9a-f]+),\s*valuesOffset: (0x[0-9a-f]+),/g)].map((m) => [
  Number(m[1]),
  Number(m[2]),
]);
if (offsets.length !== names.length) throw new Error('locales and their offsets differ in number');
const varTop = Number(must(/const varTop = (0x[0-9a-f]+)/, src, 'varTop'));
const indexGo = readFileSync(path.join(info.Dir, 'collate', 'index.go'), 'utf8');
const maxContract = Number(must(/MaxContractLen: (\d+)/, indexGo, 'MaxContractLen'));
const cldr = must(/CLDRVersion = "([^"]*)"/, src, 'CLDRVersion');
const unicode = must(/UnicodeVersion = "([^"]*)"/, src, 'UnicodeVersion');
writeFileSync(
  path.join(out, 'locales.tsv'),
  `# golang.org/x/text ${version} collate: CLDR ${cldr}, Unicode ${unicode}, varTop ${varTop}, max contraction ${maxContract}\n` +
    names.map((n, i) => `${n}\t${(offsets[i] ?? []).join('\t')}`).join('\n') +
    '\n',
);
console.log(`wrote ${out}`);
