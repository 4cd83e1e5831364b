// Two-level iterator over a table: a cursor on the index picks the data block, a cursor on that block
// walks its entries; blocks come through the table's block cache.

import type { InternalIterator, ValueKind } from '../iterator/internal-iterator.js';
import { SEQ_NEWEST, SEQ_OLDEST } from '../util/compare.js';
import { BlockIterator } from './block.js';
import type { TableReader } from './table-reader.js';

export class TableIterator implements InternalIterator {
  private readonly table: TableReader;
  private readonly fillCache: boolean;
  private readonly index = new BlockIterator();
  private readonly data = new BlockIterator();
  valid = false;

  constructor(table: TableReader, fillCache: boolean) {
    this.table = table;
    this.fillCache = fillCache;
    this.index.reset(table.index);
  }

  get key(): Buffer {
    return this.data.key;
  }

  get sequence(): number {
    return this.data.sequence;
  }

  get kind(): ValueKind {
    return this.data.kind;
  }

  get value(): Buffer {
    return this.data.value;
  }

  seekToFirst(): void {
    this.index.seekToFirst();
    if (this.loadBlock()) this.data.seekToFirst();
    this.skipForward();
  }

  seekToLast(): void {
    this.index.seekToLast();
    if (this.loadBlock()) this.data.seekToLast();
    this.skipBackward();
  }

  seek(target: Uint8Array): void {
    this.seekGE(target, SEQ_NEWEST);
  }

  seekForPrev(target: Uint8Array): void {
    // The entry before the first one past every version of target.
    this.seekGE(target, SEQ_OLDEST);
    if (this.valid) this.prev();
    else this.seekToLast();
  }

  next(): void {
    this.data.next();
    this.skipForward();
  }

  prev(): void {
    this.data.prev();
    this.skipBackward();
  }

  close(): void {
    this.valid = false;
  }

  private seekGE(key: Uint8Array, sequence: number): void {
    this.index.seekGE(key, sequence);
    if (this.loadBlock()) this.data.seekGE(key, sequence);
    this.skipForward();
  }

  /** Points the data cursor at the block under the index cursor; false if the index cursor is exhausted. */
  private loadBlock(): boolean {
    if (!this.index.valid) {
      this.valid = false;
      return false;
    }
    this.data.reset(this.table.blockAt(this.index, this.fillCache));
    return true;
  }

  private skipForward(): void {
    while (this.index.valid && !this.data.valid) {
      this.index.next();
      if (this.loadBlock()) this.data.seekToFirst();
    }
    this.valid = this.index.valid && this.data.valid;
  }

  private skipBackward(): void {
    while (this.index.valid && !this.data.valid) {
      this.index.prev();
      if (this.loadBlock()) this.data.seekToLast();
    }
    this.valid = this.index.valid && this.data.valid;
  }
}
