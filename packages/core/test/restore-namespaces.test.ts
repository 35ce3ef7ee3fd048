// Partial restore by namespace on a real posting store: a v21.03 series holding namespaces 0 and
// 2 (written by Strata's backup pipeline), restored with --namespaces / --predicates / --exclude and
// re-sharded, equals the store's own export filtered the same way; types follow their namespace.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LocalDestination,
  backupFilePath,
  exportRdf,
  openPostingStore,
  planBackup,
  restoreOffline,
  toManifestDrop,
  writeGroupFile,
  writeManifest,
  type PostingStore,
  type RestoreSelection,
} from '../src/index.js';
import { tempDir } from './helpers.js';

const t = tempDir();
const str = (s: string) => Buffer.from(s, 'utf8');
const STRING = 9;
const INT = 2;
const loc = path.join(t.dir, 'loc');
let store: PostingStore;
let full: string;
let schema: string;

beforeAll(async () => {
  store = openPostingStore(path.join(t.dir, 'store'), { group: 1, create: true });
  for (const namespace of [0n, 2n]) {
    await store.alter(1n, {
      predicates: [
        { namespace, predicate: 'name', valueType: 'string', index: ['exact'] },
        { namespace, predicate: 'age', valueType: 'int' },
        { namespace, predicate: 'dgraph.type', valueType: 'string', list: true, index: ['exact'] },
      ],
      types: [{ namespace, name: 'Person', fields: ['name', 'age'] }],
    });
  }
  await store.alter(1n, {
    predicates: [{ namespace: 2n, predicate: 'city', valueType: 'string' }],
    types: [{ namespace: 2n, name: 'Place', fields: ['city'] }],
  });
  await store.applyMutations(2n, [
    { op: 'set', subject: 1n, predicate: 'name', value: str('zero-a'), valType: STRING },
    { op: 'set', subject: 1n, predicate: 'age', value: Buffer.from([7, 0, 0, 0, 0, 0, 0, 0]), valType: INT },
    { op: 'set', subject: 1n, predicate: 'dgraph.type', value: str('Person'), valType: STRING },
    { op: 'set', subject: 5n, predicate: 'name', value: str('two-b'), valType: STRING, namespace: 2n },
    { op: 'set', subject: 5n, predicate: 'city', value: str('two-city'), valType: STRING, namespace: 2n },
    { op: 'set', subject: 5n, predicate: 'dgraph.type', value: str('Place'), valType: STRING, namespace: 2n },
    {
      op: 'set',
      subject: 6n,
      predicate: 'age',
      value: Buffer.from([9, 0, 0, 0, 0, 0, 0, 0]),
      valType: INT,
      namespace: 2n,
    },
  ]);
  const dest = new LocalDestination(loc);
  const plan = await planBackup(dest, { readTs: 3n, encrypted: false, format: 'v21.03' });
  const s = store.getSchema();
  const preds = s.predicates.map((p) => ({ namespace: p.namespace ?? 0n, name: p.predicate }));
  const file = backupFilePath(plan, 1);
  const r = await writeGroupFile(store, dest, {
    path: file,
    readTs: 3n,
    since: plan.since,
    predicates: preds,
    layout: plan.format,
  });
  await writeManifest(dest, {
    plan,
    groups: new Map([[1, preds]]),
    dropOperations: r.summary.dropOperations.map(toManifestDrop),
    checksums: { [path.basename(file)]: r.sha256 },
    strataVersion: 'test',
  });
  const e = await store.exportRdf(3n);
  full = e.data.toString();
  schema = e.schema.toString();
}, 60_000);

afterAll(() => {
  store?.close();
  t.cleanup();
});

/** The namespace of an export line (`<s> <p> o <0xNS> .`; none: 0) and its predicate. */
function parts(line: string): { ns: bigint; pred: string } {
  const m = /^\S+ <([^>]+)> .*?(?: <(0x[0-9a-f]+)>)? \.$/.exec(line)!;
  return { pred: m[1]!, ns: m[2] === undefined ? 0n : BigInt(m[2]) };
}

async function restored(name: string, selection: RestoreSelection, targetGroups?: number) {
  const pdir = path.join(t.dir, name);
  const r = await restoreOffline({ location: loc, pdir, selection, ...(targetGroups && { targetGroups }) });
  const e = await exportRdf({ pdir });
  return { r, data: e.data.toString(), schema: e.schema.toString() };
}

const filtered = (keep: (ns: bigint, pred: string) => boolean) =>
  full
    .split('\n')
    .filter((l) => l !== '' && keep(parts(l).ns, parts(l).pred))
    .map((l) => `${l}\n`)
    .join('');

describe('partial restore by namespace', () => {
  it('the series holds both namespaces', () => {
    expect(full).toContain('"two-b"');
    expect(full).toContain('"zero-a"');
    expect(schema).toContain('[0x2] city');
  });

  it('--namespaces 2: only namespace 2, its schema and types', async () => {
    const x = await restored('ns2', { namespaces: [2n] });
    expect(x.data).toBe(filtered((ns) => ns === 2n));
    expect(x.data).not.toContain('zero-a');
    expect(x.r.maxNsId).toBe(2n);
    expect(x.schema).not.toMatch(/^name:/m);
    expect(x.schema).toContain('[0x2] city');
    expect(x.schema).toBe(
      '[0x2] age: int .\n[0x2] city: string .\n[0x2] dgraph.type: [string] @index(exact) .\n' +
        '[0x2] name: string @index(exact) .\ntype [0x2] Person {\n  age\n  name\n}\ntype [0x2] Place {\n  city\n}\n',
    );
  });

  it('--predicates name --namespaces 0: a name applies in each selected namespace; types trimmed', async () => {
    const x = await restored('name0', { predicates: ['name'], namespaces: [0n] });
    expect(x.data).toBe(filtered((ns, p) => ns === 0n && (p === 'name' || p.startsWith('dgraph.'))));
    expect(x.data).toContain('zero-a');
    expect(x.data).not.toContain('<age>');
    expect(x.schema).not.toContain('age');
    expect(x.schema).toBe(
      'dgraph.type: [string] @index(exact) .\nname: string @index(exact) .\ntype Person {\n  name\n}\n',
    );
  });

  it('--exclude age across namespaces, re-sharded onto 3 groups: each name once, on one group', async () => {
    const x = await restored('noage3', { exclude: ['age'] }, 3);
    expect(x.data).toBe(filtered((_ns, p) => p !== 'age'));
    const where = new Map<string, number>();
    for (const g of x.r.layout.groups) {
      for (const p of g.predicates) {
        expect(where.get(p.name) ?? g.group, p.name).toBe(g.group);
        where.set(p.name, g.group);
      }
    }
    expect(x.r.layout.groups[0]!.predicates.map((p) => `${p.namespace}-${p.name}`).sort()).toEqual([
      '0-dgraph.type',
      '2-dgraph.type',
    ]);
    // Place lists only city: kept in namespace 2; Person keeps name in both
    expect(x.schema).toBe(
      schema
        .split('\n')
        .filter((l) => !/\bage\b/.test(l))
        .join('\n'),
    );
  });
});
