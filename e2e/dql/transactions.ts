/**
 * Transactions run the same way on Dgraph and on Strata, as Dgraph's HTTP clients run them:
 * `/mutate` without commitNow opens a transaction (its start ts and keys come back), later
 * mutations join it with `startTs=`, `/commit?startTs=` sends the keys collected, `abort=true`
 * drops it. The scenarios interleave transactions on the same nodes so that some must lose a
 * conflict (the same scalar value, the same `@upsert` e-mail, a star delete under a set) and some
 * must not (values added to one list, different nodes, an abort, a read-only transaction).
 *
 * Each step's outcome (`ok`, `aborted`, the error, or a query's answer: inside a transaction it
 * must show the transaction's own writes) is compared; the nodes the scenarios create
 * are named as in mutations.ts (`_:name`, Strata is sent Dgraph's uid), so the corpus and the
 * final check read the same graph on both.
 */
import { canonical } from '../interop/compare.js';
import { resolve } from './differential.js';

export type TxnStep =
  /** A mutation in transaction `txn` (opened by its first one); `now` commits with it; `del` deletes. */
  | { txn: string; rdf: string; now?: boolean; del?: boolean }
  | { commit: string }
  | { abort: string }
  /** A mutation committed at once, in a transaction of its own. */
  | { rdf: string }
  /** A query in transaction `inTxn` (its own writes must show), or outside any with `inTxn` ''. */
  | { inTxn: string; q: string };

export const TXN_SCENARIOS: readonly { name: string; steps: readonly TxnStep[] }[] = [
  {
    name: 'two transactions set the same scalar: the second committer aborts',
    steps: [
      { txn: 'A', rdf: `<{{a20}}> <age> "31" .` },
      { txn: 'B', rdf: `<{{a20}}> <age> "32" .` },
      { commit: 'A' },
      { commit: 'B' },
    ],
  },
  {
    name: 'two transactions give two new nodes the same @upsert e-mail',
    steps: [
      { txn: 'A', rdf: `_:txn1 <email> "race@example.com" .\n_:txn1 <name> "Racer one" .` },
      { txn: 'B', rdf: `_:txn2 <email> "race@example.com" .\n_:txn2 <name> "Racer two" .` },
      { commit: 'B' },
      { commit: 'A' },
    ],
  },
  {
    name: 'values added to one list by two transactions both commit',
    steps: [
      { txn: 'A', rdf: `<{{a21}}> <nick> "list-a" .` },
      { txn: 'B', rdf: `<{{a21}}> <nick> "list-b" .` },
      { commit: 'A' },
      { commit: 'B' },
    ],
  },
  {
    name: 'edges added to one [uid] @count list by two transactions: its count conflicts',
    steps: [
      { txn: 'A', rdf: `<{{a22}}> <friend> <{{a40}}> .` },
      { txn: 'B', rdf: `<{{a22}}> <friend> <{{a45}}> .` },
      { commit: 'B' },
      { commit: 'A' },
    ],
  },
  {
    name: 'edges to one node from two nodes (@reverse @count): the reverse count conflicts',
    steps: [
      { txn: 'A', rdf: `<{{a31}}> <friend> <{{a50}}> .` },
      { txn: 'B', rdf: `<{{a32}}> <friend> <{{a50}}> .` },
      { commit: 'A' },
      { commit: 'B' },
    ],
  },
  {
    name: 'edges of a list without @count, from two nodes to one, both commit',
    steps: [
      { txn: 'A', rdf: `<{{a34}}> <boss> <{{a36}}> .` },
      { txn: 'B', rdf: `<{{a35}}> <boss> <{{a36}}> .` },
      { commit: 'A' },
      { commit: 'B' },
    ],
  },
  {
    name: 'different nodes do not conflict; an aborted transaction writes nothing',
    steps: [
      { txn: 'A', rdf: `<{{a25}}> <age> "51" .` },
      { txn: 'B', rdf: `<{{a26}}> <age> "52" .` },
      { txn: 'C', rdf: `<{{a25}}> <age> "53" .` },
      { abort: 'C' },
      { commit: 'A' },
      { commit: 'B' },
    ],
  },
  {
    name: 'a commit-now mutation wins over an open transaction started before it',
    steps: [
      { txn: 'A', rdf: `<{{a27}}> <bio> "from the open transaction" .` },
      { rdf: `<{{a27}}> <bio> "committed at once" .` },
      { commit: 'A' },
    ],
  },
  {
    name: 'a transaction of several mutations, the last with commitNow, commits them all',
    steps: [
      { txn: 'A', rdf: `_:txn3 <name> "Built in steps" .\n_:txn3 <dgraph.type> "Person" .` },
      { txn: 'A', rdf: `_:txn3 <age> "61" .\n<{{a28}}> <friend> _:txn3 .` },
      { txn: 'A', rdf: `_:txn3 <email> "steps@example.com" .`, now: true },
    ],
  },
  {
    name: 'a star delete conflicts with a set of the same scalar',
    steps: [
      { txn: 'A', rdf: `<{{a29}}> <age> "71" .` },
      { txn: 'B', rdf: `<{{a29}}> <age> * .`, del: true },
      { commit: 'B' },
      { commit: 'A' },
    ],
  },
  {
    name: "a transaction's reads see its own writes, through data and indexes",
    steps: [
      { txn: 'A', rdf: `_:txn4 <name> "Own writes" .\n_:txn4 <age> "81" .\n<{{a37}}> <friend> _:txn4 .` },
      { txn: 'A', rdf: `<{{a37}}> <nick> * .`, del: true },
      { inTxn: 'A', q: `{ q(func: eq(name, "Own writes")) { name age ~friend { uid nick } } }` },
      {
        inTxn: 'A',
        q: `{ q(func: uid({{a37}})) { nick count(friend) friend @filter(ge(age, 81)) { name } } }`,
      },
      { inTxn: '', q: `{ q(func: eq(name, "Own writes")) { uid } }` },
      { commit: 'A' },
      { inTxn: '', q: `{ q(func: eq(name, "Own writes")) { age ~friend { uid } } }` },
    ],
  },
  {
    name: 'the loser of a conflict can retry in a new transaction',
    steps: [
      { txn: 'A', rdf: `<{{a30}}> <score> "1.5" .` },
      { txn: 'B', rdf: `<{{a30}}> <score> "2.5" .` },
      { commit: 'B' },
      { commit: 'A' },
      { txn: 'C', rdf: `<{{a30}}> <score> "3.5" .` },
      { commit: 'C' },
    ],
  },
];

interface Txn {
  startTs: number;
  keys: string[];
  preds: string[];
}

/** Runs the scenarios on the server at `base`; `uids` names the data set's nodes and Dgraph's new ones. */
export async function runTxnScenarios(
  base: string,
  uids: Record<string, string>,
  /** Dgraph names new nodes (and adds them to `uids`); Strata is sent Dgraph's uid for each. */
  namesNewNodes: boolean,
): Promise<string[]> {
  const out: string[] = [];
  for (const s of TXN_SCENARIOS) {
    const open = new Map<string, Txn>();
    for (const step of s.steps)
      out.push(`${s.name}: ${await runStep(base, step, open, uids, namesNewNodes)}`);
  }
  return out;
}

async function post(url: string, type: string, body: string): Promise<Record<string, unknown>> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
  return (await r.json()) as Record<string, unknown>;
}

function outcome(j: Record<string, unknown>): string {
  const errors = j.errors as { message: string }[] | undefined;
  if (!errors?.length) return 'ok';
  const m = errors.map((e) => e.message).join('; ');
  return m.includes('Transaction has been aborted') ? 'aborted' : `error: ${m}`;
}

async function runStep(
  base: string,
  step: TxnStep,
  open: Map<string, Txn>,
  uids: Record<string, string>,
  namesNewNodes: boolean,
): Promise<string> {
  if ('inTxn' in step) {
    const t = step.inTxn ? open.get(step.inTxn) : undefined;
    const j = await post(
      `${base}/query${t ? `?startTs=${t.startTs}` : ''}`,
      'application/dql',
      resolve(step.q, uids),
    );
    const where = step.inTxn ? `query in ${step.inTxn}` : 'query outside';
    return `${where}: ${j.errors ? outcome(j) : JSON.stringify(canonical(j.data ?? null))}`;
  }
  if ('commit' in step || 'abort' in step) {
    const name = 'commit' in step ? step.commit : step.abort;
    const t = open.get(name);
    // Its mutation failed (that outcome is in the list already).
    if (!t) return `${'commit' in step ? 'commit' : 'abort'} ${name}: never opened`;
    open.delete(name);
    const abort = 'abort' in step ? '&abort=true' : '';
    const j = await post(
      `${base}/commit?startTs=${t.startTs}${abort}`,
      'application/json',
      JSON.stringify({ keys: t.keys, preds: t.preds }),
    );
    return `${'commit' in step ? 'commit' : 'abort'} ${name}: ${outcome(j)}`;
  }
  const rdf = resolve(step.rdf, uids).replace(/_:([A-Za-z0-9_]+)/g, (m, n: string) => {
    const u = uids[n];
    if (u !== undefined) return `<${u}>`;
    if (namesNewNodes) return m;
    throw new Error(`Dgraph gave no uid for _:${n}`);
  });
  const t = 'txn' in step ? open.get(step.txn) : undefined;
  const now = !('txn' in step) || step.now === true;
  const q = [now ? 'commitNow=true' : '', t ? `startTs=${t.startTs}` : ''].filter(Boolean).join('&');
  const block = 'del' in step && step.del ? 'delete' : 'set';
  const j = await post(`${base}/mutate${q ? `?${q}` : ''}`, 'application/rdf', `{ ${block} {\n${rdf}\n} }`);
  const data = j.data as { uids?: Record<string, string> } | undefined;
  if (namesNewNodes) Object.assign(uids, data?.uids ?? {});
  const ext = (j.extensions as { txn?: { start_ts: number; keys?: string[]; preds?: string[] } } | undefined)
    ?.txn;
  if ('txn' in step && !now && ext) {
    const mine = t ?? { startTs: ext.start_ts, keys: [], preds: [] };
    mine.keys.push(...(ext.keys ?? []));
    mine.preds.push(...(ext.preds ?? []));
    open.set(step.txn, mine);
  }
  if ('txn' in step && now) open.delete(step.txn);
  return `mutate${'txn' in step ? ` ${step.txn}` : ''}${now ? ' (commitNow)' : ''}: ${outcome(j)}`;
}

/** A query over the scenarios' nodes whose answer must be the same on both. */
export const TXN_CHECK_QUERY = `{
  q(func: uid({{a20}}, {{a21}}, {{a22}}, {{a25}}, {{a26}}, {{a27}}, {{a29}}, {{a30}}, {{a50}}, {{a36}})) {
    uid age nick bio score friend { uid } ~friend { uid } ~boss { uid } count(~friend)
  }
  racers(func: eq(email, "race@example.com")) { name email }
  steps(func: eq(email, "steps@example.com")) { name age dgraph.type ~friend { uid } }
}`;
