// Decides when to compact and drives the jobs (up to `maxJobs` at once, on disjoint runs): groups the live tables into sorted runs, asks the
// picker, reserves output file numbers, runs the job (in the worker or inline) and hands the result to the
// database, which installs it by one manifest edit. A failed job (a checksum error in an input, an I/O
// error) is reported to the database and stops compaction; the inputs stay live, so the store is intact.

import { StrataError } from '../errors.js';
import type { TableReader } from '../sstable/table-reader.js';
import { outputsNeeded, type CompactionResult, type CompactionSpec } from './compaction-job.js';
import type { CompactionExecutor } from './compaction-executor.js';
import { pickCompaction, type PickReason, type UniversalOptions } from './picker.js';

/** Why a job ran: the picker's reason, or `manual` for compactAll(). */
export type CompactionReason = PickReason | 'manual';

/** A live table and the sorted run it belongs to (the tables of one run hold disjoint key ranges). */
export interface LiveTable {
  readonly reader: TableReader;
  readonly run: number;
}

/** A sorted run: its tables, and its place in age order by the newest sequence it holds. */
export interface Run {
  readonly id: number;
  readonly tables: LiveTable[];
  bytes: number;
  entries: number;
  maxSequence: number;
}

/** Groups tables into runs, newest run first. */
export function sortedRuns(tables: readonly LiveTable[]): Run[] {
  const byId = new Map<number, Run>();
  for (const t of tables) {
    let run = byId.get(t.run);
    if (run === undefined) {
      run = { id: t.run, tables: [], bytes: 0, entries: 0, maxSequence: 0 };
      byId.set(t.run, run);
    }
    run.tables.push(t);
    run.bytes += t.reader.properties.fileSize;
    run.entries += t.reader.properties.entries;
    run.maxSequence = Math.max(run.maxSequence, t.reader.properties.maxSequence);
  }
  return [...byId.values()].sort((a, b) => b.maxSequence - a.maxSequence);
}

export interface CompactorOptions extends UniversalOptions {
  dir: string;
  blockSize: number;
  bloomBitsPerKey: number;
  targetFileSize: number;
  /** Jobs that may run at once (each on its own runs; in the worker mode, each in its own thread). */
  maxJobs: number;
}

/** What the compactor needs from the database. */
export interface CompactorHost {
  /** The live tables now. */
  liveTables(): readonly LiveTable[];
  /** Sequences of the live snapshots. */
  snapshotSequences(): number[];
  /** Fresh file numbers, never used before. */
  newFileNumbers(count: number): number[];
  /** Makes the outputs live and the inputs obsolete (one manifest edit). */
  install(inputs: readonly LiveTable[], result: CompactionResult): Promise<void>;
  /** The job failed: the database reports it and refuses writes. */
  fail(error: StrataError): void;
}

export interface CompactionStats {
  compactions: number;
  /** Jobs running now. */
  running: number;
  /** Why the running or last job was picked. */
  lastReason?: CompactionReason;
  bytesRead: number;
  bytesWritten: number;
  entriesRead: number;
  entriesWritten: number;
  /** Wall-clock milliseconds spent in jobs. */
  millis: number;
}

export class Compactor {
  readonly stats: CompactionStats = {
    compactions: 0,
    running: 0,
    bytesRead: 0,
    bytesWritten: 0,
    entriesRead: 0,
    entriesWritten: 0,
    millis: 0,
  };
  private readonly jobs = new Set<Promise<void>>();
  private stopped = false;
  /** Tables in running jobs. */
  private readonly busy = new Set<TableReader>();

  constructor(
    private readonly host: CompactorHost,
    private readonly options: CompactorOptions,
    private readonly executor: CompactionExecutor,
  ) {}

  /** Sorted runs now, newest first. */
  runs(): Run[] {
    return sortedRuns(this.host.liveTables());
  }

  /** Starts jobs while the picker finds some and slots are free; called whenever the runs changed. */
  schedule(): void {
    while (!this.stopped && this.jobs.size < this.options.maxJobs) {
      const runs = this.runs();
      const pick = pickCompaction(
        runs.map((r) => ({ bytes: r.bytes, entries: r.entries, busy: r.tables.some((t) => this.busy.has(t.reader)) })),
        this.options,
      );
      if (pick === undefined) return;
      this.start(runs.slice(pick.first, pick.first + pick.count).flatMap((r) => r.tables), pick.first + pick.count === runs.length, pick.reason);
    }
  }

  /** Merges every run live now into one, once the running jobs are done (runs that flushes add meanwhile
   *  are newer and stay as they are); resolves when it is installed, or at once if the compactor is stopped. */
  async compactAll(): Promise<void> {
    // (Checked after every wait: a flush installed meanwhile may have scheduled a job on the runs.)
    while (!this.stopped && this.jobs.size > 0) await this.settle();
    if (this.stopped) return;
    const inputs = this.runs().flatMap((r) => r.tables);
    if (inputs.length > 0) await this.start(inputs, true, 'manual');
  }

  /** Runs a job on `inputs` (whole neighbouring runs; `bottommost` if they include the oldest). */
  private start(inputs: LiveTable[], bottommost: boolean, reason: CompactionReason): Promise<void> {
    this.stats.lastReason = reason;
    for (const t of inputs) this.busy.add(t.reader);
    const job: Promise<void> = this.compact(inputs, bottommost).finally(() => {
      this.jobs.delete(job);
      for (const t of inputs) this.busy.delete(t.reader);
      this.stats.running = this.jobs.size;
      this.schedule();
    });
    this.jobs.add(job);
    this.stats.running = this.jobs.size;
    return job;
  }

  /** Resolves once no job runs (and, unless stopped, none is due). */
  async settle(): Promise<void> {
    while (this.jobs.size > 0) await Promise.all([...this.jobs]);
  }

  /** Stops compacting: running jobs are cancelled (their partial outputs removed now or by the next open). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.jobs.size === 0) return;
    this.executor.cancel();
    await this.settle();
  }

  private async compact(inputs: LiveTable[], bottommost: boolean): Promise<void> {
    const o = this.options;
    const inputBytes = inputs.reduce((sum, t) => sum + t.reader.properties.fileSize, 0);
    const spec: CompactionSpec = {
      dir: o.dir,
      inputs: inputs.map((t) => t.reader.fileNumber),
      outputNumbers: this.host.newFileNumbers(outputsNeeded(inputBytes, o.targetFileSize)),
      snapshots: this.host.snapshotSequences(),
      bottommost,
      blockSize: o.blockSize,
      bloomBitsPerKey: o.bloomBitsPerKey,
      targetFileSize: o.targetFileSize,
    };
    const started = performance.now();
    try {
      const result = await this.executor.run(spec);
      if (this.stopped) return; // closing: the outputs are orphans, removed by the next open
      await this.host.install(inputs, result);
      const s = this.stats;
      s.compactions++;
      s.bytesRead += result.bytesRead;
      s.bytesWritten += result.bytesWritten;
      s.entriesRead += result.entriesRead;
      s.entriesWritten += result.entriesWritten;
    } catch (error) {
      if (this.stopped) return;
      this.stopped = true;
      const cause = error instanceof StrataError ? error : new StrataError('IOError', `compaction: ${String(error)}`, { cause: error });
      this.host.fail(
        new StrataError(cause.kind, `compaction failed, the database refuses further writes (its data is intact): ${cause.message}`, {
          cause,
          ...(cause.code === undefined ? {} : { code: cause.code }),
        }),
      );
    } finally {
      this.stats.millis += performance.now() - started;
    }
  }
}
