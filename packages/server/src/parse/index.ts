/** Parsers: RDF mutations and N-Quads streams, Dgraph schema, the DQL subset, value encodings. */
export { ParseError, ValueError } from './errors.js';
export {
  FACET_TYPE_IDS,
  facetValue,
  parseNQuadLine,
  parseNQuads,
  type Facet,
  type FacetType,
  type Literal,
  type NodeRef,
  type VarRef,
  type NQuad,
  type NQuadObject,
  type StatementOptions,
} from './nquads.js';
export { parseMutationBody, type Mutation } from './mutation.js';
export { parseNQuadsFile, parseNQuadsStream, type NQuadsStreamOptions } from './stream.js';
export { parseSchema, TOKENIZERS, type PredicateSchema, type Schema, type TypeSchema } from './schema.js';
export {
  parseQuery,
  type EqValue,
  type Pagination,
  type Query,
  type QueryBlock,
  type RootFunc,
  type Selection,
} from './query.js';
export * from './values.js';
