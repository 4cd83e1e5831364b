// BGREWRITEAOF in the background, and what INFO persistence reports of it.

import { StrataError, type Db } from '@strata/engine';
import type { Log } from './log.js';

/** BGREWRITEAOF: Redis rewrites its append-only log into the shortest one that rebuilds the data set;
 *  Strata's counterpart is the engine's compact() (its tables merged into one sorted run, overwritten
 *  versions and deletions dropped), run in the background. */
export class LogRewrite {
  /** Unix ms when the running rewrite started, if one runs. */
  startedAt: number | undefined;
  /** Seconds the last one took (-1 before any), whether it succeeded, and how many succeeded. */
  lastSeconds = -1;
  lastOk = true;
  count = 0;

  constructor(
    private readonly engine: Db,
    private readonly log: Log,
  ) {}

  /** Starts a rewrite; false if one is running. */
  start(): boolean {
    if (this.startedAt !== undefined) return false;
    const started = (this.startedAt = Date.now());
    this.engine
      .compact()
      .then(
        () => {
          this.lastOk = true;
          this.count++;
          this.log('notice', 'Background AOF rewrite finished successfully');
        },
        (err: Error) => {
          if (err instanceof StrataError && err.kind === 'Closed') return; // shutting down
          this.lastOk = false;
          this.log('warning', `Background AOF rewrite failed: ${err.message}`);
        },
      )
      .finally(() => {
        this.lastSeconds = Math.round((Date.now() - started) / 1000);
        this.startedAt = undefined;
      });
    return true;
  }
}
