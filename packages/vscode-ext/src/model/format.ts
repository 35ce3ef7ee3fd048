/** Small formatting helpers shared by the tree and the commands (no vscode import). */

/** 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '?';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** ISO time → "2021-07-06 10:01:23" (UTC, as in the folder names). */
export function formatTime(iso: string | null): string {
  if (iso === null) return 'no time';
  return iso
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')
    .replace(/Z$/, '');
}

/** The span of a series: "2021-07-06 10:01 → 10:05", "2021-05-17 09:44 → 2021-05-18 11:00". */
export function formatSpan(first: string | null, last: string | null): string {
  if (first === null && last === null) return 'no time';
  const a = formatTime(first ?? last).slice(0, 16);
  const b = formatTime(last ?? first).slice(0, 16);
  if (a === b) return a;
  return a.slice(0, 10) === b.slice(0, 10) ? `${a} → ${b.slice(11)}` : `${a} → ${b}`;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** Quotes a shell word when needed (POSIX sh single quotes). */
export function shellQuote(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
