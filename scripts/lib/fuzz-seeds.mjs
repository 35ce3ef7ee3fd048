// Seed corpora of the fuzz targets, made at run time from the real Dgraph backups in
// ../shared/fixtures/dgraph, the snappy/S2 vectors of packages/native/testdata and the N-Quads
// of ../shared/datasets (nothing here is committed). Each target's input layout (its selector
// byte) is described at the top of its harness; the seeds follow it.
import { createCipheriv, createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

/** The key of the `backup_reader` target (fuzz_targets/backup_reader.rs, `KEY`). */
const READER_KEY = Buffer.from('strata-fuzz-fixed-key-0123456789');

/** A 16-byte IV derived from `bytes`: the same seeds on every run (seeds are named by hash). */
const ivFor = (bytes) => createHash('sha256').update(bytes).digest().subarray(0, 16);

/** Files under `dir` (recursively) whose name matches `re`. @returns {string[]} */
function files(dir, re) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p, re));
    else if (re.test(name)) out.push(p);
  }
  return out;
}

/** Splits a framed stream (`u64 LE length, body`...) into its bodies. @param {Buffer} s */
function frames(s) {
  const out = [];
  for (let at = 0; at + 8 <= s.length;) {
    const n = Number(s.readBigUInt64LE(at));
    out.push(s.subarray(at + 8, at + 8 + n));
    at += 8 + n;
  }
  return out;
}

/** A corpus folder writer: each seed is named by its hash, so reruns do not duplicate. */
function corpus(root, target) {
  const dir = join(root, target);
  mkdirSync(dir, { recursive: true });
  let n = 0;
  /** @param {Buffer | Uint8Array} bytes */
  const add = (bytes) => {
    const name = createHash('sha1').update(bytes).digest('hex');
    writeFileSync(join(dir, name), bytes);
    n += 1;
  };
  return { dir, add, count: () => n };
}

const u32le = (n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const f64le = (x) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return b;
};
/** WKB of go-geom (little-endian): type, then the body. */
const wkb = (type, ...parts) => Buffer.concat([Buffer.from([1]), u32le(type), ...parts]);
const pt = (x, y) => Buffer.concat([f64le(x), f64le(y)]);
const seq = (items) => Buffer.concat([u32le(items.length), ...items]);

/** Go's `time.Time.MarshalBinary` (version 1) of a Unix time and an offset in minutes. */
function goTime(unix, nsec, offMin) {
  const b = Buffer.alloc(15);
  b[0] = 1;
  b.writeBigInt64BE(BigInt(unix) + 62135596800n, 1);
  b.writeInt32BE(nsec, 9);
  b.writeInt16BE(offMin, 13);
  return b;
}

/** An internal key: prefix, [namespace], attr length, attr, kind, uid. */
function internalKey(withNs, prefix, attr, kind, tail) {
  const a = Buffer.from(attr);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(a.length);
  const ns = withNs ? Buffer.alloc(8) : Buffer.alloc(0);
  const rest = kind === undefined ? Buffer.alloc(0) : Buffer.concat([Buffer.from([kind]), tail]);
  return Buffer.concat([Buffer.from([prefix]), ns, len, a, rest]);
}

/**
 * Writes the seeds of every target under `root/<target>/`.
 * @param {{ root: string, repo: string, shared: string }} where
 * @returns {Promise<Record<string, { dir: string, seeds: number }>>}
 */
export async function writeSeeds({ root, repo, shared }) {
  const require = createRequire(join(repo, 'packages', 'native', 'index.js'));
  const native = require(join(repo, 'packages', 'native', 'index.js'));
  const c = (name) => corpus(root, name);
  const t = {
    gzip_members: c('gzip_members'),
    snappy_framed: c('snappy_framed'),
    snappy_block: c('snappy_block'),
    backup_reader: c('backup_reader'),
    kv_list: c('kv_list'),
    posting_list: c('posting_list'),
    wkb_geo: c('wkb_geo'),
    geo_query: c('geo_query'),
    dql_regex: c('dql_regex'),
    collation_key: c('collation_key'),
    keys_values: c('keys_values'),
    nquads: c('nquads'),
    geojson: c('geojson'),
    manifest: c('manifest'),
    dql: c('dql'),
    mutation: c('mutation'),
  };
  const sel = (b, bytes) => Buffer.concat([Buffer.from([b]), bytes]);

  const backups = files(join(shared, 'fixtures', 'dgraph'), /\.backup$/);
  /** @type {Buffer[]} */
  const streams = [];
  for (const f of backups) {
    const gz = readFileSync(f);
    streams.push(gunzipSync(gz));
    t.gzip_members.add(sel(7, gz));
    t.gzip_members.add(sel(3, gz));
    for (const mode of [0, 1, 2]) {
      t.backup_reader.add(sel(7 | (mode << 3), gz));
      t.backup_reader.add(sel(0x87 | (mode << 3), Buffer.concat([ivFor(gz), gz])));
    }
  }
  // The same streams written by our writer: indexed gzip members and snappy framing.
  for (const s of streams) {
    for (const compression of ['gzip', 'snappy']) {
      const w = new native.BackupWriter({ compression, blockSize: 4096, threads: 1 });
      const file = Buffer.concat([await w.writeFramed(s), await w.finish()]);
      if (compression === 'gzip') t.gzip_members.add(sel(7, file));
      else t.snappy_framed.add(sel(7, file));
      t.backup_reader.add(sel(7 | (1 << 3), file));
      t.backup_reader.add(sel(0x87 | (2 << 3), Buffer.concat([ivFor(file), file])));
    }
    t.gzip_members.add(sel(7, gzipSync(s, { level: 1 })));
    // A real file is encrypted as IV || AES-CTR(key, IV, gzip): as the reader gets it.
    const iv = ivFor(s);
    const c = createCipheriv('aes-256-ctr', READER_KEY, iv);
    const enc = Buffer.concat([iv, c.update(gzipSync(s)), c.final()]);
    t.backup_reader.add(sel(0x07, enc)); // without the key: refused as encrypted
    for (const body of frames(s)) {
      t.kv_list.add(body);
      for (const kv of native.decodeKvList(body)) {
        if (kv.userMeta === 1) t.keys_values.add(sel(kv.key.keyType === 'TYPE' ? 7 : 6, kv.value));
        else t.posting_list.add(kv.value);
      }
    }
  }
  const vectors = join(repo, 'packages', 'native', 'testdata', 'vectors');
  for (const f of files(vectors, /\.(sz|s2)$/)) {
    if (statSync(f).size <= 64 << 10) t.snappy_framed.add(sel(7, readFileSync(f)));
  }
  for (const f of files(vectors, /\.(snappy|s2)-blk$/)) {
    if (statSync(f).size <= 64 << 10) t.snappy_block.add(sel(f.endsWith('.s2-blk') ? 1 : 0, readFileSync(f)));
  }

  // WKB as go-geom writes it: every geometry type, a big-endian one, a collection.
  const line = seq([pt(0.5, 1), pt(2, 3)]);
  const ring = seq([pt(0, 0), pt(1, 0), pt(1, 1), pt(0, 0)]);
  for (const g of [
    wkb(1, pt(1.5, 2)),
    wkb(2, line),
    wkb(3, seq([ring])),
    wkb(4, seq([wkb(1, pt(1, 2)), wkb(1, pt(-3.25, 1e21))])),
    wkb(5, seq([wkb(2, line)])),
    wkb(6, seq([wkb(3, seq([ring]))])),
    wkb(7, seq([wkb(1, pt(1, 2)), wkb(2, line)])),
    Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), Buffer.from(pt(1, 2)).reverse()]),
  ]) {
    t.wkb_geo.add(g);
    t.keys_values.add(Buffer.concat([Buffer.from([2, 11, 0]), g]));
  }
  // geo_query: [function, distance, query length, query, value]
  const square = wkb(3, seq([seq([pt(0, 0), pt(2, 0), pt(2, 2), pt(0, 2), pt(0, 0)])]));
  /** @type {[number, Buffer][]} */
  const geoCalls = [
    [0, wkb(1, pt(1, 1))],
    [1, square],
    [2, wkb(1, pt(0.5, 0.5))],
    [3, wkb(6, seq([square]))],
  ];
  for (const [f, query] of geoCalls) {
    const dist = Buffer.alloc(8);
    dist.writeDoubleLE(150_000);
    for (const value of [wkb(1, pt(1, 1.5)), wkb(3, seq([ring])), wkb(1, pt(40, 40))])
      t.geo_query.add(Buffer.concat([Buffer.from([f, ...dist, query.length]), query, value]));
  }
  // dql_regex: [flag byte, pattern, 0, value]
  /** @type {[number, string, string][]} */
  const regexCalls = [
    [0, 'abc(def|ghi)', 'xxabcghi'],
    [1, '(?i)ab[cd]e', 'ABDE'],
    [0, '^Person a1[0-9]$', 'Person a17\nnext'],
    [0, '(z*abcz*defz*)|(z*(ghi|jkl)z*)', 'zzghi'],
    [1, '[^\\s\\S]', ''],
    [0, 'a{2,5}b+c*?\\bd', 'aaabbd'],
  ];
  for (const [flag, pattern, value] of regexCalls)
    t.dql_regex.add(
      Buffer.concat([Buffer.from([flag]), Buffer.from(pattern), Buffer.from([0]), Buffer.from(value)]),
    );
  // collation_key: [tag, 0, value]
  /** @type {[string, string][]} */
  const collations = [
    ['cs', 'chata'],
    ['sv', 'Åsa'],
    ['ko', '한국어'],
    ['th', 'เกม'],
    ['zh-TW', '中文'],
    ['en', 'a\u0308\u0323b\ufb01'],
    ['hu', 'dzs\u0301\u0327'],
  ];
  for (const [tag, value] of collations)
    t.collation_key.add(Buffer.concat([Buffer.from(tag), Buffer.from([0]), Buffer.from(value)]));
  const uid = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x1f]);
  for (const withNs of [false, true]) {
    const s = withNs ? 1 : 0;
    t.keys_values.add(sel(s, internalKey(withNs, 0, 'name', 0, uid)));
    t.keys_values.add(sel(s, internalKey(withNs, 0, 'name', 2, Buffer.from('\x01alice'))));
    t.keys_values.add(sel(s, internalKey(withNs, 0, 'friend', 4, uid)));
    t.keys_values.add(sel(s, internalKey(withNs, 0, 'friend', 8, Buffer.from([0, 0, 0, 3]))));
    t.keys_values.add(sel(s, internalKey(withNs, 4, 'name', 0, Buffer.concat([uid, uid]))));
    t.keys_values.add(sel(s, internalKey(withNs, 1, 'name')));
    t.keys_values.add(sel(s, internalKey(withNs, 2, 'Person')));
  }
  const i64 = Buffer.alloc(8);
  i64.writeBigInt64LE(-42n);
  /** @type {[number, Buffer, string][]} */
  const values = [
    [9, Buffer.from('hi "there"'), 'en'],
    [2, i64, ''],
    [3, f64le(1e21), ''],
    [4, Buffer.from([1]), ''],
    [5, goTime(1_600_000_000, 5000, 120), ''],
    [1, Buffer.from([0, 0xff, 0x10]), ''],
    [7, Buffer.from('secret'), ''],
  ];
  for (const [type, v, lang] of values) {
    t.keys_values.add(Buffer.concat([Buffer.from([2, type, lang.length]), v, Buffer.from(lang)]));
  }
  for (const v of [goTime(0, 0, 0), goTime(-62135596800, 1, -1), goTime(253402300799, 999999999, -720)]) {
    t.keys_values.add(sel(3, v));
    t.keys_values.add(Buffer.concat([Buffer.from([4, 3]), v]));
  }
  /** @type {[number, string][]} */
  const texts = [
    [0, 'The quick brown fox'],
    [9, 'trigram text'],
    [10, 'hashed'],
  ];
  for (const [tok, v] of texts) {
    t.keys_values.add(Buffer.concat([Buffer.from([4, tok]), Buffer.from(v)]));
  }
  for (const d of ['DROP_ALL;', 'DROP_DATA;0x2', 'DROP_ATTR;name', 'DROP_NS;7']) {
    t.keys_values.add(sel(5, Buffer.from(d)));
  }

  // TypeScript parsers: N-Quads from the datasets (first lines) and the fixtures' expected exports,
  // GeoJSON literals, manifests of both layouts.
  for (const f of files(join(shared, 'datasets'), /\.rdf\.gz$/)) {
    const lines = gunzipSync(readFileSync(f)).toString('utf8').split('\n');
    for (let i = 0; i < 2000; i += 100) t.nquads.add(Buffer.from(lines.slice(i, i + 20).join('\n')));
  }
  for (const f of files(join(shared, 'fixtures', 'dgraph'), /^data\.rdf$/)) {
    t.nquads.add(readFileSync(f).subarray(0, 16 << 10));
  }
  for (const line of [
    '_:a <name> "Alice"@en (since=2006-01-02T15:04:05, close=true, w=1.5) .',
    '<0x1> <loc> "{\\"type\\":\\"Point\\",\\"coordinates\\":[1,2]}"^^<geo:geojson> .',
    '<0x1> <n> "42"^^<xs:int> <0x2> .',
    '<0x1> * * .',
  ]) {
    t.nquads.add(Buffer.from(line));
  }
  for (const g of [
    '{"type":"Point","coordinates":[1.5,2]}',
    '{"type":"LineString","coordinates":[[0.5,1],[2,3]]}',
    '{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}',
    '{"type":"MultiPoint","coordinates":[[1,2],[-3.25,1e21]]}',
    '{"type":"MultiLineString","coordinates":[[[0.5,1],[2,3]]]}',
    '{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}',
    '{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]}]}',
  ]) {
    t.geojson.add(Buffer.from(g));
  }
  // DQL: the interop suite's queries (the backquoted ones in its data set) and a few more.
  const interop = readFileSync(join(repo, 'e2e', 'interop', 'dataset.ts'), 'utf8');
  for (const m of interop.matchAll(/`(\{ q\(func:[^`]*)`/g)) t.dql.add(Buffer.from(m[1] ?? ''));
  // ... and the DQL differential corpus (variables, math, directives, shortest paths), uids filled in.
  const dqlCorpus = readFileSync(join(repo, 'e2e', 'dql', 'corpus.ts'), 'utf8');
  for (const m of dqlCorpus.matchAll(/[`'](\{ [^`']*|query [^`']*|schema[^`']*)[`']/g)) {
    t.dql.add(Buffer.from((m[1] ?? '').replace(/\{\{[^}]*\}\}|\$\{[^}]*\}/g, '0x1')));
  }
  for (const q of [
    'schema(pred: [name, <age>]) { type index }',
    'query me { a(func: uid(0x1, 2), first: -1) @filter(not (has(a) or uid(0x2)) and eq(n, [1, "x", 2.5e3, true])) { n: count(~f) expand(_all_) f @filter(anyoftext(t@., "w")) (offset: 1) { uid } } }',
    '{ q(func: alloftext(about@fr, "chien")) { name@en <http://x/y> ~friend { uid } } }',
  ]) {
    t.dql.add(Buffer.from(q));
  }
  // Mutation bodies: RDF blocks and JSON objects (nested nodes, languages, facets, geo, deletes).
  for (const m of [
    '{ set { _:a <name> "A"@en (since=2020-01-01T00:00:00Z) .\n_:a <friend> <0x2> . } delete { <0x1> * * . } }',
    '{"set": [{"uid": "_:a", "name": "A", "name@fr": "Â", "age": 3, "score": 1.5, "ok": true, "place": {"type": "Point", "coordinates": [1, 2]}, "friend": [{"uid": "0x2", "friend|close": true}, {"name": "B"}], "name|origin": "x"}]}',
    '{"delete": [{"uid": "0x1", "name": null, "friend": {"uid": "0x2"}}, {"uid": "0x3"}]}',
    'upsert {\n  query { q(func: eq(email, "a@x")) { v as uid  n as name } }\n  mutation @if(eq(len(v), 0) or not gt(len(n), 1)) { set {\nuid(v) <nick> val(n) .\n} delete {\nuid(v) <name> * .\n} }\n}',
    '{"query": "{ q(func: has(a)) { v as uid } }", "mutations": [{"cond": "@if(eq(len(v), 1))", "set": [{"uid": "uid(v)", "b": "val(v)"}]}]}',
  ]) {
    t.mutation.add(Buffer.from(m));
  }
  for (const f of files(join(shared, 'fixtures', 'dgraph'), /^manifest\.json$/)) {
    t.manifest.add(sel(0, readFileSync(f)));
  }
  const master = {
    Manifests: [
      {
        type: 'full',
        since: 0,
        read_ts: 68,
        groups: { 1: ['0-name', '0-dgraph.type'], 2: [] },
        backup_id: 'quirky_kapitsa1',
        backup_num: 1,
        version: 2103,
        path: 'dgraph.20210101.000000.000',
        encrypted: false,
        drop_operations: [{ drop_op: 2, drop_value: '0-name' }],
        compression: 'snappy',
      },
    ],
  };
  t.manifest.add(sel(1, Buffer.from(JSON.stringify(master))));

  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { dir: v.dir, seeds: v.count() }]));
}
