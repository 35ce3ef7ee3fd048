/** Parse errors that point at the offending character: `line L, column C: message` (both 1-based). */
export class ParseError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
    this.name = 'ParseError';
  }
}

/** A value that does not parse as its declared type (no position: the caller adds it). */
export class ValueError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ValueError';
  }
}

/** Line/column bookkeeping over one text. */
export class Positions {
  /** Offsets at which each line starts. */
  private readonly starts: number[] = [0];

  constructor(
    text: string,
    private readonly firstLine = 1,
  ) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  at(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + this.firstLine, column: offset - this.starts[lo]! + 1 };
  }

  error(offset: number, reason: string): ParseError {
    const { line, column } = this.at(offset);
    return new ParseError(line, column, reason);
  }
}
