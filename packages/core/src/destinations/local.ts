/** A backup location on a local (or NFS-mounted) file system. */
import { createReadStream, type Dirent } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { fromFsError, InvalidArgumentError, StrataError } from '../errors.js';
import { casWriteFile, contentVersion } from './local-cas.js';
import { tempNameFor } from './local-temp.js';
import type { Destination, VersionedFile } from './types.js';
import { fsyncDir } from '../util/fsync.js';

/** Normalises a relative location path; rejects absolute paths and `..` segments. */
export function normalizeRelative(rel: string): string {
  const parts = rel.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  if (rel.startsWith('/') || parts.includes('..')) {
    throw new InvalidArgumentError(
      `path "${rel}" must be relative to the backup location and stay inside it`,
    );
  }
  return parts.join('/');
}

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export class LocalDestination implements Destination {
  /** Absolute path of the location's folder. */
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  describe(): string {
    return this.root;
  }

  /** Absolute path of a location-relative path. */
  resolve(rel: string): string {
    const norm = normalizeRelative(rel);
    return norm === '' ? this.root : path.join(this.root, ...norm.split('/'));
  }

  async #checkRoot(): Promise<void> {
    let isDir: boolean;
    try {
      isDir = (await stat(this.root)).isDirectory();
    } catch (err) {
      if (isNotFound(err)) {
        throw new StrataError('NOT_FOUND', `backup location not found: ${this.root}`, { file: this.root });
      }
      throw fromFsError(err, this.root, 'backup location');
    }
    if (!isDir) {
      throw new StrataError('IO', `backup location is not a folder: ${this.root}`, { file: this.root });
    }
  }

  async *list(prefix = ''): AsyncIterable<string> {
    await this.#checkRoot();
    // Start the walk at the deepest folder the prefix names in full.
    const cut = prefix.lastIndexOf('/');
    const startRel = cut < 0 ? '' : normalizeRelative(prefix.slice(0, cut));
    yield* this.#walk(startRel, prefix);
  }

  async *#walk(rel: string, prefix: string): AsyncIterable<string> {
    let entries: Dirent[];
    try {
      entries = await readdir(this.resolve(rel), { withFileTypes: true });
    } catch (err) {
      if (isNotFound(err)) return;
      throw fromFsError(err, this.resolve(rel), 'folder');
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        // Only descend where a match is still possible.
        if (child.startsWith(prefix) || prefix.startsWith(`${child}/`)) yield* this.#walk(child, prefix);
      } else if (e.isFile() && child.startsWith(prefix)) {
        yield child;
      }
    }
  }

  read(rel: string): Readable {
    const file = this.resolve(rel);
    const out = new PassThrough();
    const input = createReadStream(file, { highWaterMark: 1024 * 1024 });
    input.on('error', (err) => out.destroy(fromFsError(err, file, 'backup file')));
    input.pipe(out);
    return out;
  }

  async readFile(rel: string): Promise<Buffer> {
    const file = this.resolve(rel);
    try {
      return await readFile(file);
    } catch (err) {
      throw fromFsError(err, file);
    }
  }

  async readVersioned(rel: string): Promise<VersionedFile | undefined> {
    const file = this.resolve(rel);
    try {
      const data = await readFile(file);
      return { data, version: contentVersion(data) };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw fromFsError(err, file);
    }
  }

  async putIfUnchanged(rel: string, data: Uint8Array, version: string | null): Promise<boolean> {
    const file = this.resolve(rel);
    if (file === this.root) throw new InvalidArgumentError('cannot write to the location itself');
    try {
      await mkdir(path.dirname(file), { recursive: true });
    } catch (err) {
      throw fromFsError(err, file);
    }
    return casWriteFile(file, data, version);
  }

  async write(rel: string, data: Readable | AsyncIterable<Uint8Array> | Uint8Array): Promise<void> {
    const file = this.resolve(rel);
    if (file === this.root) throw new InvalidArgumentError('cannot write to the location itself');
    const dir = path.dirname(file);
    const tmp = tempNameFor(file);
    try {
      await mkdir(dir, { recursive: true });
      const fh = await open(tmp, 'wx');
      try {
        if (data instanceof Uint8Array) {
          await fh.writeFile(data);
        } else {
          for await (const chunk of data as AsyncIterable<Uint8Array | string>) {
            await fh.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
          }
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw fromFsError(err, file);
    }
    // Make the rename itself durable (not possible on every platform: best effort).
    await fsyncDir(dir);
  }

  async exists(rel: string): Promise<boolean> {
    try {
      await stat(this.resolve(rel));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw fromFsError(err, this.resolve(rel));
    }
  }

  async size(rel: string): Promise<number | undefined> {
    try {
      const st = await stat(this.resolve(rel));
      return st.isFile() ? st.size : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw fromFsError(err, this.resolve(rel));
    }
  }

  async delete(rel: string): Promise<void> {
    const file = this.resolve(rel);
    if (file === this.root) throw new InvalidArgumentError('cannot delete the location itself');
    try {
      await rm(file, { force: true });
    } catch (err) {
      throw fromFsError(err, file);
    }
  }

  async removeEmptyFolder(rel: string): Promise<void> {
    const dir = this.resolve(rel);
    if (dir === this.root) throw new InvalidArgumentError('cannot remove the location itself');
    try {
      await rmdir(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException | undefined)?.code;
      if (isNotFound(err) || code === 'ENOTEMPTY' || code === 'EEXIST') return;
      throw fromFsError(err, dir);
    }
  }
}
