/**
 * `--restore_dirs`: the folders an `/admin` `restore` request may name files in (its key file,
 * its Vault role-id and secret-id files, a local backup location). A request is hostile until
 * proven otherwise: without this list it could read any file the server can read (and send a
 * Vault file's contents to a host of its choosing). Paths are resolved with realpath, so a
 * symlink out of a folder is refused like a `..`; refusals never say anything of a file's contents
 * or size, nor whether a file outside the folders exists.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { HttpError } from '../../http/errors.js';

function inside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export class RestoreDirs {
  private constructor(
    /** As given (resolved), for the lexical check and messages. */
    private readonly given: readonly string[],
    /** Their real paths. */
    private readonly dirs: readonly string[],
  ) {}

  /** Resolves the folders given at start-up (each must exist). */
  static async open(dirs: readonly string[] | undefined): Promise<RestoreDirs> {
    const given = (dirs ?? []).map((d) => path.resolve(d));
    const real: string[] = [];
    for (const d of given) {
      try {
        real.push(await realpath(d));
      } catch {
        throw new HttpError('BAD_REQUEST', `--restore_dirs: ${d} is not a folder that exists`);
      }
    }
    return new RestoreDirs(given, real);
  }

  get configured(): boolean {
    return this.dirs.length > 0;
  }

  /**
   * The real path of `file` (named by a request's `what` field) when it lies inside one of the
   * folders; a 400 otherwise. `file` must be absolute and hold no `..` segment.
   */
  async confine(what: string, file: string): Promise<string> {
    if (!this.configured) {
      throw new HttpError(
        'BAD_REQUEST',
        `restore refused: ${what} names a file, and this Alpha allows none (start it with ` +
          `--restore_dirs DIR,... to allow files inside those folders; the cluster's own key from ` +
          `--encryption_key_file or --vault_* needs no ${what})`,
      );
    }
    const refuse = (why: string) =>
      new HttpError(
        'BAD_REQUEST',
        `restore refused: ${what} ${JSON.stringify(file)} ${why}; allowed folders (--restore_dirs): ${this.given.join(', ')}`,
      );
    if (!path.isAbsolute(file)) throw refuse('is not an absolute path');
    if (file.split(/[\\/]/).includes('..')) throw refuse('holds a ".." segment');
    const lexical = path.resolve(file);
    if (!this.given.some((d) => inside(d, lexical)) && !this.dirs.some((d) => inside(d, lexical))) {
      throw refuse('is outside the allowed folders');
    }
    let real: string;
    try {
      real = await realpath(lexical);
    } catch {
      throw refuse('cannot be resolved (it does not exist or cannot be read)');
    }
    if (!this.dirs.some((d) => inside(d, real))) {
      throw refuse('leads outside the allowed folders (through a symbolic link)');
    }
    return real;
  }
}
