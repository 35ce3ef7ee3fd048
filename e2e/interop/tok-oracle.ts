/**
 * Dgraph's own index tokenizers, as a test oracle: `tok-oracle` (scripts/setup/tok-oracle, built
 * by scripts/setup/dgraph.sh inside each Dgraph version's module) answers one JSON request per
 * line with the hex tokens Dgraph's `tok` package computes.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { DgraphVersion } from '../tests/dgraph-peer.js';

export interface TokRequest {
  t: string;
  lang: string;
  v: string;
}

/** The oracle binary of `version`; an error naming the setup step when it was not built. */
export function tokOracle(version: DgraphVersion): string {
  const cache = process.env.STRATA_CACHE ?? path.join(homedir(), '.cache', 'strata');
  const bin = path.join(cache, 'dgraph', version, 'tok-oracle');
  if (!existsSync(bin))
    throw new Error(`tok-oracle ${version} is not built at ${bin}: run scripts/setup/dgraph.sh ${version}`);
  return bin;
}

/** Dgraph's tokens (hex, identifier byte first) for each request, in order, or `ERR: ...`. */
export function dgraphTokens(version: DgraphVersion, reqs: TokRequest[]): Promise<(string[] | string)[]> {
  return new Promise((resolve, reject) => {
    // stderr: Dgraph's glog complains about every unknown language tag; the answers are on stdout
    const child = spawn(tokOracle(version), [], { stdio: ['pipe', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`tok-oracle exited with ${code}`));
      const lines = Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean);
      if (lines.length !== reqs.length)
        return reject(new Error(`tok-oracle answered ${lines.length} of ${reqs.length} requests`));
      resolve(lines.map((l) => JSON.parse(l) as string[] | string));
    });
    child.stdin.end(reqs.map((r) => JSON.stringify(r)).join('\n') + '\n');
  });
}
