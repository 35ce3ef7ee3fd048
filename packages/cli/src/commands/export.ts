/** `strata export -p DIR | --alpha HOST:PORT --out OUTDIR`: the canonical RDF dump of stores or a cluster. */
import { Command, InvalidArgumentError } from 'commander';
import { fetch } from 'undici';
import { baseUrl, exportRdfToDir, transportHint, writeRdfDump, type Transport } from '@strata/core';
import { formatCount } from '../format.js';
import { addAuthTokenOption, authHeaders, authTokenFrom, type AuthTokenFlags } from '../auth-token.js';
import { addClientTlsOption, clientTransportFrom, type ClientTlsFlags } from '../tls.js';

interface ExportFlags extends AuthTokenFlags, ClientTlsFlags {
  postings?: string;
  alpha?: string;
  out: string;
  read_ts?: bigint;
}

/** Asks an Alpha for the whole cluster's dump (GET /export) and writes it like exportRdfToDir. */
async function exportFromAlpha(
  alpha: string,
  outDir: string,
  readTs: bigint | undefined,
  authToken: string | undefined,
  transport: Transport,
): Promise<{ facts: number; files: string[]; groups: number[] }> {
  const url = `${baseUrl(alpha, transport.scheme)}/export${readTs === undefined ? '' : `?readTs=${readTs}`}`;
  let res: Awaited<ReturnType<typeof fetch>>;
  try {
    res = await fetch(url, {
      headers: authHeaders(authToken),
      ...(transport.dispatcher ? { dispatcher: transport.dispatcher } : {}),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new Error(`cannot reach the Alpha at ${alpha} (${cause}${transportHint(url, cause)})`, {
      cause: err,
    });
  }
  const json = (await res.json()) as {
    data: string;
    schema: string;
    facts: number;
    groups: number[];
    message?: string;
  };
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${json.message ?? 'error'}`);
  const files = await writeRdfDump(outDir, json);
  return { facts: json.facts, files, groups: json.groups };
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
merges the parts the same way.

Examples:
  $ strata restore -l /backups -p ./restored
  $ strata export -p ./restored --out ./dump
  $ strata export --alpha localhost:8080 --out ./dump
`;

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
    .addHelpText('after', HELP)
    .action(async (flags: ExportFlags) => {
      if ((flags.postings === undefined) === (flags.alpha === undefined)) {
        throw new Error(
          'give exactly one of -p DIR (store folders) and --alpha HOST:PORT (a running cluster)',
        );
      }
      if (flags.alpha !== undefined) {
        const r = await exportFromAlpha(
          flags.alpha,
          flags.out,
          flags.read_ts,
          authTokenFrom(flags),
          clientTransportFrom(flags, 'strata export'),
        );
        process.stdout.write(
          `exported ${formatCount(r.facts)} fact${r.facts === 1 ? '' : 's'} from ${r.groups.length} ` +
            `group${r.groups.length === 1 ? '' : 's'} to ${r.files.join(' and ')}\n`,
        );
        return;
      }
      const r = await exportRdfToDir({ pdir: flags.postings!, out: flags.out, readTs: flags.read_ts });
      process.stdout.write(
        `exported ${formatCount(r.facts)} fact${r.facts === 1 ? '' : 's'} from ${r.stores.length} ` +
          `store${r.stores.length === 1 ? '' : 's'} to ${r.files.join(' and ')}\n`,
      );
    });
}
