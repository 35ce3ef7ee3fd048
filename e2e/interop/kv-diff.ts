/**
 * The decoded KVs of a backup, keyed by their raw key (hex), for comparing what Strata and Dgraph
 * wrote for the same data: posting lists as canonical text without timestamps
 * (`describePostingList`), schema and type values as hex. Only keys of the predicates asked for.
 */
import { readdirSync, createReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { createBackupDecoder, describePostingList, type DecodedKv } from '@strata/core';

export interface KvView {
  /** DATA, INDEX, REVERSE, COUNT, COUNT_REV, SCHEMA or TYPE, and the predicate. */
  kind: string;
  attr: string;
  /** The uid of a DATA or REVERSE key, the count of a COUNT key, the term of an INDEX key (hex). */
  at: string;
  text: string;
}

/** Every KV of every group file of backup folder `folder` whose predicate `keep` accepts. */
export async function backupKvs(
  folder: string,
  keep: (attr: string) => boolean,
): Promise<Map<string, KvView>> {
  const out = new Map<string, KvView>();
  for (const f of readdirSync(folder).filter((f) => f.endsWith('.backup'))) {
    const decoder = createBackupDecoder({ mode: 'kvs', source: f });
    const sink = new Writable({
      objectMode: true,
      write(kv: DecodedKv, _enc, done) {
        const attr = kv.key.attr.replace(/^([0-9a-f]{16}-|\d+-)/, '');
        if (keep(attr)) {
          const schemaLike = kv.key.keyType === 'SCHEMA' || kv.key.keyType === 'TYPE';
          out.set(kv.rawKey.toString('hex'), {
            kind: kv.key.keyType,
            attr,
            at: String(kv.key.uid ?? kv.key.count ?? kv.key.term?.toString('hex') ?? ''),
            text: schemaLike ? kv.value.toString('hex') : describePostingList(kv.value),
          });
        }
        done();
      },
    });
    await pipeline(createReadStream(path.join(folder, f)), decoder, sink);
  }
  return out;
}

/** Keys only one side has, and keys whose values differ, each described for a test message. */
export function diffKvs(a: Map<string, KvView>, b: Map<string, KvView>): string[] {
  const out: string[] = [];
  const name = (k: string, v: KvView) => `${v.kind} <${v.attr}> ${v.at} (key ${k})`;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w) out.push(`only Strata: ${name(k, v)}\n  ${v.text.replaceAll('\n', '\n  ')}`);
    else if (w.text !== v.text)
      out.push(
        `differs: ${name(k, v)}\n  Strata: ${v.text.replaceAll('\n', '\n  ')}\n  Dgraph: ${w.text.replaceAll('\n', '\n  ')}`,
      );
  }
  for (const [k, w] of b)
    if (!a.has(k)) out.push(`only Dgraph: ${name(k, w)}\n  ${w.text.replaceAll('\n', '\n  ')}`);
  return out;
}
