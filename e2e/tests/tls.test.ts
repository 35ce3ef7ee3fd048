/**
 * A 2-group cluster with `--tls` on every node, `internal-port=true` included (mutual TLS between
 * Zero and the Alphas), certificates made in the test (certs.ts). A load, a backup, a drop and an
 * online restore go end to end over TLS; plain HTTP, a missing client certificate on /internal
 * (even with the cluster token) and a certificate from another CA are refused; bad certificate
 * files stop a node before it listens, with a message naming the file. Dgraph's gRPC API is served
 * with the same certificate (dgraph-js over TLS; a plaintext client gets no answer).
 */
import { copyFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as dgraph from 'dgraph-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, fetchJson, tlsTransport, type Transport } from '@strata/core';
import { makePki, type Pki } from './certs.js';
import { readDump } from './harness.js';
import { freePort, killAll, run, secretFile, start, type Proc } from './procs.js';

const TOKEN = 'e2e-tls-cluster-token-0123456789';
const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-tls-'));
let pki: Pki;
let stranger: Pki;
/** The operator's client: trusts the cluster CA, no client certificate. */
let operator: Transport;
/** A cluster member's client: the cluster CA and the node certificate. */
let member: Transport;
let zeroPort = 0;
let zeroProc: Proc | undefined;
const alphaPorts: number[] = [];
/** Alpha 1's gRPC port (Dgraph's API, served with the same certificate). */
let grpcPort = 0;

function nodeTls(p: Pki): string {
  return `ca-cert=${p.ca}; server-cert=${p.cert}; server-key=${p.key}; internal-port=true; client-cert=${p.cert}; client-key=${p.key}`;
}

/** Waits until `https://127.0.0.1:PORT/health` answers; fails early when `proc` exits. */
async function waitHttps(port: number, proc: Proc): Promise<void> {
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    if (proc.child.exitCode !== null) throw new Error(`exited ${proc.child.exitCode}: ${proc.out.join('')}`);
    try {
      const r = await fetchJson({
        service: 'node',
        url: `https://127.0.0.1:${port}/health`,
        method: 'GET',
        dispatcher: operator.dispatcher,
        timeoutMs: 2_000,
      });
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`127.0.0.1:${port} not healthy: ${proc.out.join('')}`);
}

function alphaProc(group: number, port: number, tls: string, grpcPort?: number): Proc {
  return start([
    'alpha',
    '--group',
    String(group),
    '--zero',
    `127.0.0.1:${zeroPort}`,
    '-p',
    path.join(tmp, `p${group}-${port}`),
    '--port',
    String(port),
    ...(grpcPort === undefined ? [] : ['--grpc_port', String(grpcPort)]),
    '--token_file',
    secretFile(TOKEN),
    '--tls',
    tls,
  ]);
}

const clientTls = () => `ca-cert=${pki.ca}`;

beforeAll(async () => {
  pki = makePki(path.join(tmp, 'pki'), 'cluster');
  stranger = makePki(path.join(tmp, 'pki'), 'stranger');
  operator = tlsTransport({ caCert: pki.ca }).transport;
  member = tlsTransport({ caCert: pki.ca, clientCert: pki.cert, clientKey: pki.key }).transport;
  zeroPort = await freePort();
  const zero = (zeroProc = start([
    'zero',
    '--port',
    String(zeroPort),
    '--data',
    path.join(tmp, 'zw'),
    '--groups',
    '2',
    '--token_file',
    secretFile(TOKEN),
    '--tls',
    nodeTls(pki),
  ]));
  await waitHttps(zeroPort, zero);
  grpcPort = await freePort();
  for (const group of [1, 2]) {
    const port = await freePort();
    alphaPorts.push(port);
    await waitHttps(port, alphaProc(group, port, nodeTls(pki), group === 1 ? grpcPort : undefined));
  }
}, 60_000);

afterAll(async () => {
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

const alpha = () => `127.0.0.1:${alphaPorts[0]}`;

describe('a cluster with --tls on every node (internal-port=true)', () => {
  it('loads, backs up, drops and restores online over TLS, and the data comes back', async () => {
    const rdf = path.join(tmp, 'data.rdf');
    const schema = path.join(tmp, 'schema.txt');
    writeFileSync(
      rdf,
      [
        '_:a <name> "Alice" .',
        '_:a <age> "31"^^<xs:int> .',
        '_:b <name> "Bob" .',
        '_:a <friend> _:b .',
        '_:b <city> "Lyon" .',
        '',
      ].join('\n'),
    );
    writeFileSync(
      schema,
      'name: string @index(exact) .\nage: int .\nfriend: [uid] @reverse .\ncity: string .\n',
    );
    const load = await run(['load', rdf, '--schema', schema, '--alpha', alpha(), '--tls', clientTls()]);
    expect(load.code, load.stderr).toBe(0);
    // The predicates are spread over both groups: the mutation crossed Alpha to Alpha over TLS.
    const state = await fetchJson({
      service: 'Zero',
      url: `https://127.0.0.1:${zeroPort}/state`,
      method: 'GET',
      dispatcher: operator.dispatcher,
    });
    const groups = (state.json as { groups: Record<string, { tablets: Record<string, unknown> }> }).groups;
    expect(Object.keys(groups['1']!.tablets).length).toBeGreaterThan(0);
    expect(Object.keys(groups['2']!.tablets).length).toBeGreaterThan(0);

    const before = await run([
      'export',
      '--alpha',
      alpha(),
      '--out',
      path.join(tmp, 'before'),
      '--tls',
      clientTls(),
    ]);
    expect(before.code, before.stderr).toBe(0);
    const dump = readDump(path.join(tmp, 'before'));
    expect(dump.data).toContain('"Alice"');

    const dest = path.join(tmp, 'backups');
    const backup = await run(['backup', '--alpha', alpha(), '--destination', dest, '--tls', clientTls()]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/2 groups/);

    const drop = await fetchJson({
      service: 'Alpha',
      url: `https://${alpha()}/alter`,
      method: 'POST',
      body: { drop_all: true },
      dispatcher: operator.dispatcher,
    });
    expect(drop.status).toBe(200);
    const emptied = await run([
      'export',
      '--alpha',
      alpha(),
      '--out',
      path.join(tmp, 'dropped'),
      '--tls',
      clientTls(),
    ]);
    expect(emptied.code, emptied.stderr).toBe(0);
    expect(readDump(path.join(tmp, 'dropped')).data).not.toContain('Alice');

    // The coordinator sends each group its part (the AES key would travel here) over mutual TLS.
    const admin = AdminClient.forAlpha(alpha(), { transport: operator });
    const { restoreId } = await admin.restore({ location: dest });
    const status = await admin.waitForRestore(restoreId, { intervalMs: 100, timeoutMs: 60_000 });
    expect(status, JSON.stringify(status)).toMatchObject({ status: 'OK' });
    const after = await run([
      'export',
      '--alpha',
      alpha(),
      '--out',
      path.join(tmp, 'after'),
      '--tls',
      clientTls(),
    ]);
    expect(after.code, after.stderr).toBe(0);
    expect(readDump(path.join(tmp, 'after'))).toEqual(dump);
  }, 90_000);

  it('says at start that it serves TLS, mutual between nodes', () => {
    expect(zeroProc!.out.join('')).toMatch(
      /listening on https:\/\/127\.0\.0\.1:\d+ .*TLS, client certificates VERIFYIFGIVEN, mutual TLS between nodes/,
    );
  });

  it('refuses plain HTTP on the TLS port, and the CLI says to use https', async () => {
    await expect(fetch(`http://${alpha()}/health`)).rejects.toThrow();
    const r = await run(['backup', '--alpha', alpha(), '--destination', path.join(tmp, 'plain')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('use an https:// address');
  });

  it('refuses /internal without a client certificate, even with the cluster token', async () => {
    for (const port of [zeroPort, alphaPorts[1]!]) {
      const route = port === zeroPort ? '/internal/oracle/read-ts' : '/internal/has';
      const method = port === zeroPort ? 'GET' : 'POST';
      const body = port === zeroPort ? undefined : { predicate: 'name', readTs: '1000' };
      const ask = (t: Transport) =>
        fetchJson({
          service: 'node',
          url: `https://127.0.0.1:${port}${route}`,
          method,
          headers: { 'x-strata-token': TOKEN },
          body,
          dispatcher: t.dispatcher,
        });
      const bare = await ask(operator);
      expect(bare.status).toBe(401);
      expect((bare.json as { message: string }).message).toMatch(
        /client certificate signed by the cluster CA/,
      );
      // The same call from a cluster member goes through.
      expect((await ask(member)).status).toBe(200);
    }
  });

  it('refuses certificates of another CA, both ways', async () => {
    // A client presenting a stranger's certificate: /internal refuses it even with the right
    // token, and a public route too (client-auth-type=VERIFYIFGIVEN, the default).
    const foreign = tlsTransport({
      caCert: pki.ca,
      clientCert: stranger.cert,
      clientKey: stranger.key,
    }).transport;
    const ask = (route: string) =>
      fetchJson({
        service: 'Zero',
        url: `https://127.0.0.1:${zeroPort}${route}`,
        method: 'GET',
        headers: { 'x-strata-token': TOKEN },
        dispatcher: foreign.dispatcher,
      });
    const internal = await ask('/internal/oracle/read-ts');
    expect(internal.status).toBe(401);
    expect((internal.json as { message: string }).message).toMatch(/client certificate/);
    const state = await ask('/state');
    expect(state.status).toBe(403);
    expect((state.json as { message: string }).message).toMatch(/not signed by a CA this node trusts/);
    // A client that trusts another CA does not accept the node's certificate.
    const wrongCa = await run([
      'export',
      '--alpha',
      alpha(),
      '--out',
      path.join(tmp, 'wrong-ca'),
      '--tls',
      `ca-cert=${stranger.ca}`,
    ]);
    expect(wrongCa.code).toBe(1);
    expect(wrongCa.stderr).toMatch(/certificate is not trusted/);
    // An Alpha with the stranger's certificates cannot join: it does not trust Zero's certificate.
    const intruder = alphaProc(1, await freePort(), nodeTls(stranger));
    expect(await intruder.exited).toBe(1);
    expect(intruder.out.join('')).toMatch(/Zero at .*unreachable.*certificate/);
  }, 30_000);

  it("serves Dgraph's gRPC API over TLS with the Alpha's certificate: dgraph-js works, plaintext does not", async () => {
    const secure = new dgraph.DgraphClientStub(
      `127.0.0.1:${grpcPort}`,
      grpc.credentials.createSsl(readFileSync(pki.ca)),
    );
    const plain = new dgraph.DgraphClientStub(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
    try {
      const client = new dgraph.DgraphClient(secure);
      expect((await secure.checkVersion(new dgraph.Check())).getTag()).toMatch(/strata/);
      const op = new dgraph.Operation();
      op.setSchema('grpc_tls_name: string @index(exact) .');
      await client.alter(op);
      const mu = new dgraph.Mutation();
      mu.setSetNquads('_:t <grpc_tls_name> "over TLS" .');
      mu.setCommitNow(true);
      const res = await client.newTxn().mutate(mu);
      expect(res.getUidsMap().get('t')).toMatch(/^0x/);
      const q = await client
        .newTxn({ readOnly: true })
        .query('{ q(func: eq(grpc_tls_name, "over TLS")) { grpc_tls_name } }');
      expect(q.getJson()).toEqual({ q: [{ grpc_tls_name: 'over TLS' }] });
      await expect(plain.checkVersion(new dgraph.Check())).rejects.toMatchObject({
        code: grpc.status.UNAVAILABLE,
      });
    } finally {
      secure.close();
      plain.close();
    }
  });

  it('a client key file others can read draws a warning', async () => {
    const loose = path.join(tmp, 'pki', 'loose.key');
    copyFileSync(pki.key, loose);
    chmodSync(loose, 0o644);
    const r = await run([
      'export',
      '--alpha',
      alpha(),
      '--out',
      path.join(tmp, 'loose'),
      '--tls',
      `ca-cert=${pki.ca}; client-cert=${pki.cert}; client-key=${loose}`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`client key file ${loose} can be read by group or others (mode 644)`);
  });
});

describe('bad --tls files stop a node before it listens', () => {
  it.each([
    [
      'a key that is not the certificate’s',
      () => `server-cert=${pki.cert}; server-key=${stranger.key}`,
      /does not match the certificate/,
    ],
    [
      'a missing certificate file',
      () => `server-cert=${path.join(tmp, 'none.crt')}; server-key=${pki.key}`,
      /server certificate file .*none\.crt cannot be read \(ENOENT\)/,
    ],
    [
      'a CA file that holds no certificate',
      () => `ca-cert=${pki.key}; server-cert=${pki.cert}; server-key=${pki.key}`,
      /CA certificate file .* holds no PEM certificate/,
    ],
    [
      'internal-port without a client certificate',
      () => `ca-cert=${pki.ca}; server-cert=${pki.cert}; server-key=${pki.key}; internal-port=true`,
      /client-cert=FILE; client-key=FILE/,
    ],
    [
      'an unknown client-auth-type',
      () => `server-cert=${pki.cert}; server-key=${pki.key}; client-auth-type=SOMETIMES`,
      /client-auth-type is one of REQUEST, REQUIREANY, VERIFYIFGIVEN, REQUIREANDVERIFY/,
    ],
  ])('%s', async (_name, flag, message) => {
    const data = path.join(tmp, `bad-${Math.random().toString(36).slice(2)}`);
    const r = await run(['zero', '--port', '0', '--data', data, '--tls', flag()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });
});
