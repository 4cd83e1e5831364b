// A timer for a deadline however far away: setTimeout caps a delay at 2^31 - 1 ms (about 24.8 days) and
// fires at once beyond it, so a longer wait re-arms until the deadline is reached.

const MAX_TIMER_MS = 2 ** 31 - 1;

export class DeadlineTimer {
  private timer: NodeJS.Timeout | undefined;

  /** Calls `fn` once at `deadline` (Unix ms; at once if it has passed), replacing any earlier setting. */
  set(deadline: number, fn: () => void): void {
    this.clear();
    const left = deadline - Date.now();
    if (left <= 0) return fn();
    this.timer = setTimeout(() => this.set(deadline, fn), Math.min(left, MAX_TIMER_MS));
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
