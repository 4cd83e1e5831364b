// The mutable in-memory table: a B+tree of internal entries whose bytes live in an arena. Readers and
// iterators see entries by sequence number, so one memtable serves every snapshot while writes go on.

import type { InternalIterator, ValueKind } from '../iterator/internal-iterator.js';
import type { LookupResult } from '../sstable/table-reader.js';
import { SEQ_NEWEST, SEQ_OLDEST } from '../util/compare.js';
import { Arena } from './arena.js';
import { BTree, Entry, TreeCursor } from './btree.js';

/** Memory charged per entry beyond its bytes: the entry object, two buffer views, its slot in a leaf. */
const ENTRY_OVERHEAD = 160;

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
    this.tree.insert(new Entry(arena.copy(key), sequence, kind, arena.copy(value)));
    this.bytes += key.length + value.length + ENTRY_OVERHEAD;
  }

  /** The newest version of `key` with sequence <= snapshotSequence (a tombstone included), if any. */
  get(key: Uint8Array, snapshotSequence: number): LookupResult | undefined {
    const cursor = this.cursor;
    this.tree.seekGE(cursor, key, snapshotSequence);
    const entry = cursor.entry;
    if (entry === undefined || entry.key.length !== key.length || Buffer.compare(entry.key, key) !== 0) return undefined;
    return { kind: entry.kind, value: entry.value, sequence: entry.sequence };
  }

  iterator(): InternalIterator {
    return new MemTableIterator(this.tree);
  }
}

/** Iterates the tree in either direction; stays correct while entries are added after it was created. */
class MemTableIterator implements InternalIterator {
  private readonly tree: BTree;
  private readonly cursor = new TreeCursor();
  private current: Entry | undefined;
  /** Tree version the cursor's (leaf, index) belongs to. */
  private version = -1;

  constructor(tree: BTree) {
    this.tree = tree;
  }

  get valid(): boolean {
    return this.current !== undefined;
  }

  get key(): Buffer {
    return this.current!.key;
  }

  get sequence(): number {
    return this.current!.sequence;
  }

  get kind(): ValueKind {
    return this.current!.kind;
  }

  get value(): Buffer {
    return this.current!.value;
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
    this.current = undefined;
  }

  /** Inserts may have shifted entries between leaves: find the current entry again (it is still there). */
  private reposition(): void {
    if (this.version === this.tree.version) return;
    const current = this.current!;
    this.tree.seekGE(this.cursor, current.key, current.sequence);
  }

  private settle(): void {
    this.current = this.cursor.entry;
    this.version = this.tree.version;
  }
}
