/**
 * `orderasc:` / `orderdesc:` as Dgraph sorts: by each key in turn, comparing the node's value of
 * the key (ints and floats as numbers, datetimes as instants, strings byte by byte, a value in a
 * language (`name@de`) by that language's collation key, as Dgraph's index orders it, and a value
 * variable's value for `val(x)`); a node without a value of a key goes after every node with one,
 * in either direction.
 */
import { indexTokens } from '@strata/core';
import type { OrderKey } from '../../parse/query.js';
import { HttpError } from '../../http/errors.js';
import { decodeDateTime } from '../../parse/values.js';
import { VALUE_TYPE_BY_ID } from '../decode.js';
import type { WireFactValue } from '../wire.js';
import type { VarValue } from './vars.js';

type SortValue = number | bigint | Buffer;

/** The comparable form of a stored value, or an error for a type Dgraph does not sort. */
function sortValue(v: WireFactValue, key: OrderKey): SortValue {
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
      if (key.lang && v.lang) {
        try {
          return indexTokens('exact', bytes, v.lang)[0] ?? bytes;
        } catch {
          return bytes;
        }
      }
      return bytes;
    default:
      throw new HttpError('BAD_REQUEST', `Value of type: ${type ?? v.valType} isn't sortable`);
  }
}

function varSortValue(v: VarValue): SortValue {
  switch (v.t) {
    case 'datetime':
      return v.ms;
    case 'bool':
      return v.v ? 1 : 0;
    case 'string':
      return Buffer.from(v.v);
    default:
      return v.v;
  }
}

function compare(a: SortValue, b: SortValue): number {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return Buffer.compare(a, b);
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What a key sorts by for one node: its stored values (the key's language picks one), or a variable's value. */
export type KeyValues = (uid: string, key: OrderKey) => WireFactValue[] | VarValue | undefined;

/** The value of `key` among a node's stored values: the untagged one, or the one in the key's language. */
function pick(values: WireFactValue[], key: OrderKey): WireFactValue | undefined {
  if (!key.lang) return values.find((x) => !x.lang);
  if (key.lang === '.') return values.find((x) => !x.lang) ?? values[0];
  return values.find((x) => x.lang === key.lang);
}

/**
 * `uids` sorted by `keys`; `value(uid, key)` gives a node's values of a key's predicate, or its
 * value of the key's variable. Ties keep their order (ascending uids).
 */
export function orderUids(uids: string[], keys: OrderKey[], value: KeyValues): string[] {
  const rows = uids.map((u) => ({
    u,
    vals: keys.map((k) => {
      const got = value(u, k);
      if (got === undefined) return undefined;
      if (!Array.isArray(got)) return varSortValue(got);
      const v = pick(got, k);
      return v === undefined ? undefined : sortValue(v, k);
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
