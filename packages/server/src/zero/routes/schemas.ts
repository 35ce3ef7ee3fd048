/** JSON schemas of Zero's routes (the error and number schemas are shared with the Alpha). */
import { predicateName, u64String } from '../../http/schemas.js';

export { anyObject, withErrors } from '../../http/schemas.js';

export const leaseKindSchema = { type: 'string', enum: ['uids', 'timestamps', 'nsids'] } as const;

export const u64StringSchema = u64String;

export const MAX_ASSIGN = 1_000_000_000;

/** The query string of an `/assign` (Zero's, and the Alpha's uid-only one): `what` and `num`. */
export function assignQuerySchema(kinds: readonly string[], max: number) {
  return {
    type: 'object',
    required: ['what', 'num'],
    properties: {
      what: { type: 'string', enum: kinds },
      num: { type: 'integer', minimum: 1, maximum: max },
    },
  } as const;
}

export const tabletSchema = {
  type: 'object',
  required: ['groupId', 'predicate'],
  properties: {
    groupId: { type: 'integer' },
    predicate: { type: 'string' },
    assigned: { type: 'boolean' },
  },
} as const;

export const predicateSchema = predicateName;

/** One member of a group, as `/state` and `/internal/connect` answer it. */
export const memberSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    groupId: { type: 'integer' },
    addr: { type: 'string' },
    leader: { type: 'boolean' },
    amDead: { type: 'boolean' },
    lastUpdate: { type: 'string' },
  },
} as const;
