// Appends write batches to the current WAL file with group commit: every record added while the event loop
// runs the current task goes out in one append (write system call) and, under `fsync: always`, one
// fdatasync. One promise serves each group. Sync rounds overlap: a group committed while a round is in flight
// starts its own at once (up to MAX_ROUNDS_IN_FLIGHT; beyond, records wait for a round to end), because the
// disk serves concurrent flushes side by side (measured on ext4 over virtio: 2 in flight complete about twice
// as many syncs a second as 1, at the same latency), so a record waits about one sync instead of up to two.
// Rounds settle in the order they started: one that ends early waits for the earlier ones, for a failed
// sync may report its error to one caller only (Linux) and a later success must not cover that loss.
//
// When the log moves to a new file, the new file gets no byte before the old one is synced, whatever the
// policy: so after any crash only the newest WAL can have a torn tail, and damage in an older one is
// corruption, never a crash's doing.

import type { BatchOp, FsyncPolicy } from '../api.js';
import { StrataError } from '../errors.js';
import type { FileHandle, FileSystem } from '../vfs/file-system.js';
import { encodeBatch, encodedBatchSize } from './batch.js';
import { RECORD_HEADER_SIZE, sealRecord } from './record.js';

interface Group {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** A sync round in flight: it makes durable every record up to `upTo`. */
interface Round {
  upTo: number;
  /** Settled when the records up to `upTo` are durable (created only if someone waits on it). */
  group: Group | undefined;
  /** Its sync ended well; it settles once every earlier round has. */
  done: boolean;
}

function newGroup(): Group {
  const group = {} as Group;
  group.promise = new Promise<void>((resolve, reject) => {
    group.resolve = resolve;
    group.reject = reject;
  });
  return group;
}

const RESOLVED = Promise.resolve();
const noop = (): void => {};
const INITIAL_BUFFER = 64 * 1024;
/** A pending buffer grown beyond this by a huge batch is given back after its write. */
const MAX_KEPT_BUFFER = 4 * 1024 * 1024;
const EVERYSEC_MS = 1000;
const YIELD_EVERY_MS = 1;
/** Sync rounds of the log at once (libuv's pool has 4 threads; table flushes need one too). */
const MAX_ROUNDS_IN_FLIGHT = 2;

/** Any failure of the log as the error the database reports from then on. */
function walError(error: unknown): StrataError {
  const cause = error instanceof StrataError ? error.message : error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  return new StrataError('IOError', `write-ahead log failed, the database refuses further writes: ${cause}`, {
    cause: error,
    ...(typeof code === 'string' ? { code } : {}),
  });
}

export class WalWriter {
  private pending = Buffer.allocUnsafe(INITIAL_BUFFER);
  private pendingLength = 0;
  /** Shared by the records in `pending` (or handed to the OS but not yet in a sync round). */
  private pendingGroup: Group | undefined;
  /** Sync rounds in flight, oldest first. */
  private rounds: Round[] = [];
  private scheduled = false;
  private lastAdded: number;
  private written: number;
  private synced: number;
  /** The previous log file until a sync round has covered it (then it is closed). */
  private retiring: FileHandle | undefined;
  /** The directory holds a new log file whose name is not yet durable. */
  private dirDirty = false;
  private failure: StrataError | undefined;
  private closed = false;
  /** When a commit last waited for a turn of the event loop. */
  private lastTurn = 0;
  /** A caller commits at the end of each turn (commitNow): scheduled commits wait for the turn's end too. */
  private driven = false;
  private idleWaiters: (() => void)[] = [];
  /** Under `everysec`: the background sync once a second. */
  private timer: NodeJS.Timeout | undefined;
  /** The last record acknowledged under an earlier, weaker policy: it stays durable after a switch to
   *  `always` (no reply waits for it), and a sync round starts at the switch to make it so on disk. */
  private acknowledgedBefore = 0;
  syncs = 0;

  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    private file: FileHandle,
    private policy: FsyncPolicy,
    lastSequence: number,
    private readonly onError: (error: StrataError) => void,
  ) {
    this.lastAdded = this.written = this.synced = lastSequence;
    this.startTimer();
  }

  /** Durability by `policy` from now on. Writes acknowledged before stay as they are; records waiting for a
   *  sync round under `always` are settled by the new policy. */
  setPolicy(policy: FsyncPolicy): void {
    if (policy === this.policy) return;
    if (policy === 'always') this.acknowledgedBefore = this.written;
    this.policy = policy;
    clearInterval(this.timer);
    this.startTimer();
    if (policy === 'always') this.syncInBackground();
    if (!this.scheduled && !this.closed && this.pendingGroup !== undefined) this.commit();
  }

  private startTimer(): void {
    if (this.policy !== 'everysec') return;
    this.timer = setInterval(() => this.syncInBackground(), EVERYSEC_MS);
    this.timer.unref();
  }

  /** Last sequence durable as the policy defines it (synced for `always`, handed to the OS otherwise). */
  get durableSequence(): number {
    if (this.policy !== 'always') return this.written;
    return this.synced > this.acknowledgedBefore ? this.synced : this.acknowledgedBefore;
  }

  /** Bytes in the current log file, pending ones included. */
  get fileBytes(): number {
    return this.file.size() + this.pendingLength;
  }

  /** Encodes the batch as one record into the pending group; returns the group's promise. */
  add(ops: readonly BatchOp[], firstSequence: number): Promise<void> {
    if (this.failure) throw this.failure;
    const size = RECORD_HEADER_SIZE + encodedBatchSize(ops);
    if (this.pendingLength + size > this.pending.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.pending.length * 2, this.pendingLength + size));
      this.pending.copy(grown, 0, 0, this.pendingLength);
      this.pending = grown;
    }
    const start = this.pendingLength;
    const end = encodeBatch(this.pending, start + RECORD_HEADER_SIZE, ops, firstSequence);
    sealRecord(this.pending, start, end);
    this.pendingLength = end;
    this.lastAdded = firstSequence + ops.length - 1;
    return this.pendingPromise();
  }

  /** Resolves once every record up to `sequence` is durable per policy; rejects if the log failed. */
  durable(sequence: number): Promise<void> {
    // Nothing beyond what was added can be waited for (it may never come).
    if (sequence <= this.durableSequence || this.durableSequence === this.lastAdded) return RESOLVED;
    if (this.failure) return Promise.reject(this.failure);
    for (const round of this.rounds) {
      if (sequence <= round.upTo) {
        round.group ??= newGroup();
        return round.group.promise;
      }
    }
    return this.pendingPromise();
  }

  /** Commits the records added so far now instead of when the scheduled commit runs: handed to the OS
   *  (durable at once under `everysec` and `no`), and under `always` their sync round started unless two
   *  are in flight (they then go with the next). A caller that ends each turn of the event loop by writing
   *  replies (the server) calls this first, so the sync starts before the replies are written; from its
   *  first call, scheduled commits wait for the end of the turn (setImmediate) instead of running at the
   *  end of the current task, so all of a turn's writes share one append. */
  commitNow(): void {
    this.driven = true;
    if (this.scheduled && !this.closed) this.commit();
  }

  /** False while the previous file awaits its sync: only one switch at a time. */
  get canSwitch(): boolean {
    return this.retiring === undefined;
  }

  /** Resolves once `canSwitch` (or the log failed). */
  async switchable(): Promise<void> {
    while (this.retiring !== undefined && this.failure === undefined) await this.nextIdle();
  }

  /** Continues the log in `file` (new, empty, its name not yet synced). Pending records go to the old file,
   *  which is synced at once; records added meanwhile wait, then go to the new file. */
  switchFile(file: FileHandle): void {
    if (this.retiring !== undefined) throw new StrataError('Busy', 'the previous WAL is still being synced');
    if (!this.writePending()) throw this.failure!;
    this.retiring = this.file;
    this.file = file;
    this.dirDirty = true;
    if (this.rounds.length === 0) this.startSync(false); // else the last round in flight starts it as it ends
  }

  /** Writes and syncs everything (whatever the policy) and closes the files. */
  async close(): Promise<void> {
    this.closed = true; // queued commits do nothing now: this drives the rest
    for (;;) {
      await this.whenIdle();
      if (this.failure !== undefined) break;
      if (this.retiring !== undefined) {
        this.startSync(false);
        continue;
      }
      if (this.writePending()) {
        this.startSync(true);
        await this.whenIdle();
      }
      break;
    }
    clearInterval(this.timer);
    this.retiring?.close();
    this.file.close();
    if (this.failure) throw this.failure;
  }

  private async whenIdle(): Promise<void> {
    while (this.rounds.length > 0) await this.nextIdle();
  }

  private nextIdle(): Promise<void> {
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private pendingPromise(): Promise<void> {
    let group = this.pendingGroup;
    if (group === undefined) group = this.pendingGroup = newGroup();
    if (!this.scheduled) {
      this.scheduled = true;
      // A microtask gathers everything the current task writes. But a writer awaiting each write in a
      // loop would then never let the event loop turn (flushes, timers, I/O would starve): once a
      // millisecond, the commit waits for the next turn instead.
      const now = performance.now();
      if (!this.driven && now - this.lastTurn < YIELD_EVERY_MS) {
        queueMicrotask(this.commit);
      } else {
        this.lastTurn = now;
        setImmediate(this.commit);
      }
    }
    return group.promise;
  }

  private readonly commit = (): void => {
    this.scheduled = false;
    if (this.closed) return;
    if (this.retiring !== undefined) {
      // The new file takes no byte before the old one is durable; the round that syncs it re-runs us.
      if (this.rounds.length === 0 && this.failure === undefined) this.startSync(false);
      return;
    }
    if (this.policy === 'always') {
      // With the most rounds in flight, records wait in `pending`: a round re-runs us when it ends.
      if (this.rounds.length >= MAX_ROUNDS_IN_FLIGHT || this.pendingGroup === undefined) return;
      if (this.writePending()) this.startSync(true);
      return;
    }
    if (!this.writePending()) return;
    const group = this.pendingGroup;
    this.pendingGroup = undefined;
    group?.resolve();
  };

  private writePending(): boolean {
    if (this.failure) return false;
    if (this.pendingLength > 0) {
      try {
        this.file.append(this.pending.subarray(0, this.pendingLength));
      } catch (error) {
        this.fail(error);
        return false;
      }
      this.pendingLength = 0;
      if (this.pending.length > MAX_KEPT_BUFFER) this.pending = Buffer.allocUnsafe(INITIAL_BUFFER);
    }
    this.written = this.lastAdded;
    return true;
  }

  private syncInBackground(): void {
    if (this.failure || this.rounds.length > 0) return;
    if (this.synced < this.written || this.retiring !== undefined || this.dirDirty) this.startSync(false);
  }

  /** One round: fdatasync the current file, the retiring one, and the directory if it changed.
   *  `takePending`: the pending group's records have all been written and this round settles them. */
  private startSync(takePending: boolean): void {
    const round: Round = { upTo: this.written, group: undefined, done: false };
    if (takePending) {
      round.group = this.pendingGroup;
      this.pendingGroup = undefined;
    }
    this.rounds.push(round);
    const old = this.retiring;
    const work: Promise<void>[] = [this.file.sync()];
    if (old !== undefined) work.push(old.sync());
    if (this.dirDirty) {
      this.dirDirty = false;
      work.push(this.fs.syncDir(this.dir));
    }
    Promise.all(work).then(
      () => {
        if (old !== undefined) {
          old.close();
          this.retiring = undefined;
        }
        this.syncs++;
        round.done = true;
        const rounds = this.rounds;
        if (this.failure !== undefined) {
          rounds.splice(rounds.indexOf(round), 1); // its waiters were failed with the log
        } else {
          while (rounds.length > 0 && rounds[0]!.done) {
            const settled = rounds.shift()!;
            if (settled.upTo > this.synced) this.synced = settled.upTo;
            settled.group?.resolve();
          }
        }
        if (this.failure === undefined && (this.pendingGroup !== undefined || this.retiring !== undefined)) this.commit();
        this.wakeIdle();
      },
      (error: unknown) => {
        // Later rounds already ended will never settle: they leave with this one (the others as they end).
        const leaving = this.rounds.filter((other) => other === round || other.done);
        this.rounds = this.rounds.filter((other) => !leaving.includes(other));
        this.fail(error, leaving);
      },
    );
  }

  /** `left`: rounds that have just left `rounds` because of this failure. */
  private fail(error: unknown, left: readonly Round[] = []): void {
    if (this.failure === undefined) {
      this.failure = walError(error);
      this.onError(this.failure);
    }
    for (const group of [this.pendingGroup, ...[...left, ...this.rounds].map((round) => round.group)]) {
      if (group === undefined) continue;
      group.promise.catch(noop); // waiters see the rejection; nobody waiting is not a crash
      group.reject(this.failure);
    }
    this.pendingGroup = undefined;
    for (const round of this.rounds) round.group = undefined;
    this.wakeIdle();
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
