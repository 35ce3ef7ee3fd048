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
} from '@strata/core';
import { formatCount } from '../format.js';
import { Progress, progressHelp } from '../progress.js';
import { addAuthTokenOption, authHeaders, authTokenFrom, type AuthTokenFlags } from '../auth-token.js';
import { addClientTlsOption, clientTransportFrom, type ClientTlsFlags } from '../tls.js';

interface ExportFlags extends AuthTokenFlags, ClientTlsFlags {
  postings?: string;
  alpha?: string;
  out: string;
  read_ts?: bigint;
  json?: boolean;
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
  const files = await writeRdfDumpStream(outDir, {
    data: onPhaseProgress ? countLines(data, 'export', onPhaseProgress) : data,
    schema: () => r.header.schema,
  });
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
removed when it ends.

Examples:
  $ strata restore -l /backups -p ./restored
  $ strata export -p ./restored --out ./dump
  $ strata export --alpha localhost:8080 --out ./dump
${progressHelp('export (bytes of data.rdf written, facts; no ETA: the size is not known ahead)')}`;

export function exportCommand(): Command {
  return addClientTlsOption(addAuthTokenOption(new Command('export')))
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
      const progress = new Progress({ command: 'export', json: flags.json, itemNames: { export: 'facts' } });
      const onPhaseProgress = progress.active ? (p: PhaseProgress) => progress.update(p) : undefined;
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
        });
        progress.done(
          { postings: flags.postings, ...r },
          `exported ${formatCount(r.facts)} fact${r.facts === 1 ? '' : 's'} from ${r.stores.length} ` +
            `store${r.stores.length === 1 ? '' : 's'} to ${r.files.join(' and ')}\n`,
        );
      } catch (err) {
        progress.fail(err);
        throw err;
      }
    });
}
