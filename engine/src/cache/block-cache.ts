// A least-recently-used cache of verified blocks, bounded in bytes, keyed by (file number, block offset).
// Shared by every open table. Entries form a doubly linked list (most recent at the head); a map per file
// makes evictFile cost only that file's blocks.

import type { Block } from '../sstable/block.js';

class Entry {
  prev: Entry = this;
  next: Entry = this;
  constructor(
    readonly fileNumber: number,
    readonly offset: number,
    readonly block: Block | undefined,
    readonly charge: number,
  ) {}
}

export interface BlockCacheStats {
  hits: number;
  misses: number;
  bytes: number;
  capacity: number;
  blocks: number;
}

export class BlockCache {
  readonly capacity: number;
  hits = 0;
  misses = 0;
  /** Bytes charged by the blocks held now. */
  bytes = 0;
  private blocks = 0;
  private readonly files = new Map<number, Map<number, Entry>>();
  /** Sentinel of the circular recency list: head.next is the most recent, head.prev the least. */
  private readonly head = new Entry(-1, -1, undefined, 0);

  constructor(capacityBytes: number) {
    this.capacity = Math.max(0, capacityBytes);
  }

  get(fileNumber: number, offset: number): Block | undefined {
    const entry = this.files.get(fileNumber)?.get(offset);
    if (entry === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.unlink(entry);
    this.pushFront(entry);
    return entry.block;
  }

  /** Caches `block` (replacing any block at the same place) and evicts the least recent beyond the bound. */
  set(fileNumber: number, offset: number, block: Block): void {
    const charge = block.byteLength;
    if (charge > this.capacity) return;
    const old = this.files.get(fileNumber)?.get(offset);
    if (old !== undefined) this.remove(old, this.files.get(fileNumber)!);
    let perFile = this.files.get(fileNumber);
    if (perFile === undefined) {
      perFile = new Map();
      this.files.set(fileNumber, perFile);
    }
    const entry = new Entry(fileNumber, offset, block, charge);
    perFile.set(offset, entry);
    this.pushFront(entry);
    this.bytes += charge;
    this.blocks++;
    while (this.bytes > this.capacity) {
      const victim = this.head.prev;
      this.remove(victim, this.files.get(victim.fileNumber)!);
    }
  }

  /** Drops every block of a file (once the file is deleted, its blocks can never be asked for again). */
  evictFile(fileNumber: number): void {
    const perFile = this.files.get(fileNumber);
    if (perFile === undefined) return;
    for (const entry of perFile.values()) this.remove(entry, perFile);
  }

  stats(): BlockCacheStats {
    return { hits: this.hits, misses: this.misses, bytes: this.bytes, capacity: this.capacity, blocks: this.blocks };
  }

  private remove(entry: Entry, perFile: Map<number, Entry>): void {
    this.unlink(entry);
    perFile.delete(entry.offset);
    if (perFile.size === 0) this.files.delete(entry.fileNumber);
    this.bytes -= entry.charge;
    this.blocks--;
  }

  private unlink(entry: Entry): void {
    entry.prev.next = entry.next;
    entry.next.prev = entry.prev;
  }

  private pushFront(entry: Entry): void {
    const head = this.head;
    entry.next = head.next;
    entry.prev = head;
    head.next.prev = entry;
    head.next = entry;
  }
}
