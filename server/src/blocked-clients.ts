// Clients blocked in a command (WAIT) until a timeout, CLIENT UNBLOCK, their own disconnection or the
// server's shutdown: INFO's blocked_clients and CLIENT LIST's `b` flag read this, and the time a command
// spent blocked is left out of its duration (INFO commandstats, SLOWLOG), as Redis leaves it out.

import { performance } from 'node:perf_hooks';
import { DeadlineTimer } from './deadline-timer.js';

/** Why a blocked client goes on: its timeout ran out or CLIENT UNBLOCK ... TIMEOUT (both answered as a
 *  timeout), CLIENT UNBLOCK ... ERROR, or it is gone (disconnected, killed, shutdown: nothing to answer). */
export type Unblocked = 'timeout' | 'error' | 'gone';

export class BlockedClients {
  private readonly ends = new Map<number, (how: Unblocked) => void>();
  private timed = 0;
  /** Milliseconds each client spent blocked in its current command, once the block ended (taken by
   *  takeBlockedMillis when the command finishes). */
  private readonly spent = new Map<number, number>();

  get size(): number {
    return this.ends.size;
  }

  /** Those blocked with a timeout (INFO's clients_in_timeout_table). */
  get withTimeout(): number {
    return this.timed;
  }

  has(clientId: number): boolean {
    return this.ends.has(clientId);
  }

  /** Blocks the client for `timeoutMs` (0: until unblocked), as the command it runs waits for the result. */
  block(clientId: number, timeoutMs: number): Promise<Unblocked> {
    return new Promise((resolve) => {
      const timer = new DeadlineTimer();
      const started = performance.now();
      const end = (how: Unblocked): void => {
        timer.clear();
        if (timeoutMs > 0) this.timed--;
        this.ends.delete(clientId);
        this.spent.set(clientId, performance.now() - started); // a command blocks once
        resolve(how);
      };
      this.ends.set(clientId, end);
      if (timeoutMs > 0) {
        this.timed++;
        timer.set(Date.now() + timeoutMs, () => end('timeout'));
      }
    });
  }

  /** The milliseconds the client's command spent blocked (0 if it did not block): it ran that much less. */
  takeBlockedMillis(clientId: number): number {
    const ms = this.spent.get(clientId);
    if (ms === undefined) return 0;
    this.spent.delete(clientId);
    return ms;
  }

  /** Ends the client's block; false if it is not blocked. */
  unblock(clientId: number, how: Unblocked): boolean {
    const end = this.ends.get(clientId);
    if (end === undefined) return false;
    end(how);
    return true;
  }

  /** Shutdown: every blocked client goes on, to be closed without an answer. */
  unblockAll(): void {
    for (const end of [...this.ends.values()]) end('gone');
  }
}
