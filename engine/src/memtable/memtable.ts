// The mutable in-memory table: a B+tree of internal entries (keys packed in its nodes), values copied into
// an arena. Readers and iterators see entries by sequence number, so one memtable serves every snapshot
// while writes go on.

import { FoundVersion } from '../iterator/found-version.js';
import type { InternalIterator, ValueKind } from '../iterator/internal-iterator.js';
import { copyBytes } from '../util/bytes.js';
import { SEQ_NEWEST, SEQ_OLDEST } from '../util/compare.js';
import { Arena } from './arena.js';
import { BTree, SearchKey, TreeCursor } from './btree.js';

/** Memory charged per entry beyond its bytes: its numbers in the node (heads, sequence, key and value
 *  location: 56 bytes a slot), node slack (nodes are half to fully packed), key bounds in inner nodes
 *  (measured: ~128 bytes per entry for 300k random 16-byte keys with 100-byte values). */
const ENTRY_OVERHEAD = 128;

export class MemTable {
  private readonly tree = new BTree();
  private readonly arena = new Arena();
  private readonly cursor = new TreeCursor();
  private readonly search = new SearchKey();
  private readonly found = new FoundVersion();
  private bytes = 0;
  /** Iterators not yet closed: while one is open, no version is overwritten (an iterator may stand on an
   *  entry its snapshot cannot see, and finds its place again by that entry). */
  private openIterators = 0;

  /** Memory charged: keys + values + per-entry overhead. */
  get approximateBytes(): number {
    return this.bytes;
  }

  get entries(): number {
    return this.tree.size;
  }

  /** Adds a version of `key`; key and value are copied. Adding the same (key, sequence) again replaces it.
   *  `newestSnapshot`: the highest sequence a reader may still read at (a snapshot's); the key's newest
   *  version above it is invisible to every reader once this one is added, so unless an iterator is open
   *  it is overwritten instead of kept (a key written over and over holds one entry, not one per write).
   *  Its value bytes stay in the arena and stay counted. */
  add(sequence: number, kind: ValueKind, key: Uint8Array, value: Uint8Array, newestSnapshot = Infinity): void {
    const arena = this.arena;
    const offset = arena.copy(value);
    const reclaimAbove = this.openIterators > 0 ? Infinity : newestSnapshot;
    const added = this.tree.insert(this.search.set(key, 0, key.length, sequence), kind, arena.buffer, offset, value.length, reclaimAbove);
    this.bytes += added ? key.length + value.length + ENTRY_OVERHEAD : value.length;
  }

  /** `add` for a key data[keyStart..keyEnd) and a value data[valueStart..valueEnd) that are not copied:
   *  `data` must never change, and stays referenced while the memtable lives. WAL replay inserts straight
   *  from the log's image this way, without a view or a copy per entry; nobody reads during a replay, so
   *  a key's older versions are overwritten. */
  addFrom(sequence: number, kind: ValueKind, data: Buffer, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number): void {
    const added = this.tree.insert(this.search.set(data, keyStart, keyEnd, sequence), kind, data, valueStart, valueEnd - valueStart, 0);
    this.bytes += added ? keyEnd - keyStart + valueEnd - valueStart + ENTRY_OVERHEAD : valueEnd - valueStart;
  }

  /** The newest version of `key` with sequence <= snapshotSequence (a tombstone included), if any (the
   *  memtable's FoundVersion, overwritten by its next lookup). */
  get(key: Uint8Array, snapshotSequence: number): FoundVersion | undefined {
    const cursor = this.cursor;
    const search = this.search.set(key, 0, key.length, snapshotSequence);
    this.tree.seekGE(cursor, search);
    const leaf = cursor.leaf;
    if (leaf === null) return undefined;
    const i = cursor.index;
    // The first entry at or after (key, snapshot) is the answer if it is a version of key at all.
    if (leaf.keys.keyEquals(i, search)) {
      const offset = leaf.valueOffset(i);
      return this.found.set(leaf.kind(i), leaf.keys.sequence(i), leaf.valueBuffers[i]!, offset, offset + leaf.valueLength(i));
    }
    return undefined;
  }

  iterator(): InternalIterator {
    this.openIterators++;
    return new MemTableIterator(this.tree, () => this.openIterators--);
  }
}

/** Iterates the tree in either direction; stays correct while entries are added after it was created. */
class MemTableIterator implements InternalIterator {
  private readonly tree: BTree;
  private readonly cursor = new TreeCursor();
  private readonly search = new SearchKey();
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

  constructor(
    tree: BTree,
    private onClose: (() => void) | undefined,
  ) {
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
    this.tree.seekGE(this.cursor, this.search.set(target, 0, target.length, SEQ_NEWEST));
    this.settle();
  }

  seekForPrev(target: Uint8Array): void {
    // The entry before the first one past every version of target.
    this.tree.seekGE(this.cursor, this.search.set(target, 0, target.length, SEQ_OLDEST));
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
    this.onClose?.();
    this.onClose = undefined; // closing twice counts once
  }

  /** Inserts may have shifted entries: find the current entry again (it is still there). */
  private reposition(): void {
    if (this.version !== this.tree.version) {
      this.tree.seekGE(this.cursor, this.search.set(this.keyBuf, 0, this.keyLength, this.sequence));
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
    const start = keys.keyStart(i);
    const length = keys.keyEnd(i) - start;
    // The key buffer is reused from entry to entry: InternalIterator's contract (copy to keep) allows it.
    if (length > this.keyBuf.length) this.keyBuf = Buffer.allocUnsafe(length * 2);
    copyBytes(keys.bytes, start, start + length, this.keyBuf, 0);
    this.keyLength = length;
    this.valid = true;
    this.sequence = keys.sequence(i);
    this.kind = leaf.kind(i);
    this.valueBuffer = leaf.valueBuffers[i]!;
    this.valueOffset = leaf.valueOffset(i);
    this.valueLength = leaf.valueLength(i);
  }
}
