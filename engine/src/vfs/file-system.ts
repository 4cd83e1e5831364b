// The file-system seam: every byte the engine reads or writes goes through this interface, so tests can
// run the engine on an in-memory file system that crashes, tears writes and fails on demand.
//
// Reads and appends are synchronous (pread/write on the page cache are a few microseconds; a promise per
// block would cost more than the I/O). Syncs are asynchronous so that the event loop goes on while the
// disk works, which is what makes group commit possible.

export interface FileHandle {
  /** Read up to `length` bytes at `position` into `buffer[offset..]`; returns the bytes read. */
  read(buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** Append all of `data` at the end of the file. */
  append(data: Uint8Array): void;
  /** Make every appended byte durable (fdatasync). */
  sync(): Promise<void>;
  /** Current size in bytes, including unsynced appends. */
  size(): number;
  close(): void;
}

export interface FileSystem {
  /** `read`: existing file, read-only. `append`: create if missing, writes go to the end.
   *  `create`: create or truncate, writes go to the end. */
  open(path: string, mode: 'read' | 'append' | 'create'): FileHandle;
  exists(path: string): boolean;
  /** Names (not paths) of the entries of a directory. */
  list(dir: string): string[];
  mkdir(dir: string): void;
  /** Atomic replace of `to` by `from`; durable only after `syncDir` of the directory. */
  rename(from: string, to: string): void;
  remove(path: string): void;
  /** Make the directory's entries (creations, renames, removals) durable. */
  syncDir(dir: string): Promise<void>;
  /** Exclusive advisory lock on `path` for this process; throws if another holder has it. */
  lock(path: string): { release(): void };
}
