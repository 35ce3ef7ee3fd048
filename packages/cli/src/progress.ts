/**
 * Progress of the CLI's long commands, drawn from a stream of {phase, bytesDone, bytesTotal?,
 * items?, itemsTotal?} updates:
 *  - on a terminal (stderr is a TTY, no --json): one bar line on stderr, rewritten in place
 *    (phase, bar and percentage, bytes, rate, ETA or elapsed time, items), erased when the phase
 *    ends, so the terminal keeps only the command's usual output;
 *  - with --json: one JSON object per line on stdout: `start` and `end` of each phase, a
 *    `progress` event at most once a second in between, and a final `summary` (the command's
 *    result), or `{"event":"summary","ok":false,"error":...}` when it fails;
 *  - otherwise (piped, redirected, no --json): nothing.
 * Only this file writes progress; a command gives it updates and its result.
 */
import { jsonSafe } from './format.js';

/** Where a phase stands. Totals and items are optional: a phase may know neither. */
export interface ProgressUpdate {
  phase: string;
  bytesDone: number;
  bytesTotal?: number | undefined;
  items?: number | undefined;
  itemsTotal?: number | undefined;
}

/** A stream text is written to (process.stdout, process.stderr, or a test's fake). */
export interface TextStream {
  write(text: string): unknown;
  /** A terminal: the bar is drawn only when stderr has it true. */
  isTTY?: boolean | undefined;
  /** Terminal width; the bar line is cut to fit (default 80). */
  columns?: number | undefined;
}

export interface ProgressOptions {
  /** The command, named in every JSON event (`restore`, `verify`, ...). */
  command: string;
  /** --json: events on stdout, no bar. */
  json?: boolean | undefined;
  /** What `items` counts, by phase (plural noun, e.g. `{ load: 'files' }`); default `items`. */
  itemNames?: Readonly<Record<string, string>> | undefined;
  stdout?: TextStream | undefined;
  stderr?: TextStream | undefined;
  /** Milliseconds clock (tests pass their own). */
  now?: (() => number) | undefined;
  /** Redraw the bar this often while a phase runs, even without updates (ms; 0: never). Default 1000. */
  tickMs?: number | undefined;
}

/** Least time between two bar redraws (ms). */
export const REDRAW_MS = 100;
/** Least time between two JSON `progress` events of one phase (ms). */
export const JSON_PROGRESS_MS = 1000;
const BAR_WIDTH = 20;
/** A bar narrower than this is left out (narrow terminal). */
const MIN_BAR_WIDTH = 5;
/** Carriage return + erase to the end of the line. */
const CLEAR_LINE = '\r\x1b[K';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 -> `1.5 KiB`; below 1 KiB in bytes (`512 B`). */
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${UNITS[u]}`;
}

/** Seconds as `7s`, `2m05s`, `1h02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

interface Phase extends ProgressUpdate {
  started: number;
  lastDraw: number;
  lastJson: number;
  /** The bar's width: narrowed when the line would not fit, never widened again (no jitter). */
  barWidth: number;
}

export class Progress {
  private readonly command: string;
  private readonly json: boolean;
  private readonly tty: boolean;
  private readonly itemNames: Readonly<Record<string, string>>;
  private readonly out: TextStream;
  private readonly err: TextStream;
  private readonly now: () => number;
  private readonly tickMs: number;
  private readonly started: number;
  private current: Phase | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private finished = false;

  constructor(opts: ProgressOptions) {
    this.command = opts.command;
    this.json = opts.json === true;
    this.out = opts.stdout ?? process.stdout;
    this.err = opts.stderr ?? process.stderr;
    this.tty = !this.json && this.err.isTTY === true;
    this.itemNames = opts.itemNames ?? {};
    this.now = opts.now ?? Date.now;
    this.tickMs = opts.tickMs ?? 1000;
    this.started = this.now();
  }

  /** True when something is shown (a bar on a terminal, or JSON events). */
  get active(): boolean {
    return this.json || this.tty;
  }

  /** Starts `phase` (ending the phase before it), with its totals when known. */
  begin(phase: string, totals: Omit<ProgressUpdate, 'phase' | 'bytesDone'> = {}): void {
    this.update({ phase, bytesDone: 0, ...totals });
  }

  /**
   * Where the current phase stands; an update naming another phase ends the current one and
   * starts it. Drawn at most every {@link REDRAW_MS}, JSON at most every {@link JSON_PROGRESS_MS}.
   */
  update(u: ProgressUpdate): void {
    if (this.finished) return;
    const t = this.now();
    let p = this.current;
    if (p === undefined || p.phase !== u.phase) {
      if (p !== undefined) this.end();
      p = { ...u, started: t, lastDraw: -Infinity, lastJson: t, barWidth: BAR_WIDTH };
      this.current = p;
      if (this.json) {
        this.emit({
          event: 'start',
          phase: u.phase,
          ...(u.bytesTotal === undefined ? {} : { bytesTotal: u.bytesTotal }),
          ...(u.itemsTotal === undefined ? {} : { itemsTotal: u.itemsTotal }),
        });
      }
      if (this.tty && this.tickMs > 0) {
        this.ticker ??= setInterval(() => this.draw(true), this.tickMs);
        this.ticker.unref();
      }
    } else {
      p.bytesDone = u.bytesDone;
      if (u.bytesTotal !== undefined) p.bytesTotal = u.bytesTotal;
      if (u.items !== undefined) p.items = u.items;
      if (u.itemsTotal !== undefined) p.itemsTotal = u.itemsTotal;
      if (this.json && t - p.lastJson >= JSON_PROGRESS_MS) {
        p.lastJson = t;
        this.emit({ event: 'progress', ...this.counts(p, t) });
      }
    }
    this.draw(false);
  }

  /** Follows a stream of updates (e.g. a server's) until it ends. */
  async follow(updates: AsyncIterable<ProgressUpdate>): Promise<void> {
    for await (const u of updates) this.update(u);
  }

  /** Ends the current phase (`ok: false` with the error when it failed). */
  end(error?: unknown): void {
    const p = this.current;
    if (p === undefined) return;
    this.current = undefined;
    if (this.ticker !== undefined) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
    if (this.tty && p.lastDraw !== -Infinity) this.err.write(CLEAR_LINE);
    if (this.json) {
      this.emit({
        event: 'end',
        phase: p.phase,
        ok: error === undefined,
        ...this.counts(p, this.now()),
        ...(error === undefined ? {} : { error: messageOf(error) }),
      });
    }
  }

  /**
   * The command's result: ends the current phase, then with --json the `summary` event (`ok`,
   * the result's fields, `seconds`), else `text` on stdout as the command always printed it.
   */
  done(result: object, text: string): void {
    if (this.finished) return;
    this.end();
    this.finished = true;
    if (this.json) this.emit({ event: 'summary', ok: true, ...result, seconds: this.seconds() });
    else this.out.write(text);
  }

  /** The command failed: ends the current phase and, with --json, a failed `summary`. The caller rethrows. */
  fail(error: unknown): void {
    if (this.finished) return;
    this.end(error);
    this.finished = true;
    if (this.json)
      this.emit({ event: 'summary', ok: false, error: messageOf(error), seconds: this.seconds() });
  }

  private seconds(): number {
    return round3((this.now() - this.started) / 1000);
  }

  private counts(p: Phase, t: number): Record<string, unknown> {
    const seconds = (t - p.started) / 1000;
    const rate = seconds > 0 && p.bytesDone > 0 ? p.bytesDone / seconds : undefined;
    const eta =
      rate !== undefined && rate > 0 && p.bytesTotal !== undefined
        ? Math.max(0, p.bytesTotal - p.bytesDone) / rate
        : undefined;
    return {
      phase: p.phase,
      bytesDone: p.bytesDone,
      ...(p.bytesTotal === undefined ? {} : { bytesTotal: p.bytesTotal }),
      ...(p.items === undefined ? {} : { items: p.items }),
      ...(p.itemsTotal === undefined ? {} : { itemsTotal: p.itemsTotal }),
      seconds: round3(seconds),
      ...(rate === undefined ? {} : { bytesPerSecond: Math.round(rate) }),
      ...(eta === undefined ? {} : { etaSeconds: round3(eta) }),
    };
  }

  private emit(event: Record<string, unknown>): void {
    this.out.write(JSON.stringify(jsonSafe({ event: event.event, command: this.command, ...event })) + '\n');
  }

  /** Redraws the bar (throttled unless `force`). */
  private draw(force: boolean): void {
    const p = this.current;
    if (!this.tty || p === undefined) return;
    const t = this.now();
    if (!force && t - p.lastDraw < REDRAW_MS) return;
    p.lastDraw = t;
    // A terminal that says 0 columns (e.g. a pty without a size) gets 80.
    const columns = this.err.columns !== undefined && this.err.columns > 0 ? this.err.columns : 80;
    const width = Math.max(20, columns - 1);
    this.err.write(CLEAR_LINE + this.line(p, t, width));
  }

  /**
   * The bar line, at most `max` characters: `load  [#####-----]  50%  1.0 MiB / 2.0 MiB  512.0 KiB/s
   * ETA 2s  1/2 files`. A narrow terminal gets a shorter bar, then none, then the line cut.
   */
  private line(p: Phase, t: number, max: number): string {
    const seconds = (t - p.started) / 1000;
    const total = p.bytesTotal;
    const frac = total === undefined ? 0 : total > 0 ? Math.min(1, p.bytesDone / total) : 1;
    const rest: string[] = [];
    if (total !== undefined) {
      rest.push(`${Math.floor(frac * 100)}%`, `${formatBytes(p.bytesDone)} / ${formatBytes(total)}`);
    } else if (p.bytesDone > 0) {
      rest.push(formatBytes(p.bytesDone));
    }
    const rate = seconds > 0 ? p.bytesDone / seconds : 0;
    if (rate > 0) rest.push(`${formatBytes(rate)}/s`);
    if (total !== undefined && rate > 0 && p.bytesDone < total) {
      rest.push(`ETA ${formatDuration((total - p.bytesDone) / rate)}`);
    } else {
      rest.push(formatDuration(seconds));
    }
    if (p.items !== undefined || p.itemsTotal !== undefined) {
      const name = this.itemNames[p.phase] ?? 'items';
      const done = (p.items ?? 0).toLocaleString('en-US');
      rest.push(
        p.itemsTotal === undefined
          ? `${done} ${name}`
          : `${done}/${p.itemsTotal.toLocaleString('en-US')} ${name}`,
      );
    }
    const build = (width: number): string => {
      const fill = Math.round(frac * width);
      const bar = width > 0 ? [`[${'#'.repeat(fill)}${'-'.repeat(width - fill)}]`] : [];
      return [p.phase, ...bar, ...rest].join('  ');
    };
    if (total === undefined) return build(0).slice(0, max);
    let s = build(p.barWidth);
    if (s.length > max && p.barWidth > 0) {
      const width = p.barWidth - (s.length - max);
      p.barWidth = width >= MIN_BAR_WIDTH ? width : 0;
      s = build(p.barWidth);
    }
    return s.slice(0, max);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The `--help` paragraph on progress and --json events, after the command's own phases. */
export function progressHelp(phases: string): string {
  return `
Progress: when stderr is a terminal, a bar on stderr shows the current phase with bytes, rate
and ETA (elapsed time when the total is unknown); nothing extra is printed when stderr is not a
terminal. Phases: ${phases}.
--json prints JSON events on stdout instead, one object per line:
{"event":"start","phase":...} and {"event":"end","phase":...,"ok":true,"bytesDone":...,"seconds":...}
for each phase, a "progress" event at most once a second in a long phase, and last
{"event":"summary","ok":...,<the result>,"seconds":...} ({"ok":false,"error":"..."} on a failure).
`;
}
