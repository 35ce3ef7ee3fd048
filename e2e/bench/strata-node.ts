/** What the benchmarks ask of a Strata node over HTTP, and a free port offset to start one on. */
import { portFree } from '../tests/dgraph-peer.js';

/** A port offset whose HTTP, gRPC and internal ports are free (for `strata start -o`). */
export async function freeOffset(): Promise<number> {
  for (let o = 300; o < 2000; o += 7)
    if ((await portFree(6080 + o)) && (await portFree(8080 + o)) && (await portFree(9080 + o))) return o;
  throw new Error('no free port offset for strata start');
}

/** POSTs `body`; the JSON answer, or an error with its text when refused. */
export async function call(url: string, body: string, type: string): Promise<Record<string, unknown>> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
  const j = (await r.json()) as Record<string, unknown>;
  if (!r.ok || j.errors) throw new Error(`${url}: ${JSON.stringify(j).slice(0, 500)}`);
  return j;
}

/** An online restore of the newest series at `location` (`/admin restore`), waited for. */
export async function restoreOnline(base: string, location: string): Promise<void> {
  const gql = (query: string) => call(`${base}/admin`, JSON.stringify({ query }), 'application/json');
  const r = (await gql(
    `mutation { restore(input: {location: ${JSON.stringify(location)}}) { code restoreId } }`,
  )) as {
    data: { restore: { restoreId: number } };
  };
  for (;;) {
    const s = (await gql(`{ restoreStatus(restoreId: ${r.data.restore.restoreId}) { status errors } }`)) as {
      data: { restoreStatus: { status: string; errors: string[] } };
    };
    if (s.data.restoreStatus.status === 'OK') return;
    if (s.data.restoreStatus.status === 'ERR') throw new Error(s.data.restoreStatus.errors.join('; '));
    await new Promise((res) => setTimeout(res, 100));
  }
}
