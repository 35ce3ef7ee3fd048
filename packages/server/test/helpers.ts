/** What several server test files share: temp folders, in-process Zeros, parse error messages, the film data set. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, expect } from 'vitest';
import { buildZeroApp, ParseError, ZeroStore, type OracleOptions } from '../src/index.js';

/** The film data set (schema and two 200,000-line RDF files), read in place. */
export const FILM_DATA = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../shared/datasets/dgraph-film-200k',
);

/** A temp folder for this test file, removed after it. */
export function tempRoot(prefix: string): string {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

export interface TestZero {
  app: FastifyInstance;
  store: ZeroStore;
  dataDir: string;
}

/**
 * In-process Zeros (`buildZeroApp` over a `ZeroStore`) for this test file: each in its own folder
 * under a temp root unless `dataDir` is given; every one still open is closed after each test.
 */
export function zeroFactory(prefix: string, token: string) {
  const root = tempRoot(prefix);
  let n = 0;
  const open: TestZero[] = [];
  afterEach(async () => {
    for (const z of open.splice(0)) await close(z);
  });
  async function close(z: TestZero): Promise<void> {
    await z.app.close();
    await z.store.close();
  }
  return {
    root,
    async start(
      opts: { groups?: number; leaseBlock?: bigint; dataDir?: string; oracle?: OracleOptions } = {},
    ): Promise<TestZero> {
      const dataDir = opts.dataDir ?? path.join(root, `z${++n}`);
      const store = await ZeroStore.open({ dataDir, groups: opts.groups, leaseBlock: opts.leaseBlock });
      const app = await buildZeroApp({ store, token, oracle: opts.oracle });
      const z = { app, store, dataDir };
      open.push(z);
      return z;
    },
    /** Closes a Zero before the end of its test (e.g. to restart it on the same folder). */
    async stop(z: TestZero): Promise<void> {
      const i = open.indexOf(z);
      if (i >= 0) open.splice(i, 1);
      await close(z);
    },
  };
}

/** The message of the ParseError `fn` throws (fails when it throws nothing or something else). */
export function parseErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ParseError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

/** The first error of an answer in Dgraph's shape (`errors`), with its extensions (`strata` is Strata's code). */
export function dgraphErrorOf(
  body: unknown,
): { message: string; code: string; strata: string } & Record<string, unknown> {
  const errors = (body as { errors?: { message: string; extensions: Record<string, unknown> }[] }).errors;
  if (!errors?.length) throw new Error(`not an error answer: ${JSON.stringify(body)}`);
  return { message: errors[0]!.message, ...(errors[0]!.extensions as { code: string; strata: string }) };
}

/** A request Dgraph's routes refuse: HTTP 200 with `errors`, as Dgraph answers; its first error. */
export function refusal(status: number, body: unknown): ReturnType<typeof dgraphErrorOf> {
  if (status !== 200)
    throw new Error(`expected a refusal (HTTP 200 with errors), got HTTP ${status}: ${JSON.stringify(body)}`);
  return dgraphErrorOf(body);
}
