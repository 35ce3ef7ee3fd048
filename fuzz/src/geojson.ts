/**
 * GeoJSON literals (`"..."^^<geo:geojson>`) to WKB (packages/server/src/parse/values.ts).
 * Input: the literal text. Expected: `ValueError`; a geometry that converts gives WKB that starts
 * with the little-endian mark and an ISO geometry code (1..7, plus 1000 for Z, 2000 M, 3000 ZM).
 */
import { ValueError } from '../../packages/server/dist/parse/errors.js';
import { geoJsonToWkb } from '../../packages/server/dist/parse/values.js';
import { expectOnly } from './expected.js';

export function fuzz(data: Buffer): void {
  expectOnly([ValueError], () => {
    const wkb = geoJsonToWkb(data.toString('utf8'));
    const code = wkb.length >= 5 ? wkb.readUInt32LE(1) : 0;
    const [kind, dims] = [code % 1000, Math.floor(code / 1000)];
    if (wkb[0] !== 1 || kind < 1 || kind > 7 || dims > 3) {
      throw new RangeError(`bad WKB header ${wkb.subarray(0, 5).toString('hex')}`);
    }
  });
}
