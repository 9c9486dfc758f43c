// Waiting for a condition on the supervisor's state without polling: each waiter is re-checked whenever the
// state changes, and gives up at its deadline.
export class Waiters {
  private readonly pending = new Set<() => void>();

  /** Resolves true as soon as `met()` holds (checked now and on every check()), false after `timeoutMs`. */
  wait(met: () => boolean, timeoutMs: number): Promise<boolean> {
    if (met()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const settle = (value: boolean): void => {
        clearTimeout(timer);
        this.pending.delete(recheck);
        resolve(value);
      };
      const recheck = (): void => {
        if (met()) settle(true);
      };
      const timer = setTimeout(() => settle(false), timeoutMs);
      this.pending.add(recheck);
    });
  }

  /** The state changed: re-check every waiter. */
  check(): void {
    for (const recheck of [...this.pending]) recheck();
  }
}
