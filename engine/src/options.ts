// Open options with their defaults filled in and checked once, so the rest of the engine reads plain fields.

import type { FsyncPolicy, OpenOptions } from './api.js';
import { StrataError } from './errors.js';
import { DiskFileSystem } from './vfs/disk-fs.js';
import type { FileSystem } from './vfs/file-system.js';
import type { CompactionThread } from './compaction/compaction-executor.js';

export interface ResolvedOptions {
  fsync: FsyncPolicy;
  memtableSize: number;
  blockSize: number;
  bloomBitsPerKey: number;
  blockCacheSize: number;
  fs: FileSystem;
  createIfMissing: boolean;
  /** Immutable memtables waiting for flush at which `writeStall()` asks writers to wait. */
  stallImmutables: number;
  compactionThread: CompactionThread;
  compactionTrigger: number;
  compactionSizeRatio: number;
  compactionMinMergeWidth: number;
  compactionMaxMergeWidth: number;
  maxSizeAmplificationPercent: number;
  targetFileSize: number;
  maxBackgroundCompactions: number;
  slowdownWritesTrigger: number;
  stopWritesTrigger: number;
  maxOpenFiles: number;
}

const DEFAULTS = {
  fsync: 'always',
  memtableSize: 4 * 1024 * 1024,
  blockSize: 4096,
  bloomBitsPerKey: 10,
  // Blocks read from the page cache cost a pread, a CRC and fresh memory each (measured ~25 µs per miss
  // against ~5 µs for a whole cached get): the default holds the blocks of about 2M small records (1M
  // 16-byte keys with 100-byte values take 128 MiB of blocks). Memory is taken as blocks are read, not
  // up front.
  blockCacheSize: 256 * 1024 * 1024,
  createIfMissing: true,
  stallImmutables: 2,
  // RocksDB's default is 4; with small memtables that keeps three big runs, and then every flush is merged
  // into the smallest of them: simulated, 330 flushes give write amplification 17 at 4 and 4.2 at 8
  // (test/engine/unit/compaction.test.ts), measured 13 on the 10M-key load at 4. Reads pay little for the
  // extra runs: a bloom filter probe each.
  compactionTrigger: 8,
  compactionSizeRatio: 1,
  compactionMinMergeWidth: 2,
  compactionMaxMergeWidth: Number.MAX_SAFE_INTEGER,
  maxSizeAmplificationPercent: 200,
  targetFileSize: 64 * 1024 * 1024,
  maxBackgroundCompactions: 2,
  slowdownWritesTrigger: 12,
  stopWritesTrigger: 20,
  maxOpenFiles: 1000,
} as const;

function integer(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new StrataError('InvalidArgument', `option ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

/** `value` as a policy, or InvalidArgument naming `what` (callers in plain JavaScript pass anything). */
export function checkFsync(value: unknown, what: string): FsyncPolicy {
  if (value !== 'always' && value !== 'everysec' && value !== 'no') {
    throw new StrataError('InvalidArgument', `${what} must be 'always', 'everysec' or 'no', got ${String(value)}`);
  }
  return value;
}

export function resolveOptions(options: OpenOptions = {}): ResolvedOptions {
  const fsync = checkFsync(options.fsync ?? DEFAULTS.fsync, 'option fsync');
  const fs = options.fs ?? new DiskFileSystem();
  const compactionThread = options.compactionThread ?? (fs instanceof DiskFileSystem ? 'worker' : 'inline');
  if (compactionThread !== 'worker' && compactionThread !== 'inline') {
    throw new StrataError('InvalidArgument', `option compactionThread must be 'worker' or 'inline', got ${String(compactionThread)}`);
  }
  // The worker opens the files itself, so it works on the real disk only.
  if (compactionThread === 'worker' && !(fs instanceof DiskFileSystem)) {
    throw new StrataError('InvalidArgument', "option compactionThread 'worker' needs the disk file system");
  }
  const trigger = integer('compactionTrigger', options.compactionTrigger, DEFAULTS.compactionTrigger, 2);
  const minMergeWidth = integer('compactionMinMergeWidth', options.compactionMinMergeWidth, DEFAULTS.compactionMinMergeWidth, 2);
  const slowdown = integer('slowdownWritesTrigger', options.slowdownWritesTrigger, Math.max(DEFAULTS.slowdownWritesTrigger, trigger + 1), 2);
  return {
    compactionThread,
    compactionTrigger: trigger,
    compactionSizeRatio: integer('compactionSizeRatio', options.compactionSizeRatio, DEFAULTS.compactionSizeRatio, 0),
    compactionMinMergeWidth: minMergeWidth,
    compactionMaxMergeWidth: integer('compactionMaxMergeWidth', options.compactionMaxMergeWidth, DEFAULTS.compactionMaxMergeWidth, minMergeWidth),
    maxSizeAmplificationPercent: integer(
      'maxSizeAmplificationPercent',
      options.maxSizeAmplificationPercent,
      DEFAULTS.maxSizeAmplificationPercent,
      0,
    ),
    targetFileSize: integer('targetFileSize', options.targetFileSize, DEFAULTS.targetFileSize, 1),
    maxBackgroundCompactions: integer('maxBackgroundCompactions', options.maxBackgroundCompactions, DEFAULTS.maxBackgroundCompactions, 1),
    slowdownWritesTrigger: slowdown,
    stopWritesTrigger: integer('stopWritesTrigger', options.stopWritesTrigger, Math.max(DEFAULTS.stopWritesTrigger, slowdown + 1), slowdown),
    maxOpenFiles: integer('maxOpenFiles', options.maxOpenFiles, DEFAULTS.maxOpenFiles, 1),
    fsync,
    memtableSize: integer('memtableSize', options.memtableSize, DEFAULTS.memtableSize, 1),
    blockSize: integer('blockSize', options.blockSize, DEFAULTS.blockSize, 64),
    bloomBitsPerKey: integer('bloomBitsPerKey', options.bloomBitsPerKey, DEFAULTS.bloomBitsPerKey, 0),
    blockCacheSize: integer('blockCacheSize', options.blockCacheSize, DEFAULTS.blockCacheSize, 0),
    fs,
    createIfMissing: options.createIfMissing ?? DEFAULTS.createIfMissing,
    stallImmutables: DEFAULTS.stallImmutables,
  };
}
