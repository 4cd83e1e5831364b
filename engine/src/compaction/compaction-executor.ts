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

export class CompactionExecutor {
  private worker: Worker | undefined;
  /** The job in the worker, answered by its next message (jobs are sent one at a time). */
  private pending: { resolve(r: CompactionResult): void; reject(e: unknown): void } | undefined;

  constructor(
    readonly thread: CompactionThread,
    private readonly fs: FileSystem,
  ) {}

  run(spec: CompactionSpec): Promise<CompactionResult> {
    if (this.thread === 'inline') return runCompaction(this.fs, spec, inlinePause());
    if (this.pending !== undefined) return Promise.reject(new StrataError('Busy', 'a compaction is already running in the worker'));
    const worker = this.startWorker();
    worker.ref();
    return new Promise<CompactionResult>((resolve, reject) => {
      this.pending = { resolve, reject };
      worker.postMessage(spec);
    }).finally(() => {
      this.pending = undefined;
      this.worker?.unref();
    });
  }

  /** Stops the worker (callers wait for the running job first). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }

  private startWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(new URL('./compaction-worker.js', import.meta.url));
    worker.on('message', (reply: WorkerReply) => {
      const job = this.pending;
      if (job === undefined) return;
      if (reply.error === undefined) job.resolve(revive(reply.result));
      else job.reject(new StrataError(reply.error.kind, reply.error.message, reply.error.code === undefined ? undefined : { code: reply.error.code }));
    });
    const fail = (error: unknown): void => {
      this.worker = undefined;
      this.pending?.reject(new StrataError('IOError', `compaction worker failed: ${String(error)}`, { cause: error }));
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.worker === worker) fail(`exited with code ${code}`);
    });
    this.worker = worker;
    return worker;
  }
}

/** A pause for inline jobs: a yield to the event loop once a slice has run SLICE_MS. */
function inlinePause(): () => Promise<void> | undefined {
  let deadline = performance.now() + SLICE_MS;
  return () => {
    if (performance.now() < deadline) return undefined;
    return yieldToLoop().then(() => {
      deadline = performance.now() + SLICE_MS;
    });
  };
}
