// Open options with their defaults filled in and checked once, so the rest of the engine reads plain fields.

import type { FsyncPolicy, OpenOptions } from './api.js';
import { StrataError } from './errors.js';
import { DiskFileSystem } from './vfs/disk-fs.js';
import type { FileSystem } from './vfs/file-system.js';

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
}

const DEFAULTS = {
  fsync: 'always',
  memtableSize: 4 * 1024 * 1024,
  blockSize: 4096,
  bloomBitsPerKey: 10,
  blockCacheSize: 64 * 1024 * 1024,
  createIfMissing: true,
  stallImmutables: 2,
} as const;

function integer(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new StrataError('InvalidArgument', `option ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

export function resolveOptions(options: OpenOptions = {}): ResolvedOptions {
  const fsync = options.fsync ?? DEFAULTS.fsync;
  if (fsync !== 'always' && fsync !== 'everysec' && fsync !== 'no') {
    throw new StrataError('InvalidArgument', `option fsync must be 'always', 'everysec' or 'no', got ${String(fsync)}`);
  }
  return {
    fsync,
    memtableSize: integer('memtableSize', options.memtableSize, DEFAULTS.memtableSize, 1),
    blockSize: integer('blockSize', options.blockSize, DEFAULTS.blockSize, 64),
    bloomBitsPerKey: integer('bloomBitsPerKey', options.bloomBitsPerKey, DEFAULTS.bloomBitsPerKey, 0),
    blockCacheSize: integer('blockCacheSize', options.blockCacheSize, DEFAULTS.blockCacheSize, 0),
    fs: options.fs ?? new DiskFileSystem(),
    createIfMissing: options.createIfMissing ?? DEFAULTS.createIfMissing,
    stallImmutables: DEFAULTS.stallImmutables,
  };
}
