/**
 * The few etcd operations Zero's etcd-backed state uses, over the `etcd3` client (gRPC): reads of a
 * key or a prefix, transactions (compare-and-swap), and leases by id (so that any Zero can renew a
 * lease another Zero granted). Keys are given without the cluster's prefix. Every failure to reach
 * etcd becomes `ETCD_UNAVAILABLE` (503) naming the endpoints; every call has a deadline.
 */
import { Etcd3, type ICompare, type IRequestOp, type IResponseOp } from 'etcd3';
import { HttpError } from '../../http/errors.js';

/** How long one etcd call may take (a quorum write on a healthy cluster takes milliseconds). */
export const ETCD_CALL_TIMEOUT_MS = 5_000;

export interface EtcdConnectOptions {
  /** `host:port` or `http://host:port` of each etcd member. */
  endpoints: readonly string[];
  /** Every key of this cluster starts with it (default `/strata/`). */
  prefix?: string;
}

export interface EtcdEntry {
  /** The key without the cluster's prefix. */
  key: string;
  value: string;
  createRevision: bigint;
  modRevision: bigint;
  lease: string;
}

/** One compare of a transaction (all must hold for its success branch). */
export type Compare =
  { key: string; absent: true } | { key: string; modRevision: bigint } | { key: string; value: string };

export type Op =
  { put: string; value: string; lease?: string } | { del: string; prefix?: boolean } | { get: string };

export interface TxnResult {
  succeeded: boolean;
  /** The store's revision after the transaction (a put's mod revision when it succeeded). */
  revision: bigint;
  /** The entries read by the `get` ops of the branch that ran, in order. */
  reads: (EtcdEntry | undefined)[];
}

/** Accepts `host:port` lists as Dgraph's flags do; etcd3 wants URLs. */
export function endpointUrls(endpoints: readonly string[]): string[] {
  return endpoints
    .map((e) => e.trim())
    .filter((e) => e !== '')
    .map((e) => (/^https?:\/\//.test(e) ? e : `http://${e}`));
}

export class EtcdKv {
  readonly prefix: string;
  readonly endpoints: readonly string[];
  private readonly client: Etcd3;

  constructor(opts: EtcdConnectOptions) {
    const hosts = endpointUrls(opts.endpoints);
    if (hosts.length === 0) throw new HttpError('BAD_REQUEST', '--etcd needs at least one host:port');
    this.endpoints = hosts;
    this.prefix = opts.prefix ?? '/strata/';
    if (!this.prefix.startsWith('/') || !this.prefix.endsWith('/')) {
      throw new HttpError('BAD_REQUEST', `the etcd prefix must start and end with "/", got "${this.prefix}"`);
    }
    this.client = new Etcd3({
      hosts,
      dialTimeout: ETCD_CALL_TIMEOUT_MS,
      defaultCallOptions: () => ({ deadline: Date.now() + ETCD_CALL_TIMEOUT_MS }),
    });
  }

  close(): void {
    this.client.close();
  }

  private full(key: string): Buffer {
    return Buffer.from(this.prefix + key);
  }

  /** Runs one etcd call, turning its failure into ETCD_UNAVAILABLE. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof HttpError) throw err;
      const why = err instanceof Error ? err.message : String(err);
      throw new HttpError(
        'ETCD_UNAVAILABLE',
        `etcd (${this.endpoints.join(', ')}) failed to ${what}: ${why}`,
        503,
      );
    }
  }

  private entry(kv: {
    key: Buffer;
    value: Buffer;
    create_revision: string;
    mod_revision: string;
    lease: string;
  }): EtcdEntry {
    return {
      key: kv.key.toString('utf8').slice(this.prefix.length),
      value: kv.value.toString('utf8'),
      createRevision: BigInt(kv.create_revision),
      modRevision: BigInt(kv.mod_revision),
      lease: kv.lease,
    };
  }

  async get(key: string): Promise<EtcdEntry | undefined> {
    const r = await this.call(`read ${key}`, () => this.client.kv.range({ key: this.full(key) }));
    const kv = r.kvs[0];
    return kv ? this.entry(kv) : undefined;
  }

  /** Every entry whose key starts with `under` (in key order). */
  async list(under: string): Promise<EtcdEntry[]> {
    const key = this.full(under);
    const r = await this.call(`list ${under}`, () =>
      this.client.kv.range({ key, range_end: prefixEnd(key) }),
    );
    return r.kvs.map((kv) => this.entry(kv));
  }

  async txn(
    compare: readonly Compare[],
    success: readonly Op[],
    failure: readonly Op[] = [],
  ): Promise<TxnResult> {
    const r = await this.call('run a transaction', () =>
      this.client.kv.txn({
        compare: compare.map((c) => this.compare(c)),
        success: success.map((o) => this.op(o)),
        failure: failure.map((o) => this.op(o)),
      }),
    );
    const branch = r.succeeded ? success : failure;
    const reads: (EtcdEntry | undefined)[] = [];
    branch.forEach((o, i) => {
      if (!('get' in o)) return;
      const kv = (r.responses[i] as IResponseOp | undefined)?.response_range?.kvs?.[0];
      reads.push(kv ? this.entry(kv) : undefined);
    });
    return { succeeded: r.succeeded, revision: BigInt(r.header.revision), reads };
  }

  private compare(c: Compare): ICompare {
    const key = this.full(c.key);
    if ('absent' in c) return { key, target: 'Create', result: 'Equal', create_revision: 0 };
    if ('modRevision' in c)
      return { key, target: 'Mod', result: 'Equal', mod_revision: String(c.modRevision) };
    return { key, target: 'Value', result: 'Equal', value: Buffer.from(c.value) };
  }

  private op(o: Op): IRequestOp {
    if ('put' in o) {
      return {
        request_put: {
          key: this.full(o.put),
          value: Buffer.from(o.value),
          ...(o.lease ? { lease: o.lease } : {}),
        },
      };
    }
    if ('del' in o) {
      const key = this.full(o.del);
      return { request_delete_range: { key, ...(o.prefix ? { range_end: prefixEnd(key) } : {}) } };
    }
    return { request_range: { key: this.full(o.get) } };
  }

  /** A new lease of `ttlSeconds`; keys put under it go when it is not renewed in time. */
  async grantLease(ttlSeconds: number): Promise<string> {
    const r = await this.call('grant a lease', () =>
      this.client.leaseClient.leaseGrant({ TTL: ttlSeconds, ID: 0 }),
    );
    return r.ID;
  }

  /** Renews a lease by id (granted by any Zero); its TTL left afterwards, 0 when it is gone. */
  async keepAliveOnce(id: string): Promise<number> {
    return this.call('renew a lease', async () => {
      const stream = await this.client.leaseClient.leaseKeepAlive();
      try {
        const res = await new Promise<{ TTL: string }>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error('no answer to a lease renewal')),
            ETCD_CALL_TIMEOUT_MS,
          );
          stream.on('data', (d: { TTL: string }) => {
            clearTimeout(timer);
            resolve(d);
          });
          stream.on('error', (err: Error) => {
            clearTimeout(timer);
            reject(err);
          });
          stream.write({ ID: id });
        });
        return Number(res.TTL);
      } finally {
        stream.end();
      }
    });
  }

  async revokeLease(id: string): Promise<void> {
    await this.call('revoke a lease', async () => {
      try {
        await this.client.leaseClient.leaseRevoke({ ID: id });
      } catch (err) {
        // A lease that already ended is what revoking wants.
        if (!/not found/i.test(err instanceof Error ? err.message : '')) throw err;
      }
    });
  }
}

/** The first key after every key starting with `key` (etcd's range end of a prefix). */
function prefixEnd(key: Buffer): Buffer {
  const end = Buffer.from(key);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}
