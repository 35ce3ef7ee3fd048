/** Makes a rename durable: fsyncs the folder that holds the renamed entry (best effort). */
import { open } from 'node:fs/promises';

export async function fsyncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } catch {
    // Some filesystems do not fsync folders; the rename is still atomic.
  } finally {
    await h.close();
  }
}
