/** JSON schemas of Zero's routes (the error and number schemas are shared with the Alpha). */
import { predicateName, u64String } from '../../http/schemas.js';

export { errorResponses, errorSchema } from '../../http/schemas.js';

export const leaseKindSchema = { type: 'string', enum: ['uids', 'timestamps', 'nsids'] } as const;

export const u64StringSchema = u64String;

export const MAX_ASSIGN = 1_000_000_000;

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
