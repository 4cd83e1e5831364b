// Clients blocked in a command (WAIT) until a timeout, CLIENT UNBLOCK, their own disconnection or the
// server's shutdown: INFO's blocked_clients and CLIENT LIST's `b` flag read this.

/** Why a blocked client goes on: its timeout ran out or CLIENT UNBLOCK ... TIMEOUT (both answered as a
 *  timeout), CLIENT UNBLOCK ... ERROR, or it is gone (disconnected, killed, shutdown: nothing to answer). */
export type Unblocked = 'timeout' | 'error' | 'gone';

/** setTimeout's longest delay; a longer timeout re-arms its timer. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class BlockedClients {
  private readonly ends = new Map<number, (how: Unblocked) => void>();
  private timed = 0;

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
      let timer: NodeJS.Timeout | undefined;
      const end = (how: Unblocked): void => {
        clearTimeout(timer);
        if (timeoutMs > 0) this.timed--;
        this.ends.delete(clientId);
        resolve(how);
      };
      if (timeoutMs > 0) {
        this.timed++;
        const deadline = Date.now() + timeoutMs;
        const arm = (): void => {
          const left = deadline - Date.now();
          timer = left <= 0 ? undefined : setTimeout(arm, Math.min(left, MAX_TIMER_MS));
          if (timer === undefined) end('timeout');
        };
        arm();
      }
      this.ends.set(clientId, end);
    });
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
