// Internal entries: every version of a user key carries a sequence number and a kind. Sources (memtables,
// SSTables) are ordered by user key ascending (bytewise), then sequence descending: newest version first.

export const enum ValueKind {
  Deletion = 0,
  Value = 1,
}

/** A positioned cursor over one source's internal entries, in internal order. */
export interface InternalIterator {
  readonly valid: boolean;
  /** Current entry; only while `valid`. Buffers may be reused after the next move: copy to keep. */
  readonly key: Buffer;
  readonly sequence: number;
  readonly kind: ValueKind;
  readonly value: Buffer;
  seekToFirst(): void;
  seekToLast(): void;
  /** First entry whose (key, sequence) is at or after (target, +infinity), i.e. the newest version of the
   *  first key >= target. */
  seek(target: Uint8Array): void;
  /** Last entry whose key is <= target (the oldest version of the last key <= target). */
  seekForPrev(target: Uint8Array): void;
  next(): void;
  prev(): void;
  close(): void;
}
