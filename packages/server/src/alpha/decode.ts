/** Stored values (Dgraph's binary encodings) → the JSON values a query answers with. */
import { decodeDateTime, formatDateTime, VAL_TYPE_IDS, type ValueType } from '../parse/values.js';

export const VALUE_TYPE_BY_ID: readonly ValueType[] = (() => {
  const out: ValueType[] = [];
  for (const [name, id] of Object.entries(VAL_TYPE_IDS)) out[id] = name as ValueType;
  return out;
})();

class WkbReader {
  pos = 0;
  constructor(private readonly b: Buffer) {}
  u8(): number {
    return this.b.readUInt8(this.pos++);
  }
  u32(le: boolean): number {
    const v = le ? this.b.readUInt32LE(this.pos) : this.b.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  f64(le: boolean): number {
    const v = le ? this.b.readDoubleLE(this.pos) : this.b.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }
}

const GEO_NAMES = ['', 'Point', 'LineString', 'Polygon', 'MultiPoint', 'MultiLineString', 'MultiPolygon'];

function readGeometry(r: WkbReader): { type: string; coordinates: unknown } {
  const le = r.u8() === 1;
  const code = r.u32(le);
  const base = code % 1000;
  const dim = code >= 3000 ? 4 : code >= 1000 ? 3 : 2;
  const pt = () => Array.from({ length: dim }, () => r.f64(le));
  const line = () => Array.from({ length: r.u32(le) }, pt);
  const poly = () => Array.from({ length: r.u32(le) }, line);
  const type = GEO_NAMES[base];
  if (!type) throw new Error(`unsupported WKB geometry type ${code}`);
  switch (base) {
    case 1:
      return { type, coordinates: pt() };
    case 2:
      return { type, coordinates: line() };
    case 3:
      return { type, coordinates: poly() };
    default: {
      const n = r.u32(le);
      return { type, coordinates: Array.from({ length: n }, () => readGeometry(r).coordinates) };
    }
  }
}

/** WKB (as geoJsonToWkb writes it) → a GeoJSON geometry object. */
export function wkbToGeoJson(bytes: Buffer): { type: string; coordinates: unknown } {
  return readGeometry(new WkbReader(bytes));
}

/** Dgraph's value type id of `float32vector` (restored from Dgraph backups; Strata does not write it). */
const VFLOAT = 12;

/**
 * A float32vector (little-endian f32s) as Dgraph answers it: numbers with the shortest digits that
 * give back the same float32 (Go's JSON encoding of a []float32), so 0.1 stays 0.1.
 */
function float32Vector(bytes: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    const x = bytes.readFloatLE(i);
    let v = x;
    if (Number.isFinite(x))
      for (let p = 1; p <= 9; p++) {
        const c = Number(x.toPrecision(p));
        if (Math.fround(c) === x) {
          v = c;
          break;
        }
      }
    out.push(v);
  }
  return out;
}

/**
 * A stored value as JSON: int → number, float → number, bool, datetime → RFC 3339, geo → GeoJSON,
 * float32vector → numbers, string/default → string, binary → base64. Passwords return `undefined`
 * (never shown).
 */
export function jsonValue(bytes: Buffer, valType: number): unknown {
  if (valType === VFLOAT && bytes.length % 4 === 0) return float32Vector(bytes);
  switch (VALUE_TYPE_BY_ID[valType]) {
    case 'int': {
      const v = bytes.length === 8 ? bytes.readBigInt64LE() : 0n;
      return Number.isSafeInteger(Number(v)) ? Number(v) : String(v);
    }
    case 'float':
      return bytes.length === 8 ? bytes.readDoubleLE() : 0;
    case 'bool':
      return bytes[0] === 1;
    case 'datetime':
      try {
        return formatDateTime(decodeDateTime(bytes));
      } catch {
        return bytes.toString('utf8');
      }
    case 'geo':
      try {
        return wkbToGeoJson(bytes);
      } catch {
        return null;
      }
    case 'password':
      return undefined;
    case 'binary':
      return bytes.toString('base64');
    default:
      return bytes.toString('utf8');
  }
}

/** A facet's value as Dgraph answers it (`api.Facet.ValType`: 0 string, 1 int, 2 float, 3 bool, 4 datetime). */
export function facetJson(valType: number, bytes: Buffer): unknown {
  switch (valType) {
    case 1: {
      const v = bytes.length === 8 ? bytes.readBigInt64LE() : 0n;
      return Number.isSafeInteger(Number(v)) ? Number(v) : String(v);
    }
    case 2:
      return bytes.length === 8 ? bytes.readDoubleLE() : 0;
    case 3:
      return bytes[0] === 1;
    case 4:
      try {
        return formatDateTime(decodeDateTime(bytes));
      } catch {
        return bytes.toString('utf8');
      }
    default:
      return bytes.toString('utf8');
  }
}

/** A uid as Dgraph prints it. */
export function hexUid(uid: bigint): string {
  return `0x${uid.toString(16)}`;
}
