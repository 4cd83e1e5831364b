// The common face every benchmarked store shows the harness: YCSB's handful of calls on byte keys.

export type FsyncPolicy = 'always' | 'everysec' | 'no';

export interface AdapterOptions {
  fsync: FsyncPolicy;
  /** Write buffer (memtable) bytes, where the store has one; the WAL-replay phase sets it huge. */
  writeBufferSize?: number;
}

export interface Store {
  put(key: Uint8Array, value: Uint8Array): Promise<void>;
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  /** Read up to `count` entries from `start` in key order; resolves to how many were read. */
  scan(start: Uint8Array, count: number): Promise<number>;
  close(): Promise<void>;
  /** Merges the whole key range into the store's final shape (LevelDB's CompactRange over all keys), where
   *  the store has such a thing. */
  compact?(): Promise<void>;
  /** Figures the store reports about itself (e.g. records replayed from its WAL on open), if any. */
  facts?(): Record<string, number | string | boolean>;
}

/** Bounds that hold every key the harness writes (its keys are shorter than 64 bytes), for the peers'
 *  compactRange(start, end). */
export const WHOLE_KEY_RANGE = { start: new Uint8Array(0), end: new Uint8Array(64).fill(0xff) } as const;

export interface Adapter {
  readonly name: string;
  open(dir: string, options: AdapterOptions): Promise<Store>;
  /** What `fsync` means for this store, in one line for the output (peers do not all have `everysec`). */
  describeFsync(policy: FsyncPolicy): string;
}
