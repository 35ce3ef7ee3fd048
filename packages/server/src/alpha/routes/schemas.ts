/** JSON schemas of the Alpha's routes (the error and number schemas are shared with Zero). */
import { u64String } from '../../http/schemas.js';

export { anyObject, predicateName, u64String, withDgraphErrors, withErrors } from '../../http/schemas.js';

export const uidList = { type: 'array', items: u64String } as const;
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

/** A language tag in a function (`name@fr`; "." any). */
export const langName = { type: 'string', maxLength: 64 } as const;
