/**
 * Dgraph's value types and their binary encodings (format spec §6.7, §7.2): literal text →
 * `{valType, bytes}` exactly as Dgraph stores `Posting.value`.
 */
import bcrypt from 'bcryptjs';
import { ValueError } from './errors.js';

export type ValueType =
  'default' | 'binary' | 'int' | 'float' | 'bool' | 'datetime' | 'geo' | 'uid' | 'password' | 'string';

export const VALUE_TYPES: readonly ValueType[] = [
  'default',
  'binary',
  'int',
  'float',
  'bool',
  'datetime',
  'geo',
  'uid',
  'password',
  'string',
];

/** `ValType` enum numbers (Posting.val_type, SchemaUpdate.value_type). */
export const VAL_TYPE_IDS: Readonly<Record<ValueType, number>> = {
  default: 0,
  binary: 1,
  int: 2,
  float: 3,
  bool: 4,
  datetime: 5,
  geo: 6,
  uid: 7,
  password: 8,
  string: 9,
};

export interface TypedValue {
  valType: ValueType;
  bytes: Buffer;
}

/** RDF datatype IRIs as Dgraph's RDF parser maps them (`chunker/rdf_parser.go` typeMap). */
export const RDF_TYPES: Readonly<Record<string, ValueType>> = {
  'xs:password': 'password',
  'xs:string': 'string',
  'xs:date': 'datetime',
  'xs:dateTime': 'datetime',
  'xs:int': 'int',
  'xs:integer': 'int',
  'xs:positiveInteger': 'int',
  'xs:boolean': 'bool',
  'xs:double': 'float',
  'xs:float': 'float',
  'xs:base64Binary': 'binary',
  'geo:geojson': 'geo',
  'http://www.w3.org/2001/XMLSchema#string': 'string',
  'http://www.w3.org/2001/XMLSchema#dateTime': 'datetime',
  'http://www.w3.org/2001/XMLSchema#date': 'datetime',
  'http://www.w3.org/2001/XMLSchema#int': 'int',
  'http://www.w3.org/2001/XMLSchema#positiveInteger': 'int',
  'http://www.w3.org/2001/XMLSchema#integer': 'int',
  'http://www.w3.org/2001/XMLSchema#boolean': 'bool',
  'http://www.w3.org/2001/XMLSchema#double': 'float',
  'http://www.w3.org/2001/XMLSchema#float': 'float',
  'http://www.w3.org/2001/XMLSchema#gYear': 'datetime',
  'http://www.w3.org/2001/XMLSchema#gYearMonth': 'datetime',
};

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

function invalid(text: string, what: string): ValueError {
  return new ValueError(`${JSON.stringify(text)} is not a valid ${what}`);
}

// ---------------------------------------------------------------- int / float / bool

/** Go `strconv.ParseInt(s, 10, 64)`. */
export function parseInt64(text: string): bigint {
  if (!/^[+-]?\d+$/.test(text)) throw invalid(text, 'int');
  const v = BigInt(text);
  if (v < INT64_MIN || v > INT64_MAX)
    throw new ValueError(`${JSON.stringify(text)} is out of the int64 range`);
  return v;
}

export function encodeInt(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(v);
  return b;
}

const FLOAT_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INF_RE = /^[+-]?(inf|infinity)$/i;

/** Whether {@link parseFloat64} reads `text` as a float (or refuses it as NaN), without trying. */
export function floatLike(text: string): boolean {
  return FLOAT_RE.test(text) || INF_RE.test(text) || /^[+-]?nan$/i.test(text);
}

/** Go `strconv.ParseFloat(s, 64)` (decimal and infinities; NaN is refused as Dgraph does). */
export function parseFloat64(text: string): number {
  if (INF_RE.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(text)) throw new ValueError(`NaN is not a valid float`);
  if (!FLOAT_RE.test(text)) throw invalid(text, 'float');
  const v = Number(text);
  if (!Number.isFinite(v)) throw new ValueError(`${JSON.stringify(text)} is out of the float64 range`);
  return v;
}

export function encodeFloat(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return b;
}

/** Go `strconv.ParseBool`. */
export function parseBool(text: string): boolean {
  switch (text) {
    case '1':
    case 't':
    case 'T':
    case 'true':
    case 'TRUE':
    case 'True':
      return true;
    case '0':
    case 'f':
    case 'F':
    case 'false':
    case 'FALSE':
    case 'False':
      return false;
    default:
      throw invalid(text, 'bool');
  }
}

export function encodeBool(v: boolean): Buffer {
  return Buffer.from([v ? 1 : 0]);
}

// ---------------------------------------------------------------- datetime

/** A point in time as Go's `time.Time` holds it. */
export interface GoTime {
  /** Seconds since 0001-01-01T00:00:00Z. */
  seconds: bigint;
  nanos: number;
  /** Minutes east of UTC, or -1 when the location is UTC (no zone, or `Z`). */
  offsetMinutes: number;
}

/** Seconds from 0001-01-01 to 1970-01-01. */
export const GO_UNIX_OFFSET = 62135596800n;

function daysFromCivil(y: number, m: number, d: number): number {
  // Howard Hinnant's algorithm: days since 1970-01-01 of a proleptic Gregorian date.
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const DATETIME_RE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?)?)?)?)?)?$/;

/**
 * Dgraph's `types.ParseTime`: RFC 3339 (`time.Time.UnmarshalText`), else the zone-less forms
 * `2006-01-02T15:04:05[.f]`, `2006-01-02T15:04`, `2006-01-02T15`, `2006-01-02`, `2006-01`, `2006`
 * (read as UTC).
 */
export function parseDateTime(text: string): GoTime {
  const m = DATETIME_RE.exec(text);
  if (!m) throw invalid(text, 'datetime');
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = m;
  const year = Number(ys);
  const month = mos === undefined ? 1 : Number(mos);
  const day = ds === undefined ? 1 : Number(ds);
  const hour = hs === undefined ? 0 : Number(hs);
  const minute = mis === undefined ? 0 : Number(mis);
  const second = ss === undefined ? 0 : Number(ss);
  if (month < 1 || month > 12) throw new ValueError(`${JSON.stringify(text)}: month out of range`);
  if (day < 1 || day > daysIn(year, month)) throw new ValueError(`${JSON.stringify(text)}: day out of range`);
  if (hour > 23 || minute > 59 || second > 59)
    throw new ValueError(`${JSON.stringify(text)}: time out of range`);
  let offsetSeconds = 0;
  let offsetMinutes = -1;
  if (zone !== undefined && zone !== 'Z') {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(4, 6));
    if (zh > 23 || zm > 59) throw new ValueError(`${JSON.stringify(text)}: zone offset out of range`);
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (zh * 60 + zm);
    offsetSeconds = offsetMinutes * 60;
  }
  const unix = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds;
  const nanos = frac === undefined ? 0 : Number(frac.padEnd(9, '0'));
  return { seconds: BigInt(unix) + GO_UNIX_OFFSET, nanos, offsetMinutes };
}

/** Go `time.Time.MarshalBinary` (version 1). */
export function encodeDateTime(t: GoTime): Buffer {
  const b = Buffer.alloc(15);
  b[0] = 1;
  b.writeBigInt64BE(t.seconds, 1);
  b.writeInt32BE(t.nanos, 9);
  b.writeInt16BE(t.offsetMinutes, 13);
  return b;
}

/** Reads Go's binary time form back (versions 1 and 2). */
export function decodeDateTime(bytes: Buffer): GoTime & { offsetSeconds: number } {
  if ((bytes[0] !== 1 || bytes.length !== 15) && (bytes[0] !== 2 || bytes.length !== 16)) {
    throw new ValueError('not a Go binary time (version 1 or 2)');
  }
  return {
    seconds: bytes.readBigInt64BE(1),
    nanos: bytes.readInt32BE(9),
    offsetMinutes: bytes.readInt16BE(13),
    offsetSeconds: bytes[0] === 2 ? bytes.readInt8(15) : 0,
  };
}

/** RFC 3339 text of a Go time (as Dgraph prints datetimes). */
export function formatDateTime(t: GoTime): string {
  const offMin = t.offsetMinutes === -1 ? 0 : t.offsetMinutes;
  const local = Number(t.seconds - GO_UNIX_OFFSET) + offMin * 60;
  const date = new Date(local * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  let s =
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  if (t.nanos) s += `.${pad(t.nanos, 9).replace(/0+$/, '')}`;
  if (t.offsetMinutes === -1) return `${s}Z`;
  const a = Math.abs(offMin);
  return `${s}${offMin < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

// ---------------------------------------------------------------- geo

const WKB_TYPES = {
  Point: 1,
  LineString: 2,
  Polygon: 3,
  MultiPoint: 4,
  MultiLineString: 5,
  MultiPolygon: 6,
  GeometryCollection: 7,
} as const;
type GeoKind = keyof typeof WKB_TYPES;

class WkbWriter {
  private readonly parts: Buffer[] = [];

  u8(v: number): void {
    this.parts.push(Buffer.from([v]));
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.parts.push(b);
  }
  coords(c: number[]): void {
    const b = Buffer.alloc(8 * c.length);
    c.forEach((x, i) => b.writeDoubleLE(x, 8 * i));
    this.parts.push(b);
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function geoErr(msg: string): ValueError {
  return new ValueError(`invalid GeoJSON: ${msg}`);
}

/** Checks a position and returns its dimension (2, 3 or 4). */
function position(p: unknown, where: string): number[] {
  if (
    !Array.isArray(p) ||
    p.length < 2 ||
    p.length > 4 ||
    !p.every((x) => typeof x === 'number' && Number.isFinite(x))
  ) {
    throw geoErr(`${where} must be an array of 2 to 4 numbers`);
  }
  return p as number[];
}

function positions(ps: unknown, where: string, dim: { n: number }): number[][] {
  if (!Array.isArray(ps)) throw geoErr(`${where} must be an array of positions`);
  return ps.map((p, i) => {
    const pos = position(p, `${where}[${i}]`);
    if (dim.n === 0) dim.n = pos.length;
    else if (dim.n !== pos.length) throw geoErr('positions of different dimensions are mixed');
    return pos;
  });
}

function nested(ps: unknown, depth: number, where: string, dim: { n: number }): unknown[] {
  if (!Array.isArray(ps)) throw geoErr(`${where} must be an array`);
  if (depth === 0) return positions(ps, where, dim);
  return ps.map((x, i) => nested(x, depth - 1, `${where}[${i}]`, dim));
}

function layoutOffset(n: number): number {
  return n === 3 ? 1000 : n === 4 ? 3000 : 0;
}

function writeGeometry(w: WkbWriter, g: Record<string, unknown>): void {
  const type = g.type;
  if (typeof type !== 'string' || !Object.hasOwn(WKB_TYPES, type))
    throw geoErr(`unknown geometry type ${JSON.stringify(type)}`);
  const kind = type as GeoKind;
  if (kind === 'GeometryCollection') throw geoErr('GeometryCollection is not supported');
  const dim = { n: 0 };
  const c = g.coordinates;
  const depth = { Point: -1, LineString: 0, Polygon: 1, MultiPoint: 0, MultiLineString: 1, MultiPolygon: 2 }[
    kind
  ];
  const data = depth === -1 ? position(c, 'coordinates') : nested(c, depth, 'coordinates', dim);
  if (depth === -1) dim.n = (data as number[]).length;
  if (dim.n === 0) dim.n = 2;
  const header = (t: number) => {
    w.u8(1);
    w.u32(t + layoutOffset(dim.n));
  };
  const line = (pts: number[][]) => {
    w.u32(pts.length);
    for (const p of pts) w.coords(p);
  };
  const poly = (rings: number[][][]) => {
    w.u32(rings.length);
    for (const r of rings) line(r);
  };
  header(WKB_TYPES[kind]);
  switch (kind) {
    case 'Point':
      w.coords(data as number[]);
      break;
    case 'LineString':
      line(data as number[][]);
      break;
    case 'Polygon':
      poly(data as number[][][]);
      break;
    case 'MultiPoint':
      w.u32(data.length);
      for (const p of data as number[][]) {
        header(WKB_TYPES.Point);
        w.coords(p);
      }
      break;
    case 'MultiLineString':
      w.u32(data.length);
      for (const l of data as number[][][]) {
        header(WKB_TYPES.LineString);
        line(l);
      }
      break;
    case 'MultiPolygon':
      w.u32(data.length);
      for (const p of data as number[][][][]) {
        header(WKB_TYPES.Polygon);
        poly(p);
      }
      break;
  }
}

/** GeoJSON geometry text → WKB, little-endian, ISO layout codes (go-geom's `wkb.Marshal`). */
export function geoJsonToWkb(text: string): Buffer {
  let g: unknown;
  try {
    // As Dgraph (`types/conversion.go`): every single quote becomes a double quote first, so
    // `{'type':'Point',...}` (the form Dgraph's own export writes) is read too.
    g = JSON.parse(text.replaceAll("'", '"'));
  } catch {
    throw invalid(text, 'GeoJSON geometry');
  }
  if (g === null || typeof g !== 'object' || Array.isArray(g)) throw invalid(text, 'GeoJSON geometry');
  const w = new WkbWriter();
  writeGeometry(w, g as Record<string, unknown>);
  return w.done();
}

// ---------------------------------------------------------------- password

/** bcrypt as Go's `bcrypt.GenerateFromPassword(pw, 10)`: a `$2a$10$...` hash. Passwords need 6+ chars. */
export function hashPassword(password: string, cost = 10): string {
  if ([...password].length < 6) throw new ValueError('password too short: it needs at least 6 characters');
  const salt = bcrypt.genSaltSync(cost).replace(/^\$2b\$/, '$2a$');
  return bcrypt.hashSync(password, salt);
}

export function checkPassword(password: string, hash: string): boolean {
  return bcrypt.compareSync(password, hash);
}

// ---------------------------------------------------------------- conversion

/**
 * Checks that a literal parses as `valType` without computing expensive encodings (bcrypt).
 * Throws a ValueError with the message for the user.
 */
export function validateValue(text: string, valType: ValueType): void {
  if (valType === 'password') {
    if ([...text].length < 6) throw new ValueError('password too short: it needs at least 6 characters');
    return;
  }
  encodeValue(text, valType);
}

/** Literal text → Dgraph's binary form for `valType` (format spec §7.2). */
export function encodeValue(text: string, valType: ValueType): TypedValue {
  switch (valType) {
    case 'default':
    case 'string':
      return { valType, bytes: Buffer.from(text, 'utf8') };
    case 'binary':
      return { valType, bytes: Buffer.from(text, 'utf8') };
    case 'int':
      return { valType, bytes: encodeInt(parseInt64(text)) };
    case 'float':
      return { valType, bytes: encodeFloat(parseFloat64(text)) };
    case 'bool':
      return { valType, bytes: encodeBool(parseBool(text)) };
    case 'datetime':
      return { valType, bytes: encodeDateTime(parseDateTime(text)) };
    case 'geo':
      return { valType, bytes: geoJsonToWkb(text) };
    case 'password':
      return { valType, bytes: Buffer.from(hashPassword(text), 'utf8') };
    case 'uid':
      throw new ValueError(`${JSON.stringify(text)}: a literal cannot be a uid (write <0x..> instead)`);
  }
}
