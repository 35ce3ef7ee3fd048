/** `strata start`: Zero and one Alpha (group 1) in one process, on one data folder. */
import path from 'node:path';
import { Command } from 'commander';
import { demoCounts, demoRdfChunks, DEMO_SCHEMA } from '@strata/core';
import { addEncryptionOptions, clusterKeysFromFlags, type EncryptionFlags } from '../encryption.js';
import type { Alpha, Zero } from '@strata/server';
import {
  ALPHA_DEFAULT_GRPC_PORT,
  ALPHA_DEFAULT_PORT,
  ZERO_DEFAULT_PORT,
  type LogLevel,
} from '@strata/server/cli';
import { loadRdf, progressLine } from '../loader.js';
import { intArg } from '../options.js';
import {
  addLogOption,
  exposure,
  HOST_OPTION,
  SECURITY_OPTION,
  securityFrom,
  tokenFile,
  untilSignal,
} from '../serve.js';
import { tuneServerHeap } from '../server-heap.js';
import { authHeaders } from '../auth-token.js';
import { RESTORE_DIRS_OPTION } from '../restore-dirs.js';
import { refuseArgvSecret } from '../argv-secrets.js';
import { serverTlsFrom, TLS_SERVER_OPTION } from '../tls.js';
import { PLAIN_HTTP, transportFetch, type Transport } from '@strata/core';

interface StartFlags extends EncryptionFlags {
  data: string;
  port_offset: number;
  host: string;
  demo?: boolean;
  security?: string;
  restore_dirs?: string[];
  tls?: string;
  log_level: LogLevel;
}

async function isEmpty(
  alphaUrl: string,
  authToken: string | undefined,
  transport: Transport,
): Promise<boolean> {
  const res = await transportFetch(`${alphaUrl}/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/dql', ...authHeaders(authToken) },
    body: '{ q(func: has(name), first: 1) { uid } }',
    ...(transport.dispatcher ? { dispatcher: transport.dispatcher } : {}),
  });
  const json = (await res.json()) as { data?: { q?: unknown[] } };
  return (json.data?.q?.length ?? 0) === 0;
}

async function loadDemo(
  alpha: Alpha,
  signal: { stopped: boolean },
  authToken: string | undefined,
  transport: Transport,
): Promise<void> {
  if (!(await isEmpty(alpha.url, authToken, transport))) {
    process.stdout.write('strata start: --demo: the store already holds data; not loading it again\n');
    return;
  }
  const n = demoCounts();
  process.stdout.write(
    `strata start: --demo: loading the demo data set (${n.people.toLocaleString('en-US')} people, ` +
      `${n.cities} cities, ${n.companies} companies, ${n.posts.toLocaleString('en-US')} posts, ` +
      `${n.accounts} accounts; about 300,000 N-Quads)\n`,
  );
  const tty = process.stdout.isTTY === true;
  let lastPrint = 0;
  const r = await loadRdf({
    alpha: alpha.url,
    file: 'the demo data set',
    input: demoRdfChunks(),
    schemaText: DEMO_SCHEMA,
    batch: 5000,
    authToken,
    transport,
    onProgress: (p) => {
      if (signal.stopped) throw new Error('interrupted');
      if (tty) process.stdout.write(`\r  ${progressLine(p)}   `);
      else if (p.seconds - lastPrint >= 5) {
        lastPrint = p.seconds;
        process.stdout.write(`  ${progressLine(p)}\n`);
      }
    },
  });
  if (tty) process.stdout.write('\n');
  process.stdout.write(
    [
      `strata start: --demo: loaded ${r.quads} N-Quads in ${r.seconds.toFixed(1)} s. Try:`,
      `  curl -s ${alpha.url}/query -H 'content-type: application/dql' -d '{ q(func: eq(name, "Paris")) { name@fr population count(~lives_in) location } }'`,
      `  curl -s ${alpha.url}/query -H 'content-type: application/dql' -d '{ q(func: eq(tags, "graphs"), first: 3) { title published author { name count(follows) } } }'`,
      '',
    ].join('\n'),
  );
}

export async function runStart(flags: StartFlags): Promise<void> {
  const data = path.resolve(flags.data);
  const security = securityFrom(flags.security, 'strata start');
  const tls = serverTlsFrom(flags.tls, 'strata start');
  let zero: Zero | undefined;
  let alpha: Alpha | undefined;
  const stop = async () => {
    await alpha?.close();
    await zero?.close();
  };
  const { createAlpha, createZero, serverLogger } = await import('@strata/server');
  // A missing or bad key fails here, before anything starts or is written (the token file too).
  const keys = await clusterKeysFromFlags(flags);
  const { token, file: tokenPath } = tokenFile(data);
  try {
    zero = await createZero({
      dataDir: path.join(data, 'zw'),
      port: ZERO_DEFAULT_PORT + flags.port_offset,
      host: flags.host,
      token,
      security,
      tls,
      atRest: keys.atRest,
      logger: serverLogger({ level: flags.log_level, name: 'zero' }),
    });
    alpha = await createAlpha({
      group: 1,
      zero: `127.0.0.1:${zero.port}`,
      dataDir: path.join(data, 'p'),
      port: ALPHA_DEFAULT_PORT + flags.port_offset,
      grpcPort: ALPHA_DEFAULT_GRPC_PORT + flags.port_offset,
      host: flags.host,
      token,
      security,
      tls,
      adminWhitelist: security.whitelist,
      exportDir: path.join(data, 'export'),
      keyProvider: keys.backups,
      atRest: keys.atRest,
      restoreDirs: flags.restore_dirs,
      logger: serverLogger({ level: flags.log_level, name: 'alpha-1' }),
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const a = alpha.url;
  const curl = tls ? 'curl -s --cacert CA.crt' : 'curl -s';
  process.stdout.write(
    [
      `strata start: Zero on ${zero.url}, Alpha (group 1) on ${a}, its gRPC API (Dgraph's clients) on port ${alpha.grpcPort}`,
      `  GraphQL admin  ${a}/admin      (backup, restore, listBackups, restoreStatus, export, health)`,
      `  DQL            ${a}/query  ${a}/mutate  ${a}/alter`,
      `  metrics        ${a}/metrics  ${zero.url}/metrics   (Prometheus)`,
      `  data           ${data} (cluster token in ${tokenPath})`,
      `  at rest        ${keys.atRest ? `encrypted (SQLCipher, master key: ${keys.atRest.describe})` : 'plaintext (no --encryption)'}`,
      `  security       ${exposure(flags.host, security, tls)}`,
      `  logs           ${flags.log_level} and up, on stdout (--log_level)`,
      '',
      'Try:',
      `  ${curl} ${a}/health`,
      `  ${curl} ${a}/alter -d 'name: string @index(exact) .'`,
      `  ${curl} '${a}/mutate?commitNow=true' -H 'content-type: application/rdf' -d '{ set { _:a <name> "Alice" . } }'`,
      `  ${curl} ${a}/query -H 'content-type: application/dql' -d '{ q(func: eq(name, "Alice")) { uid name } }'`,
      `  ${curl} ${a}/admin -H 'content-type: application/json' -d '{"query": "{ health { status version } }"}'`,
      tls
        ? `  strata export --alpha ${a} --out ./dump --tls "ca-cert=CA.crt"`
        : `  strata export --alpha ${a.replace(/^http:\/\//, '')} --out ./dump`,
      '',
      'Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
  const signal = { stopped: false };
  const done = untilSignal('strata start', async () => {
    signal.stopped = true;
    await stop();
  });
  if (flags.demo) {
    try {
      await loadDemo(alpha, signal, security.token, tls?.transport ?? PLAIN_HTTP);
    } catch (err) {
      if (!signal.stopped) process.stderr.write(`strata start: --demo: ${(err as Error).message}\n`);
    }
  }
  await done;
}

const HELP = `
Runs Zero (port ${ZERO_DEFAULT_PORT} + --port_offset) and one Alpha serving group 1 (HTTP port
${ALPHA_DEFAULT_PORT} + --port_offset, gRPC port ${ALPHA_DEFAULT_GRPC_PORT} + --port_offset) in this process: the embedded default. DATA holds zw/ (Zero's
state), p/ (the posting store), export/ and cluster_token (created with mode 0600 on first start).
--demo loads Strata's demo data set when the store holds no data yet: its schema, then about
300,000 N-Quads generated on the fly (the same every run): people with their city, employer,
follows (with facets), likes and posts; cities named in several languages with GeoJSON points and
polygons; companies and accounts. It uses every value type and index kind Strata supports.
\`strata demo-data --out DIR\` writes the same set to files for \`strata load\`.

Examples:
  $ strata start
  $ strata start --data /var/lib/strata --port_offset 100 --demo
`;

export function startCommand(): Command {
  const cmd = new Command('start')
    .description('run Zero and one Alpha (group 1) in one process: the embedded default')
    .option('--data <dir>', 'data folder', './strata-data')
    .option('-o, --port_offset <n>', 'added to the default ports', intArg(0, 50000), 0)
    .option(...HOST_OPTION)
    .option(...SECURITY_OPTION)
    .option(...RESTORE_DIRS_OPTION)
    .option(...TLS_SERVER_OPTION)
    .option('--demo', "load Strata's generated demo data set (~300,000 N-Quads) if the store is empty");
  addLogOption(cmd);
  refuseArgvSecret(
    cmd,
    '--token <token>',
    'strata start keeps its cluster token in DATA/cluster_token (mode 0600); set STRATA_CLUSTER_TOKEN only for strata zero/alpha',
  );
  return addEncryptionOptions(cmd)
    .addHelpText('after', HELP)
    .action(async (flags: StartFlags) => {
      tuneServerHeap(); // a server process: keep its heap near what is live (server-heap.ts)
      return runStart(flags);
    });
}
