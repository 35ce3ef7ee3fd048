import { describe, expect, it } from 'vitest';
import {
  checkPassword,
  decodeDateTime,
  encodeValue,
  formatDateTime,
  geoJsonToWkb,
  hashPassword,
  parseDateTime,
  VAL_TYPE_IDS,
} from '../src/index.js';

const hex = (text: string, t: Parameters<typeof encodeValue>[1]) =>
  encodeValue(text, t).bytes.toString('hex');

describe('value encodings (format spec §7.2)', () => {
  it('ValType numbers', () => {
    expect(VAL_TYPE_IDS).toMatchObject({
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
    });
  });

  it('int: 8 bytes little-endian two’s complement', () => {
    expect(hex('1', 'int')).toBe('0100000000000000');
    expect(hex('-1', 'int')).toBe('ffffffffffffffff');
    expect(hex('+258', 'int')).toBe('0201000000000000');
    expect(hex('9223372036854775807', 'int')).toBe('ffffffffffffff7f');
    expect(hex('-9223372036854775808', 'int')).toBe('0000000000000080');
    expect(() => encodeValue('9223372036854775808', 'int')).toThrow(
      '"9223372036854775808" is out of the int64 range',
    );
    expect(() => encodeValue('abc', 'int')).toThrow('"abc" is not a valid int');
    expect(() => encodeValue('1.5', 'int')).toThrow('"1.5" is not a valid int');
    expect(() => encodeValue('', 'int')).toThrow('"" is not a valid int');
  });

  it('float: 8 bytes little-endian IEEE-754', () => {
    expect(hex('1.5', 'float')).toBe('000000000000f83f');
    expect(hex('-2', 'float')).toBe('00000000000000c0');
    expect(hex('1e3', 'float')).toBe('0000000000408f40');
    expect(hex('.5', 'float')).toBe('000000000000e03f');
    expect(hex('+Inf', 'float')).toBe('000000000000f07f');
    expect(() => encodeValue('NaN', 'float')).toThrow('NaN is not a valid float');
    expect(() => encodeValue('1e999', 'float')).toThrow('out of the float64 range');
    expect(() => encodeValue('one', 'float')).toThrow('"one" is not a valid float');
  });

  it('bool: 1 byte (Go ParseBool spellings)', () => {
    for (const t of ['true', 'TRUE', 'True', 't', 'T', '1']) expect(hex(t, 'bool')).toBe('01');
    for (const f of ['false', 'FALSE', 'False', 'f', 'F', '0']) expect(hex(f, 'bool')).toBe('00');
    expect(() => encodeValue('yes', 'bool')).toThrow('"yes" is not a valid bool');
  });

  it('datetime: Go binary time, version 1', () => {
    expect(hex('2020-11-25T22:55:35+05:30', 'datetime')).toBe(
      '01' + '0000000ed7508a8f' + '00000000' + '014a',
    );
    // Z and zone-less forms are UTC (offset -1); an explicit +00:00 is a fixed zone (0).
    expect(hex('2020-11-25T17:25:35Z', 'datetime')).toBe('01' + '0000000ed7508a8f' + '00000000' + 'ffff');
    expect(hex('2020-11-25T17:25:35', 'datetime')).toBe('01' + '0000000ed7508a8f' + '00000000' + 'ffff');
    expect(hex('2020-11-25T17:25:35+00:00', 'datetime')).toBe(
      '01' + '0000000ed7508a8f' + '00000000' + '0000',
    );
    expect(hex('2020-11-25T17:25:35.5-01:00', 'datetime')).toBe(
      '01' + '0000000ed750989f' + '1dcd6500' + 'ffc4',
    );
    // 0001-01-01T00:00:00Z is second 0; Unix epoch is 62135596800.
    expect(hex('0001-01-01T00:00:00Z', 'datetime')).toBe('01' + '0000000000000000' + '00000000' + 'ffff');
    expect(parseDateTime('1970-01-01').seconds).toBe(62135596800n);
    // Date-only, year-month and year forms (xs:date, xs:gYearMonth, xs:gYear).
    expect(parseDateTime('1976-06-19')).toEqual(parseDateTime('1976-06-19T00:00:00Z'));
    expect(parseDateTime('2004-02')).toEqual(parseDateTime('2004-02-01T00:00:00Z'));
    expect(parseDateTime('1999')).toEqual(parseDateTime('1999-01-01T00:00:00Z'));
    expect(parseDateTime('2000-02-29T10').seconds).toBe(parseDateTime('2000-02-29T10:00:00Z').seconds);
    expect(() => encodeValue('2021-02-29', 'datetime')).toThrow('"2021-02-29": day out of range');
    expect(() => encodeValue('2021-13-01', 'datetime')).toThrow('month out of range');
    expect(() => encodeValue('2021-01-01T24:00:00Z', 'datetime')).toThrow('time out of range');
    expect(() => encodeValue('yesterday', 'datetime')).toThrow('"yesterday" is not a valid datetime');
  });

  it('datetime round trip', () => {
    for (const s of [
      '2020-11-25T22:55:35+05:30',
      '1999-12-31T23:59:59.123456789Z',
      '1850-01-01T00:00:00-03:00',
    ]) {
      expect(formatDateTime(decodeDateTime(encodeValue(s, 'datetime').bytes))).toBe(s);
    }
  });

  it('geo: GeoJSON → WKB little-endian', () => {
    expect(geoJsonToWkb('{"type":"Point","coordinates":[1,2]}').toString('hex')).toBe(
      '01' + '01000000' + '000000000000f03f' + '0000000000000040',
    );
    expect(geoJsonToWkb('{"type":"Point","coordinates":[1,2,3]}').toString('hex')).toBe(
      '01' + 'e9030000' + '000000000000f03f' + '0000000000000040' + '0000000000000840',
    );
    const ls = geoJsonToWkb('{"type":"LineString","coordinates":[[0,0],[1,1]]}');
    expect(ls.subarray(0, 9).toString('hex')).toBe('01' + '02000000' + '02000000');
    expect(ls.length).toBe(9 + 32);
    const poly = geoJsonToWkb('{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}');
    expect(poly.subarray(0, 13).toString('hex')).toBe('01' + '03000000' + '01000000' + '04000000');
    expect(poly.length).toBe(13 + 64);
    const mp = geoJsonToWkb('{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}');
    expect(mp.subarray(0, 9).toString('hex')).toBe('01' + '06000000' + '01000000');
    expect(mp.subarray(9)).toEqual(poly);
    const mpt = geoJsonToWkb('{"type":"MultiPoint","coordinates":[[1,2]]}');
    expect(mpt.toString('hex')).toBe(
      '01' + '04000000' + '01000000' + '01' + '01000000' + '000000000000f03f' + '0000000000000040',
    );
    expect(hex('{"type":"Point","coordinates":[1,2]}', 'geo')).toBe(
      geoJsonToWkb('{"type":"Point","coordinates":[1,2]}').toString('hex'),
    );
    // single quotes, as Dgraph reads them (and as its RDF export writes them)
    expect(geoJsonToWkb("{'type':'Point','coordinates':[1,2]}")).toEqual(
      geoJsonToWkb('{"type":"Point","coordinates":[1,2]}'),
    );
    expect(geoJsonToWkb(`{'type':"Point",'coordinates':[1,2]}`)).toEqual(
      geoJsonToWkb('{"type":"Point","coordinates":[1,2]}'),
    );
    expect(() => geoJsonToWkb("{'type':'Point','coordinates':[1,2]")).toThrow('not a valid GeoJSON geometry');
    expect(() => geoJsonToWkb('{"type":"Circle","coordinates":[1,2]}')).toThrow(
      'unknown geometry type "Circle"',
    );
    // found by the geojson fuzz target: names on Object.prototype are not geometry types
    for (const t of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(() => geoJsonToWkb(`{"type":"${t}","coordinates":[[]]}`)).toThrow(
        `unknown geometry type "${t}"`,
      );
    }
    expect(() => geoJsonToWkb('{"type":"Point","coordinates":[1]}')).toThrow(
      'coordinates must be an array of 2 to 4 numbers',
    );
    expect(() => geoJsonToWkb('{"type":"LineString","coordinates":[[0,0],[1,1,1]]}')).toThrow('mixed');
    expect(() => encodeValue('not json', 'geo')).toThrow('"not json" is not a valid GeoJSON geometry');
  });

  it('password: bcrypt $2a$10$ (as Go), never the plaintext', () => {
    const h = hashPassword('secret123');
    expect(h).toMatch(/^\$2a\$10\$[./A-Za-z0-9]{53}$/);
    expect(checkPassword('secret123', h)).toBe(true);
    expect(checkPassword('secret124', h)).toBe(false);
    const v = encodeValue('password1', 'password');
    expect(v.valType).toBe('password');
    expect(v.bytes.toString()).toMatch(/^\$2a\$10\$/);
    expect(() => hashPassword('short')).toThrow('password too short');
  });

  it('string, default and binary: raw bytes', () => {
    expect(hex('héllo', 'string')).toBe(Buffer.from('héllo').toString('hex'));
    expect(hex('x', 'default')).toBe('78');
    expect(hex('x', 'binary')).toBe('78');
    expect(() => encodeValue('0x1', 'uid')).toThrow('a literal cannot be a uid');
  });
});

describe('float32vector values (restored from Dgraph)', () => {
  it('answer as numbers with the shortest float32 digits, as Dgraph', async () => {
    const { jsonValue } = await import('../src/alpha/decode.js');
    const b = Buffer.alloc(16);
    [0.1, -5.25, 1e-7, 9].forEach((f, i) => b.writeFloatLE(f, i * 4));
    expect(jsonValue(b, 12)).toEqual([0.1, -5.25, 1e-7, 9]);
  });
});
