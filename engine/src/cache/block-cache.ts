// A cache of verified blocks, bounded in bytes, keyed by (file, block number), shared by every open
// table. Each file's blocks sit in an array indexed by block number (FileBlocks) that its table holds, so
// a lookup is one array read (measured: keyed by offset in a Map per file, the lookups and their cache
// misses cost ~0.4 µs more per get on a 1M-key store).
// Block bytes live in slabs the cache hands out (`allocate`): one allocation per slab instead of one
// per block read (measured: a 4 KiB Buffer.allocUnsafeSlow costs ~4.5 µs of CPU and feeds the GC; a cut
// from a slab ~0.1 µs). So eviction works by slab, FIFO with a second chance (CLOCK, an approximation of
// LRU): past the bound, the oldest slab goes, and its blocks that were read since they entered are copied
// to the newest slab. Views handed out before stay valid: a slab is never written twice, only dropped.
// A block not cut from a slab (too large, or built elsewhere) is a slab of its own.

import { Block } from '../sstable/block.js';

/** Slab size, and the share of the capacity one slab may take at most. */
const SLAB_SIZE = 256 * 1024;
const SLABS_AT_LEAST = 16;

class Slab {
  readonly entries: Entry[] = [];
  used = 0;
  /** A slab of its own whose block was removed: its bytes are no longer counted. */
  dead = false;
  /** `buffer` undefined: a slab of one block with its own memory, of `size` bytes charged. */
  constructor(
    readonly buffer: Buffer | undefined,
    readonly size: number,
  ) {}
}

/** The cached blocks of one file, by block number. A hit reads `blocks` and writes `referenced`, and
 *  touches no entry: each object on the way to a block's bytes is a likely cache miss. */
export class FileBlocks {
  readonly blocks: (Block | undefined)[];
  /** 1: read since it entered its slab (kept, moved, when the slab is evicted). */
  readonly referenced: Uint8Array;
  readonly entries: (Entry | undefined)[];
  constructor(
    readonly fileNumber: number,
    count: number,
  ) {
    // Filled, not holey: the arrays keep fast elements however sparsely they are filled.
    this.blocks = new Array<Block | undefined>(count).fill(undefined);
    this.referenced = new Uint8Array(count);
    this.entries = new Array<Entry | undefined>(count).fill(undefined);
  }

  /** The slot arrays' memory (two pointers and a byte per block). */
  get byteLength(): number {
    return 17 * this.blocks.length;
  }
}

class Entry {
  constructor(
    readonly file: FileBlocks,
    readonly blockNumber: number,
    /** undefined once removed from the cache. */
    public slab: Slab | undefined,
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
  /** Bytes held: slabs whole (live blocks and dead space), plus each block's parsed form. */
  bytes = 0;
  private blocks = 0;
  private readonly files = new Map<number, FileBlocks>();
  /** Oldest first; slabs[0 .. first) are gone. */
  private slabs: Slab[] = [];
  private first = 0;
  /** The slab `allocate` cuts from (the newest shared slab), if any. */
  private current: Slab | undefined;
  private readonly slabSize: number;

  constructor(capacityBytes: number) {
    this.capacity = Math.max(0, capacityBytes);
    this.slabSize = Math.min(SLAB_SIZE, Math.floor(this.capacity / SLABS_AT_LEAST));
  }

  /** Room for a block of `size` bytes that is about to be read and then `set`. */
  allocate(size: number): Buffer {
    if (size > this.slabSize >>> 2) return Buffer.allocUnsafeSlow(size);
    const view = this.cut(size);
    this.trim();
    return view;
  }

  /** The slots of file `fileNumber`, which has `count` blocks (every reader of the file gets the same). */
  blocksOf(fileNumber: number, count: number): FileBlocks {
    let file = this.files.get(fileNumber);
    if (file === undefined || file.entries.length !== count) {
      if (file !== undefined) this.evictFile(fileNumber);
      file = new FileBlocks(fileNumber, count);
      this.files.set(fileNumber, file);
    }
    return file;
  }

  get(file: FileBlocks, blockNumber: number): Block | undefined {
    const block = file.blocks[blockNumber];
    if (block === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    file.referenced[blockNumber] = 1;
    return block;
  }

  /** Caches `block` (replacing any block at the same place) and evicts beyond the bound. */
  set(file: FileBlocks, blockNumber: number, block: Block): void {
    if (block.byteLength > this.capacity) return;
    if (blockNumber < 0 || blockNumber >= file.entries.length) {
      throw new RangeError(`block ${blockNumber} of a file of ${file.entries.length}`);
    }
    const old = file.entries[blockNumber];
    if (old !== undefined) this.remove(old);
    const current = this.current;
    let slab: Slab;
    if (current !== undefined && block.bytes.buffer === current.buffer!.buffer) {
      slab = current;
      this.bytes += block.byteLength - block.length;
    } else {
      slab = this.addSlab(undefined, block.byteLength);
    }
    const entry = new Entry(file, blockNumber, slab);
    slab.entries.push(entry);
    file.entries[blockNumber] = entry;
    file.blocks[blockNumber] = block;
    file.referenced[blockNumber] = 0;
    this.blocks++;
    this.trim();
  }

  /** Drops every block of a file and forgets its slots (once the file is deleted, its blocks can never be
   *  asked for again). */
  evictFile(fileNumber: number): void {
    const file = this.files.get(fileNumber);
    if (file === undefined) return;
    this.files.delete(fileNumber);
    for (const entry of file.entries) if (entry !== undefined) this.remove(entry);
  }

  stats(): BlockCacheStats {
    return { hits: this.hits, misses: this.misses, bytes: this.bytes, capacity: this.capacity, blocks: this.blocks };
  }

  /** `size` bytes from the newest slab, starting a new one when it is full. */
  private cut(size: number): Buffer {
    let slab = this.current;
    if (slab === undefined || slab.used + size > slab.size) {
      slab = this.current = this.addSlab(Buffer.allocUnsafeSlow(this.slabSize), this.slabSize);
    }
    const view = slab.buffer!.subarray(slab.used, slab.used + size);
    slab.used += size;
    return view;
  }

  private addSlab(buffer: Buffer | undefined, size: number): Slab {
    const slab = new Slab(buffer, size);
    this.slabs.push(slab);
    this.bytes += size;
    return slab;
  }

  /** Evicts the oldest slabs while over the bound; the slab being cut from stays (a block may have just
   *  been read into it), going to the back of the queue. */
  private trim(): void {
    while (this.bytes > this.capacity && this.slabs.length - this.first > 1) {
      const slab = this.slabs[this.first++]!;
      if (slab.dead) continue;
      if (slab === this.current) {
        this.slabs.push(slab);
        continue;
      }
      if (slab.buffer === undefined) {
        // A block with its own memory: the second chance needs no copy, only a new place in the queue.
        const entry = slab.entries[0]!;
        if (!this.takeReference(entry)) this.remove(entry);
        else this.slabs.push(slab);
        continue;
      }
      this.bytes -= slab.size;
      for (const entry of slab.entries) {
        if (entry.slab !== slab) continue; // removed
        if (!this.takeReference(entry)) {
          this.remove(entry);
        } else {
          const { blocks } = entry.file;
          const old = blocks[entry.blockNumber]!;
          const moved = this.cut(old.length);
          moved.set(old.data);
          blocks[entry.blockNumber] = new Block(moved, old.file, old.fileOffset);
          entry.slab = this.current;
          this.current!.entries.push(entry);
        }
      }
    }
    // Drop the references to evicted slabs now and then, not on every eviction.
    if (this.first > 64 && this.first * 2 > this.slabs.length) {
      this.slabs = this.slabs.slice(this.first);
      this.first = 0;
    }
  }

  /** Whether the entry's block was read since it entered its slab, clearing the mark (its second chance). */
  private takeReference(entry: Entry): boolean {
    const { referenced } = entry.file;
    const was = referenced[entry.blockNumber] === 1;
    referenced[entry.blockNumber] = 0;
    return was;
  }

  private remove(entry: Entry): void {
    const slab = entry.slab!;
    entry.slab = undefined;
    const { blocks, entries } = entry.file;
    const block = blocks[entry.blockNumber]!;
    blocks[entry.blockNumber] = undefined;
    entries[entry.blockNumber] = undefined;
    this.blocks--;
    // A slab of its own goes with its block (its place in the queue is skipped); a shared one keeps its
    // bytes until it is evicted.
    if (slab.buffer === undefined) {
      this.bytes -= slab.size;
      slab.dead = true;
    } else {
      this.bytes -= block.byteLength - block.length;
    }
  }
}
