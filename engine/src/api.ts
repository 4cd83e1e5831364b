// The public contract of @strata/engine. Everything a user (or the server) may rely on is declared here;
// everything else in the package is private.

import type { FileSystem } from './vfs/file-system.js';

/** When a write counts as durable: as Redis's `appendfsync`. */
export type FsyncPolicy = 'always' | 'everysec' | 'no';

export interface OpenOptions {
  /** `always` (default): acknowledged = fdatasync'ed (group commit). `everysec`: written to the OS, synced
   *  at least once a second. `no`: written to the OS, synced when the OS likes. */
  fsync?: FsyncPolicy;
  /** Bytes of writes a memtable takes before it is frozen and flushed to an SSTable. */
  memtableSize?: number;
  /** Target size of an SSTable data block, in bytes (default 4096). */
  blockSize?: number;
  /** Bloom filter bits per key (default 10; 0 disables filters for new tables). */
  bloomBitsPerKey?: number;
  /** Byte bound of the block cache. */
  blockCacheSize?: number;
  /** File system to use (default: the real disk). Tests pass an in-memory one that can crash. */
  fs?: FileSystem;
  /** Create the directory and an empty database if none exists (default true). */
  createIfMissing?: boolean;

  // ---- Compaction (size-tiered, after RocksDB's universal compaction) and back-pressure.
  /** Where compaction merges run: `worker` (default on the disk file system) in worker threads, off the
   *  event loop; `inline` (the default, and the only choice, on any other file system) on the main thread
   *  in slices of a few milliseconds. */
  compactionThread?: 'worker' | 'inline';
  /** Sorted runs (each flush makes one) at which compaction starts (default 8). */
  compactionTrigger?: number;
  /** Percent by which a run may be bigger than the newer runs taken so far and still join their merge
   *  (default 1). */
  compactionSizeRatio?: number;
  /** Fewest and most runs merged by a size-ratio compaction (defaults 2 and unbounded). */
  compactionMinMergeWidth?: number;
  compactionMaxMergeWidth?: number;
  /** When the runs above the oldest exceed this percent of its size, everything is merged (default 200). */
  maxSizeAmplificationPercent?: number;
  /** A compaction output table is cut at the first key boundary past this many bytes (default 64 MiB). */
  targetFileSize?: number;
  /** Compactions that may run at once, on distinct runs (default 2). */
  maxBackgroundCompactions?: number;
  /** Sorted runs at which writes are slowed (default 12) and at which they wait (default 20). */
  slowdownWritesTrigger?: number;
  stopWritesTrigger?: number;
  /** Table files held open at once; beyond it the least recently opened are closed and reopened on use
   *  (default 1000). */
  maxOpenFiles?: number;
}

export type BatchOp =
  | { type: 'put'; key: Uint8Array; value: Uint8Array }
  | { type: 'del'; key: Uint8Array };

/** A consistent point in time. Reads at a snapshot see exactly the writes applied before it was taken. */
export interface Snapshot {
  readonly sequence: number;
}

export interface ReadOptions {
  snapshot?: Snapshot;
}

export interface IteratorOptions extends ReadOptions {
  gt?: Uint8Array;
  gte?: Uint8Array;
  lt?: Uint8Array;
  lte?: Uint8Array;
  reverse?: boolean;
}

/** A synchronous, streaming cursor over a key range at one snapshot. Never materialises the range. */
export interface Cursor {
  /** True while positioned on an entry. */
  readonly valid: boolean;
  /** Key and value of the current entry (only while `valid`); the bytes stay valid until the next move. */
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  /** Position on the first entry (in the cursor's direction) at or after `target`, within the bounds. */
  seek(target: Uint8Array): void;
  next(): void;
  /** Release the snapshot and the tables the cursor pins. Idempotent. */
  close(): void;
}

/** An async iterator of [key, value] pairs; `return()` (e.g. `break` in for-await) releases it. */
export interface EntryIterator extends AsyncIterableIterator<[Uint8Array, Uint8Array]> {
  close(): Promise<void>;
}

export interface DbStats {
  /** Sequence number of the last applied write, and of the last durable one. */
  lastSequence: number;
  durableSequence: number;
  memtableBytes: number;
  immutableMemtables: number;
  tables: number;
  tableBytes: number;
  walBytes: number;
  /** Records recovered from WALs on open, and bytes cut from a torn or corrupt WAL tail. */
  recoveredRecords: number;
  walTailBytesDropped: number;
  walSyncs: number;
  flushes: number;
  /** Set once a WAL write or sync has failed: the database then refuses writes. */
  backgroundError?: string;
  [extra: string]: unknown;
}

export interface Db {
  /** The value of `key`, once every write it could reflect is durable. */
  get(key: Uint8Array, options?: ReadOptions): Promise<Uint8Array | undefined>;
  put(key: Uint8Array, value: Uint8Array): Promise<void>;
  del(key: Uint8Array): Promise<void>;
  /** Atomic multi-key batch: all or nothing, also across a crash. Resolves once durable per policy. */
  write(ops: readonly BatchOp[]): Promise<void>;
  iterator(options?: IteratorOptions): EntryIterator;
  snapshot(): Snapshot;
  release(snapshot: Snapshot): void;
  /** Freeze the memtable and write it to an SSTable; resolves when the manifest records it. */
  flush(): Promise<void>;
  /** Flush, then merge every sorted run into one (after the compactions running now; LevelDB's
   *  CompactRange over all keys): overwritten versions, and deletions, that no snapshot needs are dropped
   *  and gets probe one run. Resolves once the result is installed; rejects if the database closes
   *  meanwhile or the merge fails (which, like any failed compaction, stops writes). */
  compact(): Promise<void>;
  close(): Promise<void>;
  stats(): DbStats;

  // ---- The synchronous layer, for callers that need atomic read-modify-write on one thread (the server).
  /** Read what has been applied, durable or not. Callers must not reveal it before `durable()`. */
  getSync(key: Uint8Array, options?: ReadOptions): Uint8Array | undefined;
  /** Append the batch to the WAL and apply it to the memtable now (it is visible to `getSync` at once).
   *  The promise resolves when it is durable per policy and rejects if the WAL failed. Throws at once if
   *  the database refuses writes (closed, or a previous WAL failure). */
  applySync(ops: readonly BatchOp[]): Promise<void>;
  cursor(options?: IteratorOptions): Cursor;
  /** Sequence number of the last applied write. */
  readonly lastSequence: number;
  /** Resolves once every write up to `sequence` (default: all applied so far) is durable. */
  durable(sequence?: number): Promise<void>;
  /** Sequence number of the last write durable per policy (synced under `always`, handed to the OS else). */
  readonly durableSequence: number;
  /** Makes writes from now on durable by `policy` (as Redis's CONFIG SET appendfsync): writes acknowledged
   *  before keep the durability they had; writes waiting for a sync are settled by the new policy. */
  setFsync(policy: FsyncPolicy): void;
  /** Hands the writes applied so far to the WAL now (under `always`: starts their sync unless two rounds
   *  are in flight). Failures surface through `durable()`. For a caller that calls it at the end of every
   *  turn of the event loop: from the first call, writes are otherwise committed at the end of the turn
   *  instead of the end of the current task, so a turn's writes share one append. */
  commitNow(): void;
  /** A promise to await before writing when flushes or compactions have fallen behind; undefined if none.
   *  (put, del and write await it themselves.) */
  writeStall(): Promise<void> | undefined;
  /** Reads every block of every live table from the file and checks its checksum and structure; rejects
   *  with Corruption naming the file and offset of the first damage found. */
  verify(): Promise<void>;
}
