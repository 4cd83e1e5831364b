// Replies are written once per turn of the event loop, after every socket that was readable has been read
// and its commands run (setImmediate runs right after the poll phase), as Redis writes its pending clients
// in beforeSleep. A client's replies to everything it sent in that turn then go out in one write, and on a
// busy server the writes to many clients come in one burst: fewer wake-ups of the clients and of the server
// than one write per reply as soon as it is ready.

export interface PendingWriter {
  /** Writes what the writer has pending; called once per schedule(). */
  writePending(): void;
}

export class WriteScheduler {
  private pending: PendingWriter[] = [];
  private spare: PendingWriter[] = [];
  private scheduled = false;

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
    const writers = this.pending;
    this.pending = this.spare;
    for (const writer of writers) writer.writePending();
    writers.length = 0;
    this.spare = writers;
  };
}
