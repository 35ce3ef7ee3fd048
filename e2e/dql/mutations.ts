/**
 * A sequence of mutations applied to both Dgraph and Strata after the first pass of the corpus
 * (RDF and JSON; sets, deletes of values, edges, `<s> <p> *`, `<s> * *`, JSON `null` and
 * uid-only deletes; upsert blocks, RDF and JSON, that update the nodes their query finds; values
 * that move index, reverse and count keys). `{{label}}` is a node of the
 * data set; `_:name` a new node: Dgraph names it, and Strata is sent the uid Dgraph gave, so that
 * the corpus asked again must answer the same on both.
 */
import { resolve } from './differential.js';

export interface MutationStep {
  kind: 'rdf' | 'json';
  body: string;
}

export const MUTATIONS: readonly MutationStep[] = [
  // Values of a list with facets (corpus: facets-more).
  {
    kind: 'rdf',
    body: `{ set {
<{{a4}}> <nick> "nick-f1" (k=1) .
<{{a4}}> <nick> "nick-f2" (k=2, s="second") .
} }`,
  },
  {
    kind: 'rdf',
    body: `{ set {
_:m1 <dgraph.type> "Person" .
_:m1 <name> "Person m1" .
_:m1 <name> "Person m1 in de"@de .
_:m1 <email> "m1@example.com" (verified=true) .
_:m1 <age> "44" .
_:m1 <score> "77.5" .
_:m1 <nick> "nick-3" .
_:m1 <friend> <{{a0}}> (close=true, weight=0.75) .
_:m1 <boss> <{{a1}}> .
<{{a2}}> <friend> _:m1 (close=false, weight=2.5) .
<{{a3}}> <age> "99" .
<{{a3}}> <name> "Renamed a3" .
} }`,
  },
  {
    kind: 'json',
    body: JSON.stringify({
      set: [
        {
          uid: '_:m2',
          'dgraph.type': 'Person',
          name: 'Person m2',
          'name@en': 'Person m2 in en',
          email: 'm2@example.com',
          'email|verified': false,
          age: 45,
          active: true,
          born: '1980-05-05T00:00:00Z',
          title: 'Plain title m2',
          'title@de': 'Straße m2',
          nick: ['nick-5', 'nick-6'],
          place: { type: 'Point', coordinates: [12.5, 41.9] },
          friend: [{ uid: '{{a5}}', 'friend|close': true, 'friend|weight': 0.5 }, { uid: '_:m1' }],
        },
      ],
    }),
  },
  {
    kind: 'rdf',
    body: `{ delete {
<{{a1}}> <nick> * .
<{{a0}}> <friend> <{{a1}}> .
<{{a6}}> <email> * .
<{{a7}}> * * .
} }`,
  },
  {
    kind: 'json',
    body: JSON.stringify({
      delete: [
        { uid: '{{a2}}', name: null, 'name@fr': null },
        { uid: '{{a8}}', friend: { uid: '{{a9}}' }, age: 26 },
        { uid: '{{a10}}' },
      ],
    }),
  },
  {
    kind: 'rdf',
    body: `{ set {
<{{a4}}> <boss> _:m1 .
<{{a11}}> <age> "45" .
<{{a12}}> <title> "Niño y señor m"@es .
<{{a13}}> <friend> <{{a4}}> (close=true) .
} delete {
<{{a14}}> <title> * .
} }`,
  },
  {
    kind: 'rdf',
    body: `upsert {
  query { q(func: eq(email, ["a15@example.com", "a16@example.com"])) { v as uid  a as age } }
  mutation @if(eq(len(v), 2)) { set {
uid(v) <score> val(a) .
uid(v) <nick> "upserted" .
} delete {
uid(v) <title> * .
} }
  mutation @if(eq(len(v), 0)) { set {
uid(v) <email> "never@example.com" .
} }
}`,
  },
  {
    kind: 'json',
    body: JSON.stringify({
      query: '{ q(func: eq(email, "a17@example.com")) { v as uid  n as name } }',
      mutations: [
        { cond: '@if(eq(len(v), 1))', set: [{ uid: 'uid(v)', bio: 'val(n)', friend: { uid: '{{a18}}' } }] },
        { cond: '@if(gt(len(v), 1))', delete: [{ uid: 'uid(v)' }] },
      ],
    }),
  },
];

/** `_:name` as the uid Dgraph gave it (an earlier step's node), or left blank when `keep` allows. */
function named(step: MutationStep, body: string, uids: Record<string, string>, keep: boolean): string {
  const uidOf = (m: string, name: string): string => {
    const u = uids[name];
    if (u === undefined) {
      if (keep) return m;
      throw new Error(`Dgraph gave no uid for _:${name}`);
    }
    return step.kind === 'rdf' ? `<${u}>` : `"${u}"`;
  };
  return step.kind === 'rdf'
    ? body.replace(/_:([A-Za-z0-9_]+)/g, (m, n: string) => uidOf(m, n))
    : body.replace(/"_:([A-Za-z0-9_]+)"/g, (m, n: string) => uidOf(m, n));
}

/** The step's body for Dgraph: labels filled in, nodes of earlier steps by their uids. */
export function forDgraph(step: MutationStep, uids: Record<string, string>): string {
  return named(step, resolve(step.body, uids), uids, true);
}

/** The step's body for Strata: labels filled in, every new node named by the uid Dgraph gave it. */
export function forStrata(step: MutationStep, uids: Record<string, string>): string {
  return named(step, resolve(step.body, uids), uids, false);
}
