// Reproducible synthetic backup stream: framed KVLists (u64 LE length + protobuf KVList) holding
// Dgraph-shaped keys and posting lists: uid edges, string/int value postings with their placeholder
// uids, and index keys with long sorted uid lists. A seeded PRNG makes every run produce the same bytes.

/** xorshift32: tiny, seedable, good enough for test data. */
export function prng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

class Pb {
  constructor() {
    this.parts = [];
    this.len = 0;
  }
  raw(buf) {
    this.parts.push(buf);
    this.len += buf.length;
  }
  varint(v) {
    let n = BigInt(v);
    const out = [];
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n > 0n) b |= 0x80;
      out.push(b);
    } while (n > 0n);
    this.raw(Buffer.from(out));
  }
  tag(field, wire) {
    this.varint((field << 3) | wire);
  }
  bytes(field, buf) {
    this.tag(field, 2);
    this.varint(buf.length);
    this.raw(buf);
  }
  uint(field, v) {
    this.tag(field, 0);
    this.varint(v);
  }
  fixed64(field, v) {
    this.tag(field, 1);
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.raw(b);
  }
  packed(field, values) {
    const inner = new Pb();
    for (const v of values) inner.varint(v);
    this.bytes(field, inner.done());
  }
  done() {
    return Buffer.concat(this.parts, this.len);
  }
}

const MAX_U64 = (1n << 64n) - 1n;
const PREDICATES = [
  'name',
  'initial_release_date',
  'genre',
  'director.film',
  'starring',
  'performance.actor',
  'rating',
  'dgraph.type',
];

function backupKey(type, attr, uid, term) {
  const k = new Pb();
  k.uint(1, type);
  k.bytes(2, Buffer.from(attr));
  if (uid !== undefined) k.uint(3, uid);
  if (term !== undefined) k.bytes(5, term);
  return k.done();
}

function posting(uid, value, valType, ts) {
  const p = new Pb();
  p.fixed64(1, uid);
  p.bytes(2, value);
  p.uint(3, valType);
  p.uint(4, 1); // VALUE
  p.uint(12, 1);
  p.uint(13, ts);
  p.uint(14, ts + 1);
  return p.done();
}

/** Generates `bytes` bytes (at least) of framed KVLists. */
export function generateFrames(bytes, seed = 42) {
  const rnd = prng(seed);
  const syllables = [
    'ka',
    'lo',
    'mi',
    'ne',
    'ru',
    'sa',
    'to',
    'vi',
    'an',
    'el',
    'or',
    'us',
    'ber',
    'don',
    'ter',
  ];
  const words = Array.from({ length: 200 }, (_, i) => {
    let w = '';
    const n = 1 + Math.floor(rnd() * 3);
    for (let j = 0; j < n; j++) w += syllables[Math.floor(rnd() * syllables.length)];
    return i % 5 === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w;
  });
  const word = () => words[Math.floor(Math.pow(rnd(), 3) * words.length)] ?? '';
  const frames = [];
  let total = 0;
  let uid = 1;
  let ts = 1000;
  while (total < bytes) {
    const list = new Pb();
    for (let i = 0; i < 400; i++) {
      const kind = rnd();
      const pred = PREDICATES[Math.floor(rnd() * PREDICATES.length)];
      const kv = new Pb();
      let value;
      if (kind < 0.35) {
        // string value posting (non-list predicate: placeholder uid 2^64-1)
        const text = Array.from({ length: 1 + Math.floor(rnd() * 4) }, word).join(' ');
        const pl = new Pb();
        pl.packed(1, [MAX_U64]);
        pl.bytes(2, posting(MAX_U64, Buffer.from(text), 9, ts));
        value = pl.done();
        kv.bytes(1, backupKey(1, pred, uid++));
      } else if (kind < 0.5) {
        const pl = new Pb();
        const v = Buffer.alloc(8);
        v.writeBigInt64LE(BigInt(1900 + Math.floor(rnd() * 120)));
        pl.packed(1, [MAX_U64]);
        pl.bytes(2, posting(MAX_U64, v, 2, ts));
        value = pl.done();
        kv.bytes(1, backupKey(1, pred, uid++));
      } else if (kind < 0.75) {
        // uid edges: a few objects near the subject
        const n = 1 + Math.floor(rnd() * 12);
        const objs = [];
        let o = Math.max(1, uid - Math.floor(rnd() * 300));
        for (let j = 0; j < n; j++) objs.push((o += rnd() < 0.7 ? 1 : 1 + Math.floor(rnd() * 4)));
        const pl = new Pb();
        pl.packed(1, objs);
        value = pl.done();
        kv.bytes(1, backupKey(1, pred, uid++));
      } else {
        // index key: exact token, long sorted uid list
        const n = 10 + Math.floor(rnd() * 100);
        const objs = [];
        let o = 1 + Math.floor(rnd() * 1000);
        for (let j = 0; j < n; j++) objs.push((o += rnd() < 0.85 ? 1 : 2));
        const pl = new Pb();
        pl.packed(1, objs);
        value = pl.done();
        kv.bytes(1, backupKey(2, pred, undefined, Buffer.concat([Buffer.from([2]), Buffer.from(word())])));
      }
      kv.bytes(2, value);
      kv.bytes(3, Buffer.from([8]));
      kv.uint(4, ts);
      list.bytes(1, kv.done());
      if (rnd() < 0.05) ts += 1;
    }
    const body = list.done();
    const head = Buffer.alloc(8);
    head.writeBigUInt64LE(BigInt(body.length));
    frames.push(head, body);
    total += 8 + body.length;
  }
  return Buffer.concat(frames);
}
