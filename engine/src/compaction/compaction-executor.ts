// Where compaction jobs run. 'worker': in one worker thread, off the event loop (the disk file system
// only: the worker opens its own descriptors). 'inline': on the main thread, in slices of a few
// milliseconds that yield to the event loop, on any file system (the in-memory one of the crash tests
// cannot be shared with a worker). Both run the same job code.

import { Worker } from 'node:worker_threads';
import { type ErrorKind, StrataError } from '../errors.js';
import type { FileSystem } from '../vfs/file-system.js';
import { type CompactionResult, type CompactionSpec, runCompaction } from './compaction-job.js';

export type CompactionThread = 'worker' | 'inline';

/** What the worker posts back for a job. */
export type WorkerReply =
  | { result: CompactionResult; error?: undefined }
  | { error: { kind: ErrorKind; message: string; code?: string }; result?: undefined };

/** An inline job yields to the event loop after this many milliseconds of work. */
const SLICE_MS = 4;
/** A worker idle this long exits: an idle isolate never collects its garbage (blocks and buffers of its
 *  last job, tens of MB), and starting one again costs a few tens of milliseconds. */
const WORKER_IDLE_MS = 2000;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Keys cross the thread boundary as plain Uint8Arrays: make them Buffers again. */
function revive(result: CompactionResult): CompactionResult {
  const buf = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  for (const t of result.outputs) {
    t.smallestKey = buf(t.smallestKey);
    t.largestKey = buf(t.largestKey);
  }
  return result;
}

interface WorkerSlot {
  worker: Worker;
  idleTimer?: NodeJS.Timeout;
  /** The job in this worker, answered by its next message (a worker runs one job at a time). */
  job?: { resolve(r: CompactionResult): void; reject(e: unknown): void };
}

export class CompactionExecutor {
  /** Worker threads, started on demand: one per job running at once. */
  private readonly slots: WorkerSlot[] = [];
  private cancelled = false;

  constructor(
    readonly thread: CompactionThread,
    private readonly fs: FileSystem,
  ) {}

  run(spec: CompactionSpec): Promise<CompactionResult> {
    if (this.cancelled) return Promise.reject(cancelledError());
    if (this.thread === 'inline') return runCompaction(this.fs, spec, this.inlinePause());
    const slot = this.slots.find((s) => s.job === undefined) ?? this.startWorker();
    clearTimeout(slot.idleTimer);
    slot.worker.ref();
    return new Promise<CompactionResult>((resolve, reject) => {
      slot.job = { resolve, reject };
      slot.worker.postMessage(spec);
    }).finally(() => {
      slot.job = undefined;
      slot.worker.unref();
      slot.idleTimer = setTimeout(() => this.retire(slot), WORKER_IDLE_MS).unref();
    });
  }

  /** Cancels the running jobs and stops the workers; later runs are refused. An inline job stops at its
   *  next pause and removes its outputs; a worker is terminated, its partial outputs left to the next open. */
  cancel(): void {
    this.cancelled = true;
    for (const slot of this.slots.splice(0)) {
      clearTimeout(slot.idleTimer);
      slot.job?.reject(cancelledError());
      void slot.worker.terminate();
    }
  }

  private retire(slot: WorkerSlot): void {
    const i = this.slots.indexOf(slot);
    if (i < 0 || slot.job !== undefined) return;
    this.slots.splice(i, 1);
    void slot.worker.terminate();
  }

  private startWorker(): WorkerSlot {
    const worker = new Worker(new URL('./compaction-worker.js', import.meta.url));
    const slot: WorkerSlot = { worker };
    worker.on('message', (reply: WorkerReply) => {
      const job = slot.job;
      if (job === undefined) return;
      if (reply.error === undefined) job.resolve(revive(reply.result));
      else job.reject(new StrataError(reply.error.kind, reply.error.message, reply.error.code === undefined ? undefined : { code: reply.error.code }));
    });
    const fail = (error: unknown): void => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return; // cancelled
      this.slots.splice(i, 1);
      slot.job?.reject(new StrataError('IOError', `compaction worker failed: ${String(error)}`, { cause: error }));
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(`exited with code ${code}`));
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  /** A pause for inline jobs: a yield to the event loop once a slice has run SLICE_MS; throws once the
   *  executor is cancelled. */
  private inlinePause(): () => Promise<void> | undefined {
    let deadline = performance.now() + SLICE_MS;
    return () => {
      if (this.cancelled) throw cancelledError();
      if (performance.now() < deadline) return undefined;
      return yieldToLoop().then(() => {
        deadline = performance.now() + SLICE_MS;
      });
    };
  }
}

const cancelledError = (): StrataError => new StrataError('Closed', 'compaction cancelled: the database is closing');
