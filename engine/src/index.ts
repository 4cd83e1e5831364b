// @strata/engine: the public API. Nothing outside this file's exports is part of the contract.

export type {
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
export type { FileHandle, FileSystem } from './vfs/file-system.js';
export { StrataError, type ErrorKind } from './errors.js';
export { open } from './db.js';
export { DiskFileSystem } from './vfs/disk-fs.js';
export { MemoryFileSystem } from './vfs/memory-fs.js';
