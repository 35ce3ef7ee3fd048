/** JSON schemas shared by Zero's routes. */
export const errorSchema = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    code: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  409: errorSchema,
  500: errorSchema,
} as const;

export const leaseKindSchema = { type: 'string', enum: ['uids', 'timestamps', 'nsids'] } as const;

/** A uint64 as a decimal string (numbers are coerced to strings by Fastify's validator). */
export const u64StringSchema = { type: 'string', pattern: '^(0|[1-9][0-9]{0,19})$' } as const;

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

export const predicateSchema = { type: 'string', minLength: 1, maxLength: 4096 } as const;
