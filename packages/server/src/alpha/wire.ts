/**
 * The JSON forms of what Alphas send each other under `/internal/*`: uids and timestamps as
 * decimal strings, bytes as base64. Edges travel with their literal text; the owner group
 * converts them to its schema type (see owner.ts).
 */
import type { EdgeMutation, FacetInput, NodeFacts } from '@strata/core';
import type { CompareOp } from '@strata/core';
import type { GeoFuncName } from '../parse/query-geo.js';
import type { PatternFunc } from '../parse/query-pattern.js';
import type { ValueType } from '../parse/values.js';

/** A comparison (`eq le lt ge gt between`) with its values' text, as `/internal/compare` carries it. */
export interface WireCompare {
  op: CompareOp;
  predicate: string;
  values: string[];
  /** Compare the value in this language ("" or absent: the untagged one, "." any). */
  lang?: string;
}

/** `has(pred)`, `has(~pred)` (objects of reverse edges) or `has(pred@lang)`, as `/internal/has` carries it. */
export interface WireHas {
  predicate: string;
  reverse?: boolean;
  lang?: string;
}

/** A word-matching function call (`anyofterms(name@fr, "...")`) as `/internal/text-match` carries it. */
export interface WireTextMatch {
  predicate: string;
  fn: 'anyofterms' | 'allofterms' | 'anyoftext' | 'alloftext';
  text: string;
  /** The call's language: "" none, "." any. */
  lang: string;
}

/** A geo function call (`near(place, [lng, lat], 1000)`) as `/internal/geo` carries it. */
export interface WireGeo {
  predicate: string;
  fn: GeoFuncName;
  /** The query geometry as GeoJSON text. */
  geometry: string;
  /** `near`'s distance in metres. */
  maxDistance?: number;
}

/** A `regexp` or `match` call as `/internal/pattern` carries it. */
export type WirePattern = PatternFunc;

/** One edge as the coordinator sends it to the owner in `/internal/prepare`. */
export interface WireEdge {
  op: 'set' | 'del';
  subject: string;
  predicate: string;
  objectUid?: string;
  /** A literal object: its text and declared type (`default` when untyped). */
  text?: string;
  valType?: ValueType;
  lang?: string;
  star?: boolean;
  facets?: { key: string; value: string; valType: number }[];
  /** The statement's line in the request (for error messages); 0 when generated. */
  line?: number;
}

export interface WireFacet {
  key: string;
  value: string;
  valType: number;
}

export interface WireFactValue {
  value: string;
  valType: number;
  lang?: string;
  facets?: WireFacet[];
}

export interface WireNodeFacts {
  uid: string;
  predicates: {
    predicate: string;
    uids: string[];
    values: WireFactValue[];
    uidFacets?: { uid: string; facets: WireFacet[] }[];
  }[];
}

export function facetToWire(f: FacetInput): WireFacet {
  return { key: f.key, value: f.value.toString('base64'), valType: f.valType };
}

export function facetFromWire(f: WireFacet): FacetInput {
  return { key: f.key, value: Buffer.from(f.value, 'base64'), valType: f.valType };
}

export function nodesToWire(nodes: NodeFacts[]): WireNodeFacts[] {
  return nodes.map((n) => ({
    uid: String(n.uid),
    predicates: n.predicates.map((p) => {
      const out: WireNodeFacts['predicates'][number] = {
        predicate: p.predicate,
        uids: p.uids.map(String),
        values: p.values.map((v) => {
          const w: WireFactValue = { value: v.value.toString('base64'), valType: v.valType };
          if (v.lang) w.lang = v.lang;
          if (v.facets?.length) w.facets = v.facets.map(facetToWire);
          return w;
        }),
      };
      if (p.uidFacets?.length) {
        out.uidFacets = p.uidFacets.map((u) => ({ uid: String(u.uid), facets: u.facets.map(facetToWire) }));
      }
      return out;
    }),
  }));
}

export function nodesFromWire(nodes: WireNodeFacts[]): NodeFacts[] {
  return nodes.map((n) => ({
    uid: BigInt(n.uid),
    predicates: n.predicates.map((p) => ({
      predicate: p.predicate,
      uids: p.uids.map(BigInt),
      values: p.values.map((v) => ({
        value: Buffer.from(v.value, 'base64'),
        valType: v.valType,
        ...(v.lang ? { lang: v.lang } : {}),
        ...(v.facets ? { facets: v.facets.map(facetFromWire) } : {}),
      })),
      ...(p.uidFacets
        ? {
            uidFacets: p.uidFacets.map((u) => ({ uid: BigInt(u.uid), facets: u.facets.map(facetFromWire) })),
          }
        : {}),
    })),
  }));
}

export type { EdgeMutation };
