/**
 * The temporary names of local writes: a file is written as `.<name>.tmp-<12 hex>` beside its
 * final name, then renamed. A crash before the rename leaves that temp file, which the next backup
 * can recognise as an unfinished write (nothing a reader ever saw).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** A new temporary name for a write of `file`, in the same folder (so the rename is atomic). */
export function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${randomBytes(6).toString('hex')}`);
}

/** Whether a file's base name is that of a write a crash stopped before its rename. */
export function isUnfinishedWrite(name: string): boolean {
  return /^\..+\.tmp-[0-9a-f]{12}$/.test(name);
}
