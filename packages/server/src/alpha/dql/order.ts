/**
 * `orderasc:` / `orderdesc:` as Dgraph sorts: by each key in turn, comparing the node's untagged
 * value (ints and floats as numbers, datetimes as instants, strings byte by byte); a node without
 * a value of a key goes after every node with one, in either direction.
 */
import type { OrderKey } from '../parse/query.js';
import { HttpError } from '../http/errors.js';
import { decodeDateTime } from '../parse/values.js';
import { VALUE_TYPE_BY_ID } from './decode.js';
import type { WireFactValue } from './wire.js';

type SortValue = number | bigint | Buffer;

/** The comparable form of a value, or an error for a type Dgraph does not sort. */
function sortValue(v: WireFactValue, predicate: string): SortValue {
  const bytes = Buffer.from(v.value, 'base64');
  const type = VALUE_TYPE_BY_ID[v.valType];
  switch (type) {
    case 'int':
      return bytes.length === 8 ? bytes.readBigInt64LE() : 0n;
    case 'float':
      return bytes.length === 8 ? bytes.readDoubleLE() : 0;
    case 'datetime': {
      const t = decodeDateTime(bytes);
      return t.seconds * 1_000_000_000n + BigInt(t.nanos);
    }
    case 'string':
    case 'default':
      return bytes;
    default:
      throw new HttpError('BAD_REQUEST', `Value of type: ${type ?? v.valType} isn't sortable (${predicate})`);
  }
}

function compare(a: SortValue, b: SortValue): number {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return Buffer.compare(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `uids` sorted by `keys`; `value(uid, predicate)` gives a node's values of a key's predicate
 * (the untagged one is used). Ties keep their order (ascending uids).
 */
export function orderUids(
  uids: string[],
  keys: OrderKey[],
  value: (uid: string, predicate: string) => WireFactValue[] | undefined,
): string[] {
  const rows = uids.map((u) => ({
    u,
    vals: keys.map((k) => {
      const v = value(u, k.predicate)?.find((x) => !x.lang);
      return v === undefined ? undefined : sortValue(v, k.predicate);
    }),
  }));
  rows.sort((x, y) => {
    for (let i = 0; i < keys.length; i++) {
      const [a, b] = [x.vals[i], y.vals[i]];
      if (a === undefined && b === undefined) continue;
      if (a === undefined) return 1;
      if (b === undefined) return -1;
      const c = compare(a, b);
      if (c !== 0) return keys[i]!.desc ? -c : c;
    }
    return 0;
  });
  return rows.map((r) => r.u);
}
