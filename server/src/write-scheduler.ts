// Replies are written once per turn of the event loop, after every socket that was readable has been read
// and its commands run (setImmediate runs right after the poll phase), as Redis writes its pending clients
// in beforeSleep. A client's replies to everything it sent in that turn then go out in one write, and on a
// busy server the writes to many clients come in one burst: fewer wake-ups of the clients and of the server
// than one write per reply as soon as it is ready.

export interface PendingWriter {
  /** Writes what the writer has pending (replies held for durability included once durable); called once
   *  per schedule(). */
  writePending(): void;
}

export class WriteScheduler {
  private pending: PendingWriter[] = [];
  private spare: PendingWriter[] = [];
  private scheduled = false;

  /** `beforeWrites` runs first in each round, as Redis's beforeSleep writes the AOF before the replies: the
   *  server hands this turn's writes to the WAL there, so their sync starts before replies are written and,
   *  under `everysec`, the replies that waited for them go out in this same round. */
  constructor(private readonly beforeWrites: () => void = () => {}) {}

  /** Calls `writer.writePending()` after this turn's I/O; the caller schedules itself at most once per turn. */
  schedule(writer: PendingWriter): void {
    this.pending.push(writer);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  private readonly run = (): void => {
    this.scheduled = false;
    this.beforeWrites();
    const writers = this.pending;
    this.pending = this.spare;
    for (const writer of writers) writer.writePending();
    writers.length = 0;
    this.spare = writers;
  };
}
