// Encryption at rest against the real Dgraph (issue 20): a Dgraph cluster encrypted at rest
// (`--encryption key-file=K`) backs up (encrypted with K, Dgraph's default); a Strata node
// encrypted at rest under the same key restores it online, answers alike and keeps no plaintext
// on disk; its export (encrypted with K by default) is decrypted by Dgraph's own `dgraph decrypt`;
// its own backup (encrypted with K by default) is restored by a second encrypted Dgraph, which
// answers alike again.
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { freeOffset } from '../bench/strata-node.js';
import { AMOUNT, foundUnder, ledgerRdf, PRED, SCHEMA, WORD } from './at-rest-scan.js';
import { DGRAPH_VERSIONS, DgraphCluster, dgraphBinary, type DgraphVersion } from './dgraph-peer.js';
import { killAll, post, run, start, waitHealthy } from './procs.js';

const root = mkdtempSync(path.join(tmpdir(), 'strata-e2e-at-rest-dgraph-'));
afterAll(async () => {
  await killAll();
  rmSync(root, { recursive: true, force: true });
});

const execFileP = promisify(execFile);
const NODES = 500;
const PROBE = `{ q(func: has(${PRED}), first: 1) { uid } }`;
const ANSWERS = [
  `{ q(func: has(${PRED})) { count(uid) } }`,
  `{ q(func: eq(${PRED}, "${WORD} entry 7")) { ${PRED} ledger_amount } }`,
  `{ q(func: ge(ledger_amount, ${AMOUNT + NODES - 3}), orderasc: ledger_amount) { ${PRED} ledger_amount } }`,
];

/** The `data` of a DQL answer from Strata. */
async function strataQuery(base: string, q: string): Promise<unknown> {
  const r = await post(`${base}/query`, q, 'application/dql');
  return (r.json as { data: unknown }).data;
}

/** The files of an `/admin` export of the node (`input`: the ExportInput's fields). */
async function adminExport(base: string, input: string): Promise<string[]> {
  const r = await post(
    `${base}/admin`,
    JSON.stringify({ query: `mutation { export(input: {${input}}) { response { code } exportedFiles } }` }),
    'application/json',
  );
  return (r.json as { data: { export: { exportedFiles: string[] } } }).data.export.exportedFiles;
}

/**
 * The node's export is encrypted with its key by default; Dgraph's own `dgraph decrypt` (the tool
 * for an encrypted Dgraph cluster's exports) reads it back to the plaintext export. The plaintext
 * one is removed again (the node's folder is scanned afterwards).
 */
async function exportsReadByDgraph(base: string, version: DgraphVersion, key: string): Promise<void> {
  const sealed = await adminExport(base, 'format: "rdf"');
  expect(sealed.map((f) => path.basename(f))).toEqual(['data.rdf.gz', 'schema.txt.gz']);
  expect(foundUnder(path.dirname(sealed[0]!))).toEqual([]);
  const plain = await adminExport(base, 'format: "rdf", encrypted: false');
  try {
    for (const [i, f] of sealed.entries()) {
      const out = `${f}.decrypted.gz`;
      await execFileP(dgraphBinary(version), [
        'decrypt',
        '-f',
        f,
        '-o',
        out,
        '--encryption',
        `key-file=${key}`,
      ]);
      expect(gunzipSync(readFileSync(out)).toString(), f).toBe(readFileSync(plain[i]!, 'utf8'));
      rmSync(out);
    }
    expect(readFileSync(plain[0]!, 'utf8')).toContain(WORD);
  } finally {
    rmSync(path.dirname(plain[0]!), { recursive: true, force: true });
  }
}

describe.each(DGRAPH_VERSIONS)('encryption at rest with Dgraph %s', (version) => {
  it('an encrypted Dgraph backup into an encrypted Strata node and back', async () => {
    const dir = path.join(root, version);
    const key = path.join(root, `${version}.key`);
    writeFileSync(key, randomBytes(32), { mode: 0o600 });
    const atRest = ['--encryption', `key-file=${key}`];

    const d1 = await DgraphCluster.start({ version, dir: path.join(dir, 'dgraph1'), alphaArgs: atRest });
    let expected: unknown[];
    const fromDgraph = path.join(dir, 'from-dgraph');
    try {
      await d1.alter(SCHEMA);
      await d1.mutate(ledgerRdf(NODES));
      expected = await Promise.all(ANSWERS.map((q) => d1.query(q)));
      await d1.backup(fromDgraph, true);
    } finally {
      await d1.stop();
    }
    // Dgraph's own store is encrypted too: the scan finds nothing there either.
    expect(foundUnder(path.join(dir, 'dgraph1', 'alpha1', 'p'))).toEqual([]);

    const o = await freeOffset();
    const data = path.join(dir, 'strata');
    const node = start(['start', '--data', data, '-o', String(o), '--restore_dirs', dir, ...atRest]);
    const base = `http://127.0.0.1:${8080 + o}`;
    await waitHealthy(base, node, 60_000);
    const toDgraph = path.join(dir, 'from-strata');
    try {
      // The node's own key reads the encrypted backup, as Dgraph's restore does.
      const r = await post(
        `${base}/admin`,
        JSON.stringify({
          query: `mutation { restore(input: {location: "${fromDgraph}"}) { code restoreId } }`,
        }),
        'application/json',
      );
      const id = (r.json as { data: { restore: { restoreId: number } } }).data.restore.restoreId;
      let status = '';
      for (let i = 0; i < 600 && status !== 'OK'; i++) {
        const s = await post(
          `${base}/admin`,
          JSON.stringify({ query: `{ restoreStatus(restoreId: ${id}) { status errors } }` }),
          'application/json',
        );
        const st = (s.json as { data: { restoreStatus: { status: string; errors: string[] } } }).data
          .restoreStatus;
        if (st.status === 'ERR') throw new Error(st.errors.join('; '));
        status = st.status;
        if (status !== 'OK') await new Promise((res) => setTimeout(res, 100));
      }
      expect(status).toBe('OK');
      for (const [i, q] of ANSWERS.entries()) expect(await strataQuery(base, q), q).toEqual(expected[i]);
      const b = await run(['backup', '--alpha', `127.0.0.1:${8080 + o}`, '-d', toDgraph]);
      expect(b.code, b.stderr).toBe(0);
      expect(b.stdout).toContain('(encrypted)');
      await exportsReadByDgraph(base, version, key);
    } finally {
      node.child.kill('SIGTERM');
      await node.exited;
    }
    expect(foundUnder(data)).toEqual([]);

    const d2 = await DgraphCluster.start({ version, dir: path.join(dir, 'dgraph2'), alphaArgs: atRest });
    try {
      // The key file goes in Dgraph's restore request: without it, Dgraph read the encrypted
      // backup as plaintext ("gzip: invalid header"), at rest key or not.
      await d2.restoreOnline(toDgraph, PROBE, undefined, { encryptionKeyFile: key });
      for (const [i, q] of ANSWERS.entries()) expect(await d2.query(q), q).toEqual(expected[i]);
    } finally {
      await d2.stop();
    }
  }, 300_000);
});
