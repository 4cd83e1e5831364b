// The async iterator of the public API over a synchronous cursor. It first waits until everything its
// snapshot can show is durable (so no caller sees a write a crash could take back), then hands out copies:
// the cursor's bytes are only valid until its next move, a consumer may keep them longer.

import type { EntryIterator } from '../api.js';
import type { DbCursor } from './db-cursor.js';

type Entry = [Uint8Array, Uint8Array];

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

export class DbEntryIterator implements EntryIterator {
  private started = false;
  private finished = false;

  constructor(
    private readonly cursor: DbCursor,
    private ready: Promise<void> | undefined,
  ) {}

  async next(): Promise<IteratorResult<Entry, undefined>> {
    if (this.finished) return DONE;
    if (this.ready !== undefined) {
      const ready = this.ready;
      this.ready = undefined;
      try {
        await ready;
      } catch (error) {
        this.finish();
        throw error;
      }
      if (this.finished) return DONE;
    }
    if (this.started) this.cursor.next();
    this.started = true;
    if (!this.cursor.valid) {
      this.finish();
      return DONE;
    }
    return { done: false, value: [Buffer.from(this.cursor.key), Buffer.from(this.cursor.value)] };
  }

  async return(): Promise<IteratorResult<Entry, undefined>> {
    this.finish();
    return DONE;
  }

  async close(): Promise<void> {
    this.finish();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(): void {
    this.finished = true;
    this.cursor.close();
  }
}
