/** Runs async work one at a time, in the order it was asked for (a failure does not stop the queue). */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Resolves when the work asked for so far has finished. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
