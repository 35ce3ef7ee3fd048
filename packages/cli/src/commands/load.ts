/** `strata load FILE`: stream N-Quads (.rdf or .rdf.gz) into an Alpha in batches. */
import { Command } from 'commander';
import { loadRdf, type LoadProgress } from '../loader.js';
import { Progress, progressHelp } from '../progress.js';
import { intArg } from '../options.js';
import { addAuthTokenOption, authTokenFrom, type AuthTokenFlags } from '../auth-token.js';
import { addClientTlsOption, clientTransportFrom, type ClientTlsFlags } from '../tls.js';

interface LoadFlags extends AuthTokenFlags, ClientTlsFlags {
  alpha: string;
  schema?: string;
  batch: number;
  conc: number;
  limit?: number;
  json?: boolean;
}

const HELP = `
Reads FILE (N-Quads, plain or gzip) and sends it to the Alpha in batches of --batch N-Quads, each
one atomic mutation (/mutate?commitNow=true), up to --conc of them at once. Blank nodes (_:x) and
external ids (<m.0abc>) become uids, the same uid for the same name across the whole file: the
loader leases them from the cluster. As with Dgraph's live loader, batches that write the same
node's predicate (or the same object's reverse edges) never run at once and keep their file order,
and a batch that conflicts anyway is sent again; --conc 1 sends the batches one at a time. --schema first applies a Dgraph schema
file (/alter). Totals and the rate are printed at the end.
${progressHelp('schema (--schema), load (bytes of FILE read, compressed for a .gz; N-Quads)')}
Examples:
  $ strata demo-data --out ./demo     # the demo data set, as files
  $ strata load ./demo/demo.rdf.gz --schema ./demo/demo.schema
  $ strata load data.rdf --alpha 10.0.0.5:8080 --batch 5000
`;

export function loadCommand(): Command {
  return addClientTlsOption(addAuthTokenOption(new Command('load')))
    .description('load an N-Quads file (.rdf or .rdf.gz) into a running Alpha')
    .argument('<file>', 'the N-Quads file')
    .option('--alpha <host:port>', "an Alpha's address (or an http(s):// URL)", '127.0.0.1:8080')
    .option('--schema <file>', 'a Dgraph schema file to apply first')
    .option('--batch <n>', 'N-Quads per mutation', intArg(1, 1_000_000), 1000)
    .option('--conc <n>', 'mutations in flight at once', intArg(1, 64), 4)
    .option('--limit <n>', 'stop after this many N-Quads', intArg(1, Number.MAX_SAFE_INTEGER))
    .option(
      '--json',
      "print JSON events on stdout, one per line: each phase's start and end, then a summary with the totals",
    )
    .addHelpText('after', HELP)
    .action(async (file: string, flags: LoadFlags) => {
      const progress = new Progress({ command: 'load', json: flags.json, itemNames: { load: 'N-Quads' } });
      /** The file's bytes read (compressed for .gz) and the N-Quads committed. */
      const show = (p: LoadProgress) =>
        progress.update({ phase: 'load', bytesDone: p.bytesRead, bytesTotal: p.bytesTotal, items: p.quads });
      let stopped = false;
      const stop = () => {
        stopped = true;
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const r = await loadRdf({
          alpha: flags.alpha,
          file,
          schema: flags.schema,
          batch: flags.batch,
          concurrency: flags.conc,
          limit: flags.limit,
          authToken: authTokenFrom(flags),
          transport: clientTransportFrom(flags, 'strata load'),
          onStage: (stage, p) => (stage === 'schema' ? progress.begin('schema') : show(p)),
          onProgress: (p) => {
            show(p);
            if (stopped)
              throw new Error(`interrupted after ${p.quads} N-Quads (every batch sent so far is committed)`);
          },
        });
        show(r); // the whole file read
        const rate = Math.round(r.quads / Math.max(r.seconds, 0.001));
        progress.done(
          { file, alpha: flags.alpha, ...r, quadsPerSecond: rate },
          `loaded ${r.quads.toLocaleString('en-US')} N-Quads (${r.nodes.toLocaleString('en-US')} nodes) in ` +
            `${r.batches} batches, ${r.seconds.toFixed(1)} s, ${rate.toLocaleString('en-US')} N-Quads/s` +
            `${r.retries ? ` (${r.retries} batches sent again after a conflict)` : ''}\n`,
        );
      } catch (err) {
        progress.fail(err);
        throw err;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
