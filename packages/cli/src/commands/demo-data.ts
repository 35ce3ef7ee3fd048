/** `strata demo-data --out DIR`: write Strata's generated demo data set to files for `strata load`. */
import path from 'node:path';
import { Command } from 'commander';
import { DEMO_RDF_FILE, DEMO_SCHEMA_FILE, writeDemoFiles } from '@strata/core';

interface DemoDataFlags {
  out: string;
}

const HELP = `
Writes DIR/${DEMO_SCHEMA_FILE} (a Dgraph schema) and DIR/${DEMO_RDF_FILE} (about 300,000 N-Quads, gzip),
creating DIR and replacing files of those names. This is the set \`strata start --demo\` loads:
people with their city, employer, follows (with facets), likes and posts; cities named in several
languages with GeoJSON points and polygons; companies and accounts. It is generated from a fixed
seed, so every run writes the same N-Quads.

Examples:
  $ strata demo-data --out ./demo
  $ strata load ./demo/${DEMO_RDF_FILE} --schema ./demo/${DEMO_SCHEMA_FILE} --alpha 127.0.0.1:8080
`;

export function demoDataCommand(): Command {
  return new Command('demo-data')
    .description('write the demo data set (schema and N-Quads) to files for strata load')
    .requiredOption('--out <dir>', 'the folder to write demo.schema and demo.rdf.gz to')
    .addHelpText('after', HELP)
    .action(async (flags: DemoDataFlags) => {
      const started = Date.now();
      const r = await writeDemoFiles(path.resolve(flags.out));
      process.stdout.write(
        `wrote ${r.schema}\nwrote ${r.rdf} (${r.quads.toLocaleString('en-US')} N-Quads, ` +
          `${(r.bytes / 1e6).toFixed(1)} MB before gzip) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
    });
}
