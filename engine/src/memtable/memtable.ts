// The mutable in-memory table: a B+tree of internal entries (keys packed in its nodes), values copied into
// an arena. Readers and iterators see entries by sequence number, so one memtable serves every snapshot
// while writes go on.

import type { InternalIterator, ValueKind } from '../iterator/internal-iterator.js';
import type { LookupResult } from '../sstable/table-reader.js';
import { copyBytes } from '../util/bytes.js';
import { SEQ_NEWEST, SEQ_OLDEST } from '../util/compare.js';
import { Arena } from './arena.js';
import { BTree, TreeCursor } from './btree.js';

/** Memory charged per entry beyond its bytes: sequence, kind and value location in the node arrays, node
 *  slack (nodes are half to fully packed), key bounds in inner nodes (measured: ~80 bytes per entry for
 *  300k random 16-byte keys with 100-byte values). */
const ENTRY_OVERHEAD = 80;

export class MemTable {
  private readonly tree = new BTree();
  private readonly arena = new Arena();
  private readonly cursor = new TreeCursor();
  private bytes = 0;

  /** Memory charged: keys + values + per-entry overhead. */
  get approximateBytes(): number {
    return this.bytes;
  }

  get entries(): number {
    return this.tree.size;
  }

  /** Adds a version of `key`; key and value are copied. Adding the same (key, sequence) again replaces it. */
  add(sequence: number, kind: ValueKind, key: Uint8Array, value: Uint8Array): void {
    const arena = this.arena;
    const offset = arena.copy(value);
    this.tree.insert(key, sequence, kind, arena.buffer, offset, value.length);
    this.bytes += key.length + value.length + ENTRY_OVERHEAD;
  }

  /** The newest version of `key` with sequence <= snapshotSequence (a tombstone included), if any. */
  get(key: Uint8Array, snapshotSequence: number): LookupResult | undefined {
    const cursor = this.cursor;
    this.tree.seekGE(cursor, key, snapshotSequence);
    const leaf = cursor.leaf;
    if (leaf === null) return undefined;
    const i = cursor.index;
    // The first entry at or after (key, snapshot) is the answer if it is a version of key at all.
    if (leaf.keys.keyEquals(i, key)) {
      const offset = leaf.valueOffsets[i]!;
      return {
        kind: leaf.kinds[i]! as ValueKind,
        value: leaf.valueBuffers[i]!.subarray(offset, offset + leaf.valueLengths[i]!),
        sequence: leaf.keys.sequences[i]!,
      };
    }
    return undefined;
  }

  iterator(): InternalIterator {
    return new MemTableIterator(this.tree);
  }
}

/** Iterates the tree in either direction; stays correct while entries are added after it was created. */
class MemTableIterator implements InternalIterator {
  private readonly tree: BTree;
  private readonly cursor = new TreeCursor();
  /** Tree version the cursor's (leaf, index) belongs to. */
  private version = -1;
  // The current entry, copied out of the leaf: inserts shift entries within and between leaves.
  private keyBuf = Buffer.allocUnsafe(64);
  private keyLength = 0;
  private valueBuffer: Buffer | null = null;
  private valueOffset = 0;
  private valueLength = 0;
  private keyView: Buffer | undefined;
  private valueView: Buffer | undefined;
  valid = false;
  sequence = 0;
  kind = 0 as ValueKind;

  constructor(tree: BTree) {
    this.tree = tree;
  }

  get key(): Buffer {
    return (this.keyView ??= this.keyBuf.subarray(0, this.keyLength));
  }

  get value(): Buffer {
    return (this.valueView ??= this.valueBuffer!.subarray(this.valueOffset, this.valueOffset + this.valueLength));
  }

  seekToFirst(): void {
    this.tree.seekToFirst(this.cursor);
    this.settle();
  }

  seekToLast(): void {
    this.tree.seekToLast(this.cursor);
    this.settle();
  }

  seek(target: Uint8Array): void {
    this.tree.seekGE(this.cursor, target, SEQ_NEWEST);
    this.settle();
  }

  seekForPrev(target: Uint8Array): void {
    // The entry before the first one past every version of target.
    this.tree.seekGE(this.cursor, target, SEQ_OLDEST);
    if (this.cursor.leaf === null) this.tree.seekToLast(this.cursor);
    else this.cursor.prev();
    this.settle();
  }

  next(): void {
    this.reposition();
    this.cursor.next();
    this.settle();
  }

  prev(): void {
    this.reposition();
    this.cursor.prev();
    this.settle();
  }

  close(): void {
    this.valid = false;
    this.valueBuffer = null;
  }

  /** Inserts may have shifted entries: find the current entry again (it is still there). */
  private reposition(): void {
    if (this.version !== this.tree.version) {
      this.tree.seekGE(this.cursor, this.keyBuf.subarray(0, this.keyLength), this.sequence);
    }
  }

  private settle(): void {
    this.version = this.tree.version;
    this.keyView = undefined;
    this.valueView = undefined;
    const leaf = this.cursor.leaf;
    if (leaf === null) {
      this.valid = false;
      return;
    }
    const i = this.cursor.index;
    const keys = leaf.keys;
    const start = keys.start(i);
    const length = keys.ends[i]! - start;
    // The key buffer is reused from entry to entry: InternalIterator's contract (copy to keep) allows it.
    if (length > this.keyBuf.length) this.keyBuf = Buffer.allocUnsafe(length * 2);
    copyBytes(keys.bytes, start, start + length, this.keyBuf, 0);
    this.keyLength = length;
    this.valid = true;
    this.sequence = keys.sequences[i]!;
    this.kind = leaf.kinds[i]! as ValueKind;
    this.valueBuffer = leaf.valueBuffers[i]!;
    this.valueOffset = leaf.valueOffsets[i]!;
    this.valueLength = leaf.valueLengths[i]!;
  }
}
