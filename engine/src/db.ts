// Orchestration: open/recover, the synchronous write and read layer, memtable rotation, background
// flushes, snapshots, close. The durable formats live in wal/ and manifest/, the sorted data in memtable/
// and sstable/; this file decides when each is written and in which order, so that a crash at any point
// leaves a store that opens with every acknowledged write.

import { dirname, join } from 'node:path';
import type {
  BatchOp,
  Cursor,
  Db,
  DbStats,
  EntryIterator,
  FsyncPolicy,
  IteratorOptions,
  OpenOptions,
  ReadOptions,
  Snapshot,
} from './api.js';
import { BlockCache } from './cache/block-cache.js';
import { OpenFileBudget } from './cache/open-file-budget.js';
import { CompactionExecutor } from './compaction/compaction-executor.js';
import type { CompactionResult } from './compaction/compaction-job.js';
import { Compactor, type LiveTable, sortedRuns } from './compaction/compactor.js';
import { corruption, StrataError } from './errors.js';
import { DbCursor } from './iterator/db-cursor.js';
import { DbEntryIterator } from './iterator/entry-iterator.js';
import type { FoundVersion } from './iterator/found-version.js';
import { type InternalIterator, ValueKind } from './iterator/internal-iterator.js';
import { MergingIterator } from './iterator/merging-iterator.js';
import { LOCK, manifestFileName, parseFileName, tableFileName, TEMP_SUFFIX, walFileName } from './manifest/file-names.js';
import { LiveFiles, Manifest, readManifest, type RecoveredManifest } from './manifest/manifest.js';
import { describeTable, type TableMeta, type VersionEdit } from './manifest/version-edit.js';
import { MemTable } from './memtable/memtable.js';
import { checkFsync, resolveOptions, type ResolvedOptions } from './options.js';
import { TableBuilder } from './sstable/table-builder.js';
import { TableReader } from './sstable/table-reader.js';
import { bloomHash } from './util/bloom-hash.js';
import { keyHead } from './util/key-heads.js';
import type { FileHandle, FileSystem } from './vfs/file-system.js';
import { replayWals } from './wal/wal-recovery.js';
import { WalWriter } from './wal/wal-writer.js';

const RESOLVED = Promise.resolve();
const EMPTY = Buffer.alloc(0);
const noop = (): void => {};
/** A flush builds its table in slices of about this many milliseconds, then yields to the event loop. */
const FLUSH_SLICE_MS = 4;
/** A manifest is rewritten from the live set once its edits take this many bytes. */
const MANIFEST_ROLL_BYTES = 4 * 1024 * 1024;
/** While sorted runs pile up past the slowdown trigger, writes are held to about this many bytes per
 *  millisecond (16 MiB/s), paid in pauses once this many bytes are owed. */
const SLOWDOWN_BYTES_PER_MS = 16 * 1024;
const SLOWDOWN_CHUNK = 64 * 1024;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Any error as a StrataError, system errors becoming IOError with their code. */
function asStrataError(error: unknown, what: string): StrataError {
  if (error instanceof StrataError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return new StrataError('IOError', `${what}: ${message}`, { cause: error, ...(typeof code === 'string' ? { code } : {}) });
}

function checkBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new StrataError('InvalidArgument', `${what} must be a Uint8Array`);
}

/** A frozen memtable waiting for its flush; once flushed, WALs numbered below `logNumber` are obsolete. */
interface Immutable {
  mem: MemTable;
  logNumber: number;
}

/** Tables newest first: by the newest sequence they hold, so that a lookup can stop at the first hit.
 *  (Runs hold disjoint sequence ranges, and a key's versions in a run are all in one table.) */
function newestFirst(a: LiveTable, b: LiveTable): number {
  return b.reader.properties.maxSequence - a.reader.properties.maxSequence || b.reader.fileNumber - a.reader.fileNumber;
}

/** What recovery hands to the database. */
interface Recovered {
  dir: string;
  opts: ResolvedOptions;
  lock: { release(): void };
  live: LiveFiles;
  manifest: Manifest;
  cache: BlockCache;
  files: OpenFileBudget;
  tables: LiveTable[];
  /** The memtable rebuilt from the WALs, and those WALs (ascending). */
  mem: MemTable;
  wals: number[];
  /** The newest WAL, open for appends. */
  walFile: FileHandle;
  recoveredRecords: number;
  walTailBytesDropped: number;
}

class StrataDb implements Db {
  private readonly dir: string;
  private readonly opts: ResolvedOptions;
  private readonly fs: FileSystem;
  private readonly lock: { release(): void };
  private readonly live: LiveFiles;
  private manifest: Manifest;
  private readonly cache: BlockCache;
  private readonly files: OpenFileBudget;
  private mem: MemTable;
  /** Oldest first. Replaced, never mutated, so a cursor's view of them stays fixed. */
  private immutables: readonly Immutable[] = [];
  /** Newest first; replaced, never mutated. */
  private tables: readonly LiveTable[];
  /** Sorted runs among the tables: what back-pressure watches. */
  private runCount = 0;
  /** Holders of each table: the live set (one), and each open cursor. A table no longer live is closed
   *  and its file deleted when the last holder lets go. */
  private readonly tableRefs = new Map<TableReader, number>();
  private readonly obsolete = new Set<TableReader>();
  private readonly compactor: Compactor;
  private last: number;
  private readonly wal: WalWriter;
  /** WAL files that still hold data not in a table, ascending. */
  private readonly liveWals: number[];
  private flushTask: Promise<void> | undefined;
  private failure: StrataError | undefined;
  private closed = false;
  /** Live snapshots (explicit, and the implicit ones of open cursors): what compaction must keep. */
  private readonly snapshots = new Set<Snapshot>();
  /** The highest sequence among them (-1 if none): the memtable keeps the versions it may see (and
   *  overwrites none while a cursor is open on it). */
  private newestSnapshot = -1;
  private stallWaiters: (() => void)[] = [];
  private stallStarted = 0;
  private stalls = 0;
  private stallMillis = 0;
  private slowdowns = 0;
  /** Bytes written while writes are slowed, not yet paid for with a pause. */
  private slowdownDebt = 0;
  /** Manifest edits are appended one at a time (a roll to a new manifest must not race an append). */
  private editChain: Promise<void> = RESOLVED;
  private flushes = 0;
  /** Bytes of keys and values written by users, and bytes of tables written by flushes. */
  private userBytes = 0;
  private flushBytes = 0;
  private readonly recoveredRecords: number;
  private readonly walTailBytesDropped: number;

  constructor(r: Recovered) {
    this.dir = r.dir;
    this.opts = r.opts;
    this.fs = r.opts.fs;
    this.lock = r.lock;
    this.live = r.live;
    this.manifest = r.manifest;
    this.cache = r.cache;
    this.files = r.files;
    this.tables = r.tables.sort(newestFirst);
    for (const t of this.tables) this.tableRefs.set(t.reader, 1);
    this.runCount = sortedRuns(this.tables).length;
    this.mem = r.mem;
    this.last = r.live.lastSequence;
    this.liveWals = r.wals;
    this.recoveredRecords = r.recoveredRecords;
    this.walTailBytesDropped = r.walTailBytesDropped;
    this.wal = new WalWriter(this.fs, r.dir, r.walFile, r.opts.fsync, this.last, (error) => this.setFailure(error));
    const o = r.opts;
    this.compactor = new Compactor(
      {
        liveTables: () => this.tables,
        snapshotSequences: () => [...this.snapshots].map((s) => s.sequence),
        newFileNumbers: (count) => Array.from({ length: count }, () => this.live.newFileNumber()),
        install: (inputs, result) => this.installCompaction(inputs, result),
        fail: (error) => this.setFailure(error),
      },
      {
        dir: r.dir,
        blockSize: o.blockSize,
        bloomBitsPerKey: o.bloomBitsPerKey,
        targetFileSize: o.targetFileSize,
        maxJobs: o.maxBackgroundCompactions,
        trigger: o.compactionTrigger,
        sizeRatio: o.compactionSizeRatio,
        minMergeWidth: o.compactionMinMergeWidth,
        maxMergeWidth: o.compactionMaxMergeWidth,
        maxSizeAmplificationPercent: o.maxSizeAmplificationPercent,
      },
      new CompactionExecutor(o.compactionThread, this.fs),
    );
    // Runs left over from before (a crash, or a store written with other options) may be due already.
    this.compactor.schedule();
  }

  get lastSequence(): number {
    return this.last;
  }

  // ---- writes

  applySync(ops: readonly BatchOp[]): Promise<void> {
    this.checkWritable();
    if (!Array.isArray(ops)) throw new StrataError('InvalidArgument', 'a batch must be an array of operations');
    if (ops.length === 0) return RESOLVED;
    for (const op of ops) {
      checkBytes(op?.key, 'key');
      if (op.type === 'put') checkBytes(op.value, 'value');
      else if (op.type !== 'del') throw new StrataError('InvalidArgument', `unknown batch operation ${String((op as { type?: unknown }).type)}`);
    }
    // While the previous WAL is being synced the memtable grows a little past its size instead.
    if (this.mem.approximateBytes >= this.opts.memtableSize && this.wal.canSwitch) this.freeze();
    const first = this.last + 1;
    const durable = this.wal.add(ops, first);
    let sequence = first;
    let bytes = 0;
    const newestSnapshot = this.newestSnapshot;
    for (const op of ops) {
      if (op.type === 'put') {
        this.mem.add(sequence++, ValueKind.Value, op.key, op.value, newestSnapshot);
        bytes += op.key.length + op.value.length;
      } else {
        this.mem.add(sequence++, ValueKind.Deletion, op.key, EMPTY, newestSnapshot);
        bytes += op.key.length;
      }
    }
    this.last = sequence - 1;
    this.userBytes += bytes;
    if (this.runCount >= this.opts.slowdownWritesTrigger) this.slowdownDebt += bytes;
    return durable;
  }

  put(key: Uint8Array, value: Uint8Array): Promise<void> {
    return this.write([{ type: 'put', key, value }]);
  }

  del(key: Uint8Array): Promise<void> {
    return this.write([{ type: 'del', key }]);
  }

  /** Waits out back-pressure first: the memory a writer can fill is bounded by the stall triggers. */
  write(ops: readonly BatchOp[]): Promise<void> {
    try {
      const stall = this.writeStall();
      if (stall !== undefined) return stall.then(() => this.write(ops));
      return this.applySync(ops);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  durable(sequence: number = this.last): Promise<void> {
    return this.wal.durable(sequence);
  }

  get durableSequence(): number {
    return this.wal.durableSequence;
  }

  commitNow(): void {
    this.wal.commitNow();
  }

  setFsync(policy: FsyncPolicy): void {
    this.checkOpen();
    this.wal.setPolicy(checkFsync(policy, 'fsync'));
  }

  /** Writers wait while the immutable memtables or the sorted runs are at their stop triggers (until a
   *  flush or a compaction is installed), and pause now and then while the runs are past the slowdown
   *  trigger, so that compaction can catch up. */
  writeStall(): Promise<void> | undefined {
    if (this.failure !== undefined || this.closed) return undefined;
    const o = this.opts;
    if (this.immutables.length >= o.stallImmutables || this.runCount >= o.stopWritesTrigger) {
      this.stalls++;
      if (this.stallWaiters.length === 0) this.stallStarted = performance.now();
      return new Promise((resolve) => this.stallWaiters.push(resolve));
    }
    if (this.runCount < o.slowdownWritesTrigger) {
      this.slowdownDebt = 0;
      return undefined;
    }
    if (this.slowdownDebt < SLOWDOWN_CHUNK) return undefined;
    const pause = this.slowdownDebt / SLOWDOWN_BYTES_PER_MS;
    this.slowdownDebt = 0;
    this.slowdowns++;
    return new Promise((resolve) => setTimeout(resolve, pause));
  }

  // ---- reads

  private find(key: Uint8Array, sequence: number): FoundVersion | undefined {
    let hit = this.mem.get(key, sequence);
    if (hit !== undefined) return hit;
    const immutables = this.immutables;
    for (let i = immutables.length - 1; i >= 0; i--) {
      hit = immutables[i]!.mem.get(key, sequence);
      if (hit !== undefined) return hit;
    }
    const tables = this.tables;
    if (tables.length === 0) return undefined;
    const hash = bloomHash(key);
    const head0 = keyHead(key, 0, key.length, 0);
    const head1 = keyHead(key, 0, key.length, 6);
    for (const table of tables) {
      hit = table.reader.get(key, sequence, hash, head0, head1);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  private readSequence(options: ReadOptions | undefined): number {
    this.checkOpen();
    return options?.snapshot?.sequence ?? this.last;
  }

  getSync(key: Uint8Array, options?: ReadOptions): Uint8Array | undefined {
    const sequence = this.readSequence(options);
    checkBytes(key, 'key');
    const hit = this.find(key, sequence);
    return hit?.kind === ValueKind.Value ? hit.value : undefined;
  }

  get(key: Uint8Array, options?: ReadOptions): Promise<Uint8Array | undefined> {
    let hit: FoundVersion | undefined;
    try {
      const sequence = this.readSequence(options);
      checkBytes(key, 'key');
      hit = this.find(key, sequence);
    } catch (error) {
      return Promise.reject(error);
    }
    if (hit === undefined) return Promise.resolve(undefined);
    // A copy: the caller owns it, and may change it without changing the store (getSync shares instead).
    const value = hit.kind === ValueKind.Value ? hit.copyValue() : undefined;
    // The version found (or the tombstone hiding one) may not be durable yet: show it only once it is.
    if (hit.sequence > this.wal.durableSequence) return this.wal.durable(hit.sequence).then(() => value);
    return Promise.resolve(value);
  }

  cursor(options: IteratorOptions = {}): Cursor {
    return this.openCursor(options);
  }

  private openCursor(options: IteratorOptions): DbCursor {
    const sequence = this.readSequence(options);
    for (const bound of ['gt', 'gte', 'lt', 'lte'] as const) {
      if (options[bound] !== undefined) checkBytes(options[bound], `iterator bound ${bound}`);
    }
    const children: InternalIterator[] = [this.mem.iterator()];
    for (let i = this.immutables.length - 1; i >= 0; i--) children.push(this.immutables[i]!.mem.iterator());
    // The cursor holds its tables: a compaction may replace them, but their files stay until it closes.
    const tables = this.tables;
    this.pin(tables);
    for (const table of tables) children.push(table.reader.iterator());
    // An implicit snapshot keeps the versions the cursor sees in the memtables through their flushes.
    const implicit = options.snapshot === undefined ? this.snapshot() : undefined;
    return new DbCursor(new MergingIterator(children), sequence, options, () => {
      if (implicit !== undefined) this.release(implicit);
      this.unpin(tables);
    });
  }

  iterator(options: IteratorOptions = {}): EntryIterator {
    const cursor = this.openCursor(options);
    const sequence = options.snapshot?.sequence ?? this.last;
    let ready: Promise<void> | undefined;
    if (sequence > this.wal.durableSequence) {
      ready = this.wal.durable(sequence);
      ready.catch(noop); // reported by next(); an iterator never used must not crash the process
    }
    return new DbEntryIterator(cursor, ready);
  }

  snapshot(): Snapshot {
    this.checkOpen();
    const snapshot = Object.freeze({ sequence: this.last });
    this.snapshots.add(snapshot);
    this.newestSnapshot = this.last; // sequences only grow: the newest snapshot is the highest
    return snapshot;
  }

  /** Idempotent: releasing a snapshot twice does not release another holder's. */
  release(snapshot: Snapshot): void {
    if (!this.snapshots.delete(snapshot) || snapshot.sequence < this.newestSnapshot) return;
    let newest = -1;
    for (const other of this.snapshots) if (other.sequence > newest) newest = other.sequence;
    this.newestSnapshot = newest;
  }

  // ---- memtable rotation and flush

  /** Freezes a non-empty memtable, starts a new WAL for the writes after it, and schedules its flush. */
  private freeze(): void {
    if (this.mem.entries === 0) return;
    const number = this.live.newFileNumber();
    let file;
    try {
      file = this.fs.open(join(this.dir, walFileName(number)), 'create');
    } catch (error) {
      throw asStrataError(error, `creating ${walFileName(number)}`);
    }
    this.wal.switchFile(file);
    this.liveWals.push(number);
    this.immutables = [...this.immutables, { mem: this.mem, logNumber: number }];
    this.mem = new MemTable();
    this.flushTask ??= this.runFlushes();
  }

  private async runFlushes(): Promise<void> {
    try {
      while (this.immutables.length > 0 && this.failure === undefined) await this.flushOne(this.immutables[0]!);
    } catch (error) {
      // The table or the manifest may be half written: stop here rather than build on it.
      const cause = asStrataError(error, 'flush');
      this.setFailure(
        new StrataError(cause.kind, `flush failed, the database refuses further writes: ${cause.message}`, {
          cause,
          ...(cause.code === undefined ? {} : { code: cause.code }),
        }),
      );
    } finally {
      this.flushTask = undefined;
      this.wakeStalled();
    }
  }

  /** Table, sync, dir sync, manifest edit and sync; only then the memtable goes and its WALs with it. */
  private async flushOne(imm: Immutable): Promise<void> {
    const number = this.live.newFileNumber();
    const path = join(this.dir, tableFileName(number));
    const file = this.fs.open(path, 'create');
    let props;
    try {
      const builder = new TableBuilder(file, { blockSize: this.opts.blockSize, bloomBitsPerKey: this.opts.bloomBitsPerKey });
      const it = imm.mem.iterator();
      it.seekToFirst();
      let deadline = performance.now() + FLUSH_SLICE_MS;
      for (let n = 1; it.valid; n++) {
        builder.add(it.key, it.sequence, it.kind, it.value);
        it.next();
        if ((n & 255) === 0 && performance.now() > deadline) {
          await yieldToLoop();
          deadline = performance.now() + FLUSH_SLICE_MS;
        }
      }
      it.close();
      props = builder.finish();
      await file.sync();
    } finally {
      file.close();
    }
    await this.fs.syncDir(this.dir);
    const reader = TableReader.open(this.fs, path, { cache: this.cache, fileNumber: number, files: this.files });
    const meta: TableMeta = { ...describeTable(number, props), run: number };
    const edit: VersionEdit = {
      addTables: [meta],
      logNumber: imm.logNumber,
      nextFileNumber: this.live.nextFileNumber,
      lastSequence: this.last,
    };
    if (this.failure !== undefined) {
      // The log failed meanwhile: its page cache cannot be trusted, so neither can this table.
      reader.close();
      throw this.failure;
    }
    await this.logEdit(edit);
    this.setTables([{ reader, run: number }, ...this.tables]);
    this.tableRefs.set(reader, 1);
    this.immutables = this.immutables.slice(1);
    this.flushes++;
    this.flushBytes += props.fileSize;
    this.compactor.schedule();
    this.wakeStalled();
    while (this.liveWals.length > 0 && this.liveWals[0]! < imm.logNumber) {
      this.removeFile(walFileName(this.liveWals.shift()!));
    }
  }

  /** Outputs of a compaction become live and its inputs obsolete, by one manifest edit. */
  private async installCompaction(inputs: readonly LiveTable[], result: CompactionResult): Promise<void> {
    const run = result.outputs[0]?.number ?? 0;
    const added: LiveTable[] = [];
    try {
      for (const t of result.outputs) {
        const path = join(this.dir, tableFileName(t.number));
        added.push({ reader: TableReader.open(this.fs, path, { cache: this.cache, fileNumber: t.number, files: this.files }), run });
        await yieldToLoop(); // opening a large table (index, filter) takes a few milliseconds
      }
      if (this.failure !== undefined) throw this.failure;
      await this.logEdit({
        addTables: result.outputs.map((t) => ({ ...t, run })),
        removeTables: inputs.map((t) => t.reader.fileNumber),
        nextFileNumber: this.live.nextFileNumber,
      });
    } catch (error) {
      for (const t of added) t.reader.close();
      throw error;
    }
    const gone = new Set(inputs);
    this.setTables([...this.tables.filter((t) => !gone.has(t)), ...added]);
    for (const t of added) this.tableRefs.set(t.reader, 1);
    for (const t of inputs) {
      this.obsolete.add(t.reader);
      this.unpin([t]);
    }
    this.wakeStalled();
  }

  private setTables(tables: LiveTable[]): void {
    this.tables = tables.sort(newestFirst);
    this.runCount = sortedRuns(this.tables).length;
  }

  private pin(tables: readonly LiveTable[]): void {
    for (const t of tables) this.tableRefs.set(t.reader, (this.tableRefs.get(t.reader) ?? 0) + 1);
  }

  /** Lets go of tables; an obsolete table nobody holds any more is closed and its file deleted. */
  private unpin(tables: readonly LiveTable[]): void {
    for (const { reader } of tables) {
      const refs = (this.tableRefs.get(reader) ?? 1) - 1;
      if (refs > 0) {
        this.tableRefs.set(reader, refs);
        continue;
      }
      this.tableRefs.delete(reader);
      if (this.obsolete.delete(reader)) this.dropTable(reader);
    }
  }

  private dropTable(reader: TableReader): void {
    reader.close();
    this.cache.evictFile(reader.fileNumber);
    this.removeFile(tableFileName(reader.fileNumber));
  }

  /** Makes `edit` durable in the manifest and applies it, after the edits before it. */
  private logEdit(edit: VersionEdit): Promise<void> {
    const appended = this.editChain.then(() => this.appendEdit(edit));
    this.editChain = appended.catch(noop);
    return appended;
  }

  /** A manifest grown past MANIFEST_ROLL_BYTES is replaced by a new one holding the whole set (the old one
   *  is removed once CURRENT names the new). */
  private async appendEdit(edit: VersionEdit): Promise<void> {
    await this.manifest.append(edit);
    this.live.apply(edit);
    if (this.manifest.size < MANIFEST_ROLL_BYTES) return;
    const old = this.manifest;
    this.manifest = await Manifest.create(this.fs, this.dir, this.live, this.live.newFileNumber());
    old.close();
    this.removeFile(manifestFileName(old.number));
  }

  async flush(): Promise<void> {
    this.checkWritable();
    while (!this.wal.canSwitch) {
      await this.wal.switchable();
      this.checkWritable();
    }
    this.freeze();
    while (this.flushTask !== undefined) await this.flushTask;
    if (this.failure !== undefined) throw this.failure;
  }

  async compact(): Promise<void> {
    await this.flush();
    await this.compactor.compactAll();
    this.checkWritable(); // closed meanwhile (the job was cancelled), or the job failed
  }

  /** Obsolete files are garbage: failing to delete one is retried by the next open's clean-up. */
  private removeFile(name: string): void {
    try {
      this.fs.remove(join(this.dir, name));
    } catch {
      // left for the next open
    }
  }

  // ---- state

  private setFailure(error: StrataError): void {
    this.failure ??= error;
    this.wakeStalled();
  }

  private wakeStalled(): void {
    const waiters = this.stallWaiters;
    if (waiters.length === 0) return;
    this.stallWaiters = [];
    this.stallMillis += performance.now() - this.stallStarted;
    for (const wake of waiters) wake();
  }

  async verify(): Promise<void> {
    this.checkOpen();
    const tables = this.tables;
    this.pin(tables);
    try {
      for (const t of tables) {
        t.reader.verify();
        await yieldToLoop();
      }
    } finally {
      this.unpin(tables);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new StrataError('Closed', `database ${this.dir} is closed`);
  }

  private checkWritable(): void {
    this.checkOpen();
    if (this.failure !== undefined) throw this.failure;
  }

  stats(): DbStats {
    let tableBytes = 0;
    let tableMemory = 0;
    for (const t of this.tables) {
      tableBytes += t.reader.properties.fileSize;
      tableMemory += t.reader.memoryBytes;
    }
    let immutableBytes = 0;
    for (const imm of this.immutables) immutableBytes += imm.mem.approximateBytes;
    const runs = sortedRuns(this.tables);
    const compaction = this.compactor.stats;
    const cache = this.cache.stats();
    const memory = {
      memtable: this.mem.approximateBytes,
      immutableMemtables: immutableBytes,
      tableIndexesAndFilters: tableMemory,
      blockCache: cache.bytes,
      total: this.mem.approximateBytes + immutableBytes + tableMemory + cache.bytes,
    };
    const stats: DbStats = {
      lastSequence: this.last,
      durableSequence: this.wal.durableSequence,
      memtableBytes: this.mem.approximateBytes,
      immutableMemtables: this.immutables.length,
      immutableMemtableBytes: immutableBytes,
      tables: this.tables.length,
      tableBytes,
      walBytes: this.closed ? 0 : this.wal.fileBytes,
      walFiles: this.liveWals.length,
      recoveredRecords: this.recoveredRecords,
      walTailBytesDropped: this.walTailBytesDropped,
      walSyncs: this.wal.syncs,
      flushes: this.flushes,
      snapshots: this.snapshots.size,
      blockCache: cache,
      cacheHitRate: cache.hits + cache.misses === 0 ? 0 : cache.hits / (cache.hits + cache.misses),
      memory,
      sortedRuns: runs.length,
      compaction: { ...compaction },
      // Bytes written to tables (flushes and compactions) per byte of keys and values written by users, both
      // counted since this open: after a reopen, compactions of older data make it read high until writes add up.
      writeAmplification: this.userBytes === 0 ? 0 : (this.flushBytes + compaction.bytesWritten) / this.userBytes,
      // All table bytes over those of the oldest run, which holds most of the live data (as RocksDB's
      // universal compaction measures it): 1 when one run holds everything.
      spaceAmplification: runs.length === 0 ? 1 : tableBytes / Math.max(1, runs[runs.length - 1]!.bytes),
      stalls: this.stalls,
      stallMillis: Math.round(this.stallMillis),
      slowdowns: this.slowdowns,
      openTableFiles: this.files.open,
      obsoleteTables: this.obsolete.size,
    };
    if (this.failure !== undefined) stats.backgroundError = this.failure.message;
    return stats;
  }

  async close(): Promise<void> {
    this.checkOpen();
    this.closed = true;
    try {
      // A running merge is cancelled rather than awaited (it may take minutes): its outputs are orphans
      // that the next open removes, its inputs stay live.
      await this.compactor.stop();
      // A clean close leaves everything in tables, so that reopening replays nothing: measured, replaying a
      // full memtable from the WAL (bounded by memtable inserts) costs more than flushing it here.
      if (this.failure === undefined && this.mem.entries > 0) {
        await this.wal.switchable();
        try {
          if (this.failure === undefined) this.freeze();
        } catch {
          // No new WAL, no flush: the current WAL still holds the memtable, and reopening replays it.
        }
      }
      while (this.flushTask !== undefined) await this.flushTask;
      await this.wal.close().catch((error: unknown) => {
        if (this.failure === undefined) throw error; // a known failure was reported already
      });
    } finally {
      await this.editChain;
      this.manifest.close();
      for (const t of this.tables) t.reader.close();
      // Tables replaced while cursors still held them: their files go now (or at the next open).
      for (const reader of this.obsolete) this.dropTable(reader);
      this.obsolete.clear();
      this.lock.release();
      this.wakeStalled();
    }
  }
}

// ---- open and recovery

/** Files in the directory by kind, from a listing. */
function numbered(names: readonly string[], kind: 'wal' | 'table' | 'manifest'): number[] {
  const out: number[] = [];
  for (const name of names) {
    const parsed = parseFileName(name);
    if (parsed?.kind === kind) out.push(parsed.number);
  }
  return out.sort((a, b) => a - b);
}

/** With no CURRENT, the directory must hold nothing that an acknowledged write could live in. */
function checkNoData(fs: FileSystem, dir: string, names: readonly string[]): void {
  if (numbered(names, 'table').length > 0) {
    throw new StrataError('Corruption', `${join(dir, 'CURRENT')} is missing but the directory holds tables`);
  }
  for (const n of numbered(names, 'wal')) {
    const handle = fs.open(join(dir, walFileName(n)), 'read');
    const size = handle.size();
    handle.close();
    if (size > 0) throw new StrataError('Corruption', `${join(dir, 'CURRENT')} is missing but ${walFileName(n)} holds data`);
  }
}

/** Consistency of the manifest with the directory: a lost durable edit shows as a missing file. */
function checkLiveFiles(dir: string, recovered: RecoveredManifest, names: ReadonlySet<string>): void {
  const torn = recovered.tornTail;
  const because = torn === undefined ? '' : ` (the manifest's last record at ${torn.file} offset ${torn.offset} is unreadable: ${torn.problem})`;
  for (const t of recovered.live.tables.values()) {
    if (!names.has(tableFileName(t.number))) {
      throw new StrataError('Corruption', `table ${join(dir, tableFileName(t.number))} listed in the manifest is missing${because}`);
    }
  }
  // The log the manifest names exists until an edit naming a later one is durable.
  if (!names.has(walFileName(recovered.live.logNumber))) {
    if (torn !== undefined) throw corruption(torn.file, torn.offset, `${torn.problem}, and a durable edit was lost with it`);
    throw new StrataError('Corruption', `write-ahead log ${join(dir, walFileName(recovered.live.logNumber))} named by the manifest is missing`);
  }
}

async function recover(dir: string, opts: ResolvedOptions, lock: { release(): void }): Promise<Db> {
  const fs = opts.fs;
  const names = fs.list(dir);
  const nameSet = new Set(names);
  const recovered = readManifest(fs, dir);
  const live = recovered?.live ?? new LiveFiles();
  if (recovered === undefined) {
    checkNoData(fs, dir, names);
    if (!opts.createIfMissing) throw new StrataError('NotFound', `no database in ${dir} (and createIfMissing is false)`);
  } else {
    checkLiveFiles(dir, recovered, nameSet);
  }
  // File numbers found on disk but not yet in the manifest (a crash before its next edit) stay taken.
  for (const name of names) {
    const parsed = parseFileName(name);
    if (parsed !== undefined && parsed.number >= live.nextFileNumber) live.nextFileNumber = parsed.number + 1;
  }

  const cache = new BlockCache(opts.blockCacheSize);
  const files = new OpenFileBudget(opts.maxOpenFiles);
  const tables: LiveTable[] = [];
  const mem = new MemTable();
  let manifest: Manifest | undefined;
  let walFile: FileHandle | undefined;
  try {
    for (const t of live.tables.values()) {
      const reader = TableReader.open(fs, join(dir, tableFileName(t.number)), { cache, fileNumber: t.number, files });
      tables.push({ reader, run: t.run });
    }
    const walNumbers = recovered === undefined ? [] : numbered(names, 'wal').filter((n) => n >= live.logNumber);
    // The memtable keeps its replayed keys and values in the logs' images (no copy per entry).
    const replay = await replayWals(fs, dir, walNumbers, mem);
    live.lastSequence = Math.max(live.lastSequence, replay.lastSequence);

    // Appends go on at the end of the newest WAL; a new database gets its first one.
    let walNumber = replay.newest;
    if (walNumber === undefined) {
      walNumber = live.newFileNumber();
      live.logNumber = walNumber;
      walFile = fs.open(join(dir, walFileName(walNumber)), 'create');
    } else {
      walFile = fs.open(join(dir, walFileName(walNumber)), 'append');
    }
    const wals = walNumbers.filter((n) => n <= walNumber!);
    if (wals.length === 0) wals.push(walNumber);

    // A fresh manifest holding the recovered state; its CURRENT swap also syncs the new WAL's name.
    manifest = await Manifest.create(fs, dir, live, live.newFileNumber());
    for (const name of fs.list(dir)) {
      const parsed = parseFileName(name);
      const obsolete =
        name.endsWith(TEMP_SUFFIX) ||
        (parsed?.kind === 'table' && !live.tables.has(parsed.number)) ||
        (parsed?.kind === 'wal' && parsed.number < live.logNumber) ||
        (parsed?.kind === 'manifest' && parsed.number !== manifest.number);
      if (obsolete) fs.remove(join(dir, name));
    }
    return new StrataDb({
      dir,
      opts,
      lock,
      live,
      manifest,
      cache,
      files,
      tables,
      mem,
      wals,
      walFile,
      recoveredRecords: replay.records,
      walTailBytesDropped: replay.droppedBytes,
    });
  } catch (error) {
    for (const t of tables) t.reader.close();
    manifest?.close();
    walFile?.close();
    throw error;
  }
}

/** Opens (or creates) the database in `dir`. */
export async function open(dir: string, options?: OpenOptions): Promise<Db> {
  const opts = resolveOptions(options);
  const fs = opts.fs;
  try {
    if (!fs.exists(dir)) {
      if (!opts.createIfMissing) throw new StrataError('NotFound', `database directory ${dir} does not exist`);
      // Each directory created needs its parent synced for its name to survive a crash.
      const created: string[] = [];
      for (let d = dir; !fs.exists(d) && dirname(d) !== d; d = dirname(d)) created.unshift(d);
      fs.mkdir(dir);
      for (const d of created) await fs.syncDir(dirname(d));
    }
    let lock: { release(): void };
    try {
      lock = fs.lock(join(dir, LOCK));
    } catch (error) {
      const e = asStrataError(error, `locking ${dir}`);
      throw e.kind === 'IOError' && e.code === 'EBUSY' ? new StrataError('Busy', `database ${dir} is in use`, { cause: e }) : e;
    }
    try {
      return await recover(dir, opts, lock);
    } catch (error) {
      lock.release();
      throw error;
    }
  } catch (error) {
    throw asStrataError(error, `opening ${dir}`);
  }
}
