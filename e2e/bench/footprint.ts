/**
 * What a process and a folder cost, for the store benchmark: the peak resident memory of a
 * process, anonymous (heap, what the process allocated) and file-backed (mapped files such as an
 * LMDB store or Badger's tables, which the kernel can drop) apart; and the disk a folder uses.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface RssPeak {
  anonMiB: number;
  fileMiB: number;
}

function rssOf(pid: number): { anon: number; file: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0);
    return { anon: kb('RssAnon'), file: kb('RssFile') + kb('RssShmem') };
  } catch {
    return undefined; // the process is gone
  }
}

/**
 * Samples `pid` every 100 ms until `stop()`, which returns the peaks seen; `gone` settles (with a
 * rejection naming the process) if the process exits before `stop()`: killed by the kernel for
 * memory, or crashed.
 */
export function sampleRss(pid: number, name = `process ${pid}`): { stop(): RssPeak; gone: Promise<never> } {
  let anon = 0;
  let file = 0;
  let fail: (e: Error) => void = () => {};
  const gone = new Promise<never>((_, reject) => (fail = reject));
  gone.catch(() => {}); // only awaited by those who race it
  const take = () => {
    const r = rssOf(pid);
    if (r) {
      anon = Math.max(anon, r.anon);
      file = Math.max(file, r.file);
    } else {
      clearInterval(t);
      fail(new Error(`${name} exited (peak anonymous RSS ${Math.round(anon / 1024)} MiB)`));
    }
  };
  const t = setInterval(take, 100);
  take();
  return {
    stop() {
      clearInterval(t);
      if (rssOf(pid)) take();
      return { anonMiB: anon / 1024, fileMiB: file / 1024 };
    },
    gone,
  };
}

/** Bytes of disk the files under `dir` use (allocated blocks: sparse files count what they hold). */
export function diskBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += diskBytes(p);
    else if (e.isFile()) n += statSync(p).blocks * 512;
  }
  return n;
}

/** Bytes (apparent size) of the files under `dir` that `keep` accepts. */
export function fileBytes(dir: string, keep: (p: string) => boolean = () => true): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    if (e.isFile() && keep(p)) n += statSync(p).size;
  }
  return n;
}
