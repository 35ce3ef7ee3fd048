/** `strata export -p DIR | --alpha HOST:PORT --out OUTDIR`: the canonical RDF dump of stores or a cluster. */
import { Command, InvalidArgumentError } from 'commander';
import {
  baseUrl,
  countLines,
  exportRdfToDir,
  fetchExport,
  mergeSortedLines,
  writeRdfDumpStream,
  type PhaseProgress,
  type Transport,
  type VaultFlags,
} from '@strata/core';
import { formatCount } from '../format.js';
import { Progress, progressHelp } from '../progress.js';
import { addAuthTokenOption, authHeaders, authTokenFrom, type AuthTokenFlags } from '../auth-token.js';
import { addClientTlsOption, clientTransportFrom, type ClientTlsFlags } from '../tls.js';
import { addVaultOptions, atRestKeyFromFlag } from '../encryption.js';

interface ExportFlags extends AuthTokenFlags, ClientTlsFlags, VaultFlags {
  postings?: string;
  alpha?: string;
  out: string;
  read_ts?: bigint;
  json?: boolean;
  encryption?: string;
  plaintext?: boolean;
}

/**
 * Streams the whole cluster's dump from an Alpha (GET /export, strata-export/1) into
 * `outDir/data.rdf` and `outDir/schema.txt` (temp files + rename): the body is read as fast as
 * the disk takes it, checked line by line (sorted, unique, complete up to its trailer), never held.
 */
async function exportFromAlpha(
  alpha: string,
  outDir: string,
  readTs: bigint | undefined,
  authToken: string | undefined,
  transport: Transport,
  onPhaseProgress: ((p: PhaseProgress) => void) | undefined,
  outputKey: Buffer | undefined,
): Promise<{ facts: number; files: string[]; groups: number[]; readTs: string }> {
  const url = `${baseUrl(alpha, transport.scheme)}/export${readTs === undefined ? '' : `?readTs=${readTs}`}`;
  const r = await fetchExport({
    service: `the Alpha at ${alpha}`,
    url,
    method: 'GET',
    headers: authHeaders(authToken),
    dispatcher: transport.dispatcher,
  });
  const data = mergeSortedLines([r]);
  const files = await writeRdfDumpStream(
    outDir,
    {
      data: onPhaseProgress ? countLines(data, 'export', onPhaseProgress) : data,
      schema: () => r.header.schema,
    },
    { key: outputKey },
  );
  return { facts: r.facts ?? 0, files, groups: r.header.groups, readTs: r.header.readTs };
}

function parseTs(value: string): bigint {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return BigInt(value);
}

const HELP = `
Writes OUTDIR/data.rdf and OUTDIR/schema.txt: the canonical dump of every posting store under
DIR (its p<N> folders, as "strata restore" writes them, merged; or DIR itself when it is one
store). data.rdf holds one fact per line, "<0xSUBJ> <predicate> OBJECT .", sorted bytewise and
unique, every line ending in a newline; schema.txt holds one line per predicate, then one block
per type. The format is the one of shared/fixtures/dgraph/README.md, so a restore can be compared
byte for byte with a reference.

With --alpha HOST:PORT instead of -p, the running cluster is dumped: that Alpha reads every group
at one read timestamp (a fresh one from Zero's oracle, or --read_ts, e.g. a backup's readTs) and
merges the parts the same way. The dump is streamed (GET /export answers strata-export/1, see the
server README) and written as it arrives; nothing is renamed into place unless it arrived whole.
The -p export sorts in bounded memory, spilling sorted runs to a temp folder inside --out that is
removed when it ends (the runs are encrypted with a key held in memory only).

Encryption at rest: --encryption "key-file=FILE" (or "vault") is the cluster's master key. It opens
stores encrypted at rest (-p), and it encrypts the dump, as Dgraph exports an encrypted cluster:
OUTDIR/data.rdf.gz and OUTDIR/schema.txt.gz, each gzip then AES-CTR (a random 16-byte IV first);
"dgraph decrypt" and "dgraph live --encryption" read them. With --plaintext the dump is written in
plaintext instead (data.rdf, schema.txt).

Examples:
  $ strata restore -l /backups -p ./restored
  $ strata export -p ./restored --out ./dump
  $ strata export --alpha localhost:8080 --out ./dump
  $ strata export -p ./sealed --out ./dump --encryption key-file=./master.key
${progressHelp('export (bytes of data.rdf written, facts; no ETA: the size is not known ahead)')}`;

export function exportCommand(): Command {
  return addVaultOptions(addClientTlsOption(addAuthTokenOption(new Command('export'))))
    .description(
      'write the canonical RDF dump (data.rdf, schema.txt) of posting store folders or a running cluster',
    )
    .option('-p, --postings <dir>', 'the folder holding p1, p2, ... (or one store folder)')
    .option(
      '--alpha <host:port>',
      'dump the running cluster through this Alpha instead (or an http(s):// URL)',
    )
    .requiredOption('-o, --out <dir>', 'the folder to write data.rdf and schema.txt into (created if needed)')
    .option('--read_ts <ts>', 'read the stores at this timestamp (default: the newest data)', parseTs)
    .option(
      '--encryption <options>',
      '"key-file=FILE" or "vault" (the --vault_* flags\' key): the master key of stores encrypted at ' +
        'rest; the dump is encrypted with it too (data.rdf.gz, schema.txt.gz) unless --plaintext',
    )
    .option('--plaintext', 'with --encryption: write the dump in plaintext (data.rdf, schema.txt)')
    .option(
      '--json',
      "print JSON events on stdout, one per line: the export phase's start and end, then a summary with the result",
    )
    .addHelpText('after', HELP)
    .action(async (flags: ExportFlags) => {
      if ((flags.postings === undefined) === (flags.alpha === undefined)) {
        throw new Error(
          'give exactly one of -p DIR (store folders) and --alpha HOST:PORT (a running cluster)',
        );
      }
      if (flags.plaintext && flags.encryption === undefined)
        throw new Error('--plaintext goes with --encryption (without it the dump is plaintext already)');
      const atRest = await atRestKeyFromFlag(flags.encryption, flags);
      const progress = new Progress({ command: 'export', json: flags.json, itemNames: { export: 'facts' } });
      const onPhaseProgress = progress.active ? (p: PhaseProgress) => progress.update(p) : undefined;
      const master = await atRest?.getKey();
      const outputKey = flags.plaintext ? undefined : master;
      try {
        // Bytes of data.rdf written and its lines (facts); no total: a dump's size is not known ahead.
        progress.begin('export');
        if (flags.alpha !== undefined) {
          const r = await exportFromAlpha(
            flags.alpha,
            flags.out,
            flags.read_ts,
            authTokenFrom(flags),
            clientTransportFrom(flags, 'strata export'),
            onPhaseProgress,
            outputKey,
          );
          progress.done(
            { alpha: flags.alpha, ...r },
            `exported ${formatCount(r.facts)} fact${r.facts === 1 ? '' : 's'} from ${r.groups.length} ` +
              `group${r.groups.length === 1 ? '' : 's'} at readTs ${r.readTs} to ${r.files.join(' and ')}\n`,
          );
          return;
        }
        const r = await exportRdfToDir({
          pdir: flags.postings!,
          out: flags.out,
          readTs: flags.read_ts,
          onPhaseProgress,
          atRestKey: master,
          outputKey,
        });
        progress.done(
          { postings: flags.postings, ...r },
          `exported ${formatCount(r.facts)} fact${r.facts === 1 ? '' : 's'} from ${r.stores.length} ` +
            `store${r.stores.length === 1 ? '' : 's'} to ${r.files.join(' and ')}\n`,
        );
      } catch (err) {
        progress.fail(err);
        throw err;
      } finally {
        master?.fill(0);
      }
    });
}
