/** `strata export -p DIR --out OUTDIR`: the canonical RDF dump of restored posting stores. */
import { Command, InvalidArgumentError } from 'commander';
import { exportRdfToDir } from '@strata/core';
import { formatCount } from '../format.js';

interface ExportFlags {
  postings: string;
  out: string;
  read_ts?: bigint;
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

Examples:
  $ strata restore -l /backups -p ./restored
  $ strata export -p ./restored --out ./dump
`;

export function exportCommand(): Command {
  return new Command('export')
    .description('write the canonical RDF dump (data.rdf, schema.txt) of posting store folders')
    .requiredOption('-p, --postings <dir>', 'the folder holding p1, p2, ... (or one store folder)')
    .requiredOption('-o, --out <dir>', 'the folder to write data.rdf and schema.txt into (created if needed)')
    .option('--read_ts <ts>', 'read the stores at this timestamp (default: the newest data)', parseTs)
    .addHelpText('after', HELP)
    .action(async (flags: ExportFlags) => {
      const r = await exportRdfToDir({ pdir: flags.postings, out: flags.out, readTs: flags.read_ts });
      process.stdout.write(
        `exported ${formatCount(r.facts)} fact${r.facts === 1 ? '' : 's'} from ${r.stores.length} ` +
          `store${r.stores.length === 1 ? '' : 's'} to ${r.files.join(' and ')}\n`,
      );
    });
}
