// CLIENT PAUSE: until a deadline, the commands of every client (mode ALL) or only those that may write
// (WRITE) wait, in order, then run. As in Redis 7.0, a second pause can extend the deadline and widen the
// mode but never shorten or narrow them; CLIENT UNPAUSE (or a shutdown) ends the pause at once.

import { DeadlineTimer } from './deadline-timer.js';

export type PauseMode = 'write' | 'all';

export class ClientPause {
  private mode: PauseMode | undefined;
  private until = 0;
  private readonly timer = new DeadlineTimer();
  /** Settles when the pause ends. */
  private ended: Promise<void> = Promise.resolve();
  private end: () => void = () => {};

  /** True while commands may be held (the active expire cycle does not run then, as in Redis). */
  get active(): boolean {
    return this.mode !== undefined;
  }

  pause(until: number, mode: PauseMode): void {
    if (this.mode === undefined) {
      this.ended = new Promise((resolve) => (this.end = resolve));
      this.mode = mode;
    } else if (mode === 'all') {
      this.mode = 'all';
    }
    if (until > this.until) {
      this.until = until;
      this.timer.set(until, () => this.unpause());
    }
  }

  unpause(): void {
    if (this.mode === undefined) return;
    this.timer.clear();
    this.mode = undefined;
    this.until = 0;
    this.end();
  }

  /** What a command must wait for before it runs (undefined: it runs now). */
  holds(mayWrite: boolean): Promise<void> | undefined {
    if (this.mode === undefined || (this.mode === 'write' && !mayWrite)) return undefined;
    return this.ended;
  }
}
