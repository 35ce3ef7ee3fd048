/** JSON schemas shared by Zero's and the Alpha's routes. */

/** Every error answer: `{statusCode, error, code, message}`, plus `line`/`column` for parse errors. */
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

/** Any JSON object. */
export const anyObject = { type: 'object', additionalProperties: true } as const;

/** A route's responses: `ok` for 200, the error body for every error status. */
export function withErrors<T>(ok: T) {
  return { 200: ok, ...errorResponses } as const;
}

/** An error in Dgraph's shape (Dgraph's routes): `{errors: [{message, extensions}], data: null}`. */
export const dgraphErrorSchema = {
  type: 'object',
  properties: {
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          message: { type: 'string' },
          extensions: { type: 'object', additionalProperties: true },
        },
      },
    },
    data: { type: 'null' },
  },
} as const;

/** A Dgraph route's responses: `ok` for 200 (refusals too, as Dgraph), Dgraph's error body otherwise. */
export function withDgraphErrors<T>(ok: T) {
  return {
    200: ok,
    ...Object.fromEntries(Object.keys(errorResponses).map((k) => [k, dgraphErrorSchema])),
  } as const;
}

/** A uint64 as a decimal string (numbers are coerced to strings by Fastify's validator). */
export const u64String = { type: 'string', pattern: '^(0|[1-9][0-9]{0,19})$' } as const;

export const predicateName = { type: 'string', minLength: 1, maxLength: 4096 } as const;
