/** JSON schemas shared by the Alpha's routes. */
export const errorSchema = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    code: { type: 'string' },
    message: { type: 'string' },
    line: { type: 'integer' },
    column: { type: 'integer' },
  },
} as const;

export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  409: errorSchema,
  500: errorSchema,
  502: errorSchema,
  503: errorSchema,
} as const;

export const u64String = { type: 'string', pattern: '^(0|[1-9][0-9]{0,19})$' } as const;
export const uidList = { type: 'array', items: u64String } as const;
export const predicateName = { type: 'string', minLength: 1, maxLength: 4096 } as const;
export const base64 = { type: 'string' } as const;

export const facetSchema = {
  type: 'object',
  required: ['key', 'value', 'valType'],
  properties: { key: { type: 'string' }, value: base64, valType: { type: 'integer' } },
} as const;

export const factsSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      uid: { type: 'string' },
      predicates: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            predicate: { type: 'string' },
            uids: { type: 'array', items: { type: 'string' } },
            values: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  value: base64,
                  valType: { type: 'integer' },
                  lang: { type: 'string' },
                  facets: { type: 'array', items: facetSchema },
                },
              },
            },
            uidFacets: {
              type: 'array',
              items: {
                type: 'object',
                properties: { uid: { type: 'string' }, facets: { type: 'array', items: facetSchema } },
              },
            },
          },
        },
      },
    },
  },
} as const;

export const predicateInfoMap = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: { valueType: { type: 'string' }, list: { type: 'boolean' }, lang: { type: 'boolean' } },
  },
} as const;
