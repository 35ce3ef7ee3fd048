/**
 * Encryption at rest for this Alpha's store: opening the group's store with the cluster's master
 * key (`--encryption key-file=...`), which unwraps the store's data key from its envelope
 * (core's keys/envelope.ts), and handing the master key to a restore that writes a new store.
 * Without a master key every store is plain, as before.
 */
import { openPostingStore, storeDataKey, type KeyProvider, type PostingStore } from '@strata/core';

export class StoreKeys {
  constructor(
    readonly group: number,
    private readonly master: KeyProvider | undefined,
  ) {}

  /** True when the cluster is encrypted at rest. */
  get sealed(): boolean {
    return this.master !== undefined;
  }

  /** The master key (the caller `fill(0)`s it), or undefined for a plain cluster. */
  masterKey(): Promise<Buffer | undefined> {
    return this.master ? this.master.getKey() : Promise.resolve(undefined);
  }

  /**
   * Opens the store in `dir` (creating it when `create` and the folder holds none): sealed with its
   * data key when the cluster has a master key. A store sealed under another key, a sealed store
   * without a key or a plain one with a key is refused before anything is written.
   */
  async open(dir: string, create = false): Promise<PostingStore> {
    const master = await this.masterKey();
    let dataKey: Buffer | undefined;
    try {
      dataKey = await storeDataKey(dir, master, create);
      return openPostingStore(dir, { group: this.group, create, ...(dataKey && { dataKey }) });
    } finally {
      dataKey?.fill(0);
      master?.fill(0);
    }
  }
}
