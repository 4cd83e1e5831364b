// A verified block in memory and a cursor over its entries (see FORMAT.md, "Data block"). Used for data
// blocks and for the index block (which restarts at every entry). The cursor decodes into reusable fields
// and only creates key/value views when asked, so a search allocates nothing per entry.

import { corruption } from '../errors.js';
import { ValueKind } from '../iterator/internal-iterator.js';
import { compareBytes, copyBytes } from '../util/bytes.js';
import { keyHead } from '../util/key-heads.js';
import { ByteReader } from '../util/varint.js';

/** Blocks with at least this many restart points get restart heads (see Block.restartHeads). */
const MANY_RESTARTS = 32;
/** Restart points per group of heads: a search picks the group by the heads of each group's first
 *  restart point (a small array, which stays in the CPU cache), then the restart point within it. */
const HEADS_GROUP = 8;

/** One Buffer over each piece of memory blocks lie in, shared by all the blocks in it. */
const wholeBuffers = new WeakMap<ArrayBufferLike, Buffer>();

function wholeBuffer(data: Buffer): Buffer {
  let whole = wholeBuffers.get(data.buffer);
  if (whole === undefined) {
    whole = Buffer.from(data.buffer);
    wholeBuffers.set(data.buffer, whole);
  }
  return whole;
}

export class Block {
  /** The memory the contents lie in (a cache slab, or a buffer of their own), from `start` on. Searches
   *  read through this Buffer, which the blocks cut from one slab share (and which is likely in the CPU
   *  cache), rather than through a view per block: a dependent cache miss less per lookup. */
  readonly bytes: Buffer;
  readonly start: number;
  /** Bytes of contents (without the trailer); the restart array is at the end. */
  readonly length: number;
  /** End of the entries = start of the restart array, from `start`. */
  readonly restartsOffset: number;
  readonly numRestarts: number;
  /** For error messages: which file and where in it the block starts. */
  readonly file: string;
  readonly fileOffset: number;
  private heads: Float64Array | undefined;
  /** The heads of restart points 0, HEADS_GROUP, 2 * HEADS_GROUP, ... (set with the heads). */
  headsSummary: Float64Array | undefined;
  /** Where the restart keys' shared prefix lies in `bytes`, and its length (set with the heads). */
  prefixStart = 0;
  prefixLength = 0;

  /** Checks the restart array (the CRC was checked by the caller) and throws Corruption if it is malformed. */
  constructor(data: Buffer, file: string, fileOffset: number) {
    this.bytes = wholeBuffer(data);
    this.start = data.byteOffset;
    this.length = data.length;
    this.file = file;
    this.fileOffset = fileOffset;
    const len = data.length;
    if (len < 4) throw corruption(file, fileOffset, `block of ${len} bytes is too short`);
    const n = data.readUInt32LE(len - 4);
    const restartsOffset = len - 4 - 4 * n;
    if (n < 1 || restartsOffset < 0) throw corruption(file, fileOffset, `bad restart count ${n} in a ${len}-byte block`);
    this.numRestarts = n;
    this.restartsOffset = restartsOffset;
    let previous = -1;
    for (let i = 0; i < n; i++) {
      const r = this.restart(i);
      if ((i === 0 && r !== 0) || r <= previous || (r >= restartsOffset && !(r === 0 && n === 1))) {
        throw corruption(file, fileOffset, `restart point ${i} (${r}) not at 0, out of order or beyond the entries`);
      }
      previous = r;
    }
  }

  /** The contents, as a view of their own. */
  get data(): Buffer {
    return this.bytes.subarray(this.start, this.start + this.length);
  }

  /** Memory charged to a cache for holding this block. */
  get byteLength(): number {
    return this.length + (this.heads?.byteLength ?? 0) + (this.headsSummary?.byteLength ?? 0) + 128;
  }

  /** The heads (util/key-heads.ts) of the key at each restart point, two numbers per restart, built on
   *  the first search of a block with many restarts (an index block: one per entry), where they spare
   *  a binary search most entry decodings; undefined for small blocks. They cover the 12 bytes after the
   *  prefix that every restart key shares (`headsPrefix`): keys like 16-digit numbers share their first
   *  10 bytes, and heads of those would decide nothing. */
  restartHeads(): Float64Array | undefined {
    if (this.heads !== undefined || this.numRestarts < MANY_RESTARTS) return this.heads;
    const n = this.numRestarts;
    const starts = new Uint32Array(n);
    const ends = new Uint32Array(n);
    const data = this.bytes;
    const limit = this.start + this.restartsOffset;
    const r = new ByteReader(data);
    for (let i = 0; i < n; i++) {
      r.pos = this.start + this.restart(i);
      const shared = r.varint(limit);
      const unshared = r.varint(limit);
      const valueLength = r.varint(limit);
      const start = r.pos;
      const end = start + unshared;
      if (shared !== 0 || unshared < 0 || valueLength < 0 || end > limit) {
        throw corruption(this.file, this.fileOffset, `bad entry header at restart point ${i}`);
      }
      starts[i] = start;
      ends[i] = end;
    }
    // Restart keys are in order, so the prefix of the first and the last is everyone's.
    const last = n - 1;
    const most = Math.min(ends[0]! - starts[0]!, ends[last]! - starts[last]!);
    let prefix = 0;
    while (prefix < most && data[starts[0]! + prefix] === data[starts[last]! + prefix]) prefix++;
    const heads = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      heads[2 * i] = keyHead(data, starts[i]!, ends[i]!, prefix);
      heads[2 * i + 1] = keyHead(data, starts[i]!, ends[i]!, prefix + 6);
    }
    const groups = Math.ceil(n / HEADS_GROUP);
    const summary = new Float64Array(2 * groups);
    for (let g = 0; g < groups; g++) summary.set(heads.subarray(2 * g * HEADS_GROUP, 2 * g * HEADS_GROUP + 2), 2 * g);
    this.headsSummary = summary;
    this.prefixStart = starts[0]!;
    this.prefixLength = prefix;
    return (this.heads = heads);
  }

  /** Restart point i, read from the block's bytes (a separate array of them costs a cache miss more per
   *  search of a block not in the CPU cache). */
  restart(i: number): number {
    const d = this.bytes;
    const p = this.start + this.restartsOffset + 4 * i;
    return (d[p]! | (d[p + 1]! << 8) | (d[p + 2]! << 16)) + d[p + 3]! * 0x1000000;
  }
}

export class BlockIterator {
  private block: Block | undefined;
  /** The block's `bytes`: every offset below is in them, from the block's `start` (`base`) on. */
  private data: Buffer = Buffer.alloc(0);
  private base = 0;
  private limit = 0;
  private readonly reader = new ByteReader(this.data);
  /** Start of the current entry, and of the next one. */
  private offset = 0;
  private nextOffset = 0;
  private keyBuf = Buffer.allocUnsafe(64);
  private keyLength = 0;
  /** Bytes the current key shares with the one before it. */
  private shared = 0;
  private valueStart = 0;
  private valueEnd = 0;
  private keyView: Buffer | undefined;
  private valueView: Buffer | undefined;
  /** Offset of restart point restartIndex + 1 (the limit past the last one): where restartIndex moves on. */
  private nextRestart = 0;
  /** Set by readHeader (scratch: a search allocates nothing per entry). */
  private headerShared = 0;
  private headerUnshared = 0;
  private headerValueLength = 0;

  valid = false;
  /** The last restart point at or before the current entry; in a block that restarts at every entry (an
   *  index block), the number of the entry. */
  restartIndex = 0;
  sequence = 0;
  kind: ValueKind = ValueKind.Value;

  reset(block: Block): void {
    this.block = block;
    this.data = block.bytes;
    this.reader.buf = block.bytes;
    this.base = block.start;
    this.limit = block.start + block.restartsOffset;
    this.valid = false;
  }

  get key(): Buffer {
    return (this.keyView ??= this.keyBuf.subarray(0, this.keyLength));
  }

  /** Where the current value lies in the block's `bytes` (to decode it without creating a view). */
  get valueOffset(): number {
    return this.valueStart;
  }

  get valueLimit(): number {
    return this.valueEnd;
  }

  get value(): Buffer {
    return (this.valueView ??= this.data.subarray(this.valueStart, this.valueEnd));
  }

  seekToFirst(): void {
    if (this.limit === this.base) {
      this.valid = false;
      return;
    }
    this.decodeRestart(0);
  }

  seekToLast(): void {
    if (this.limit === this.base) {
      this.valid = false;
      return;
    }
    this.decodeRestart(this.block!.numRestarts - 1);
    while (this.nextOffset < this.limit) this.step();
  }

  /** Positions on the first entry at or after (key, sequence) in internal order; invalid if none. */
  seekGE(key: Uint8Array, sequence: number): void {
    if (this.limit === this.base) {
      this.valid = false;
      return;
    }
    this.decodeRestart(this.lastRestartBefore(key, sequence));
    // Walk forward, comparing each key from where it first differs from the target: `matched` bytes of
    // the current key equal the target's, and the next key keeps them as far as it shares bytes with
    // this one (so keys that share long prefixes are not compared from their first byte every time).
    const targetLength = key.length;
    let matched = 0;
    for (;;) {
      const keyBuf = this.keyBuf; // decode() may grow it
      const length = this.keyLength;
      const n = length < targetLength ? length : targetLength;
      while (matched < n && keyBuf[matched] === key[matched]) matched++;
      let c = matched < n ? keyBuf[matched]! - key[matched]! : length - targetLength;
      if (c === 0) c = this.sequence > sequence ? -1 : this.sequence < sequence ? 1 : 0;
      if (c >= 0) return;
      if (this.nextOffset >= this.limit) {
        this.valid = false;
        return;
      }
      this.step();
      if (this.shared < matched) matched = this.shared;
    }
  }

  /** For a point lookup: finds the newest version of `key` at or below `sequence` and returns true, or
   *  returns false if the block holds none. Unlike seekGE it does not rebuild the keys it walks past: an
   *  entry that keeps more of the key before it than that key had in common with the target sorts before
   *  the target, one that keeps less sorts after it (the builder keeps the longest common prefix, except
   *  at restart points), and only the bytes an entry adds need comparing. The cursor is left unpositioned
   *  (`valid` false, `key` unset): `sequence`, `kind`, `valueOffset` and `valueLimit` describe the version
   *  found. */
  seekVersion(key: Uint8Array, sequence: number): boolean {
    this.valid = false;
    if (this.limit === this.base) return false;
    const data = this.data;
    const targetLength = key.length;
    let offset = this.base + this.block!.restart(this.lastRestartBefore(key, sequence));
    // The key before the current entry shares `matched` bytes with the target and sorts before it.
    let matched = 0;
    let previousLength = 0;
    for (;;) {
      const start = this.readHeader(offset, previousLength);
      const shared = this.headerShared;
      const unshared = this.headerUnshared;
      const keyLength = shared + unshared;
      this.readTail(offset, start + unshared, this.headerValueLength);
      // An entry shares nothing at a restart point, whatever it has in common with the key before it.
      if (shared === 0) matched = 0;
      else if (shared < matched) return false;
      if (shared === matched) {
        // The key's bytes from `matched` on are the ones the entry adds (from `start`).
        const n = keyLength < targetLength ? keyLength : targetLength;
        while (matched < n && data[start + matched - shared] === key[matched]) matched++;
        const c = matched < n ? data[start + matched - shared]! - key[matched]! : keyLength - targetLength;
        if (c > 0) return false;
        if (c === 0 && this.sequence <= sequence) return true;
      }
      offset = this.nextOffset;
      if (offset >= this.limit) return false;
      previousLength = keyLength;
    }
  }

  /** The first restart point whose entry sorts at or after (key, sequence), numRestarts if none: in a block
   *  that restarts at every entry (an index block), the number of the entry seekGE would stop at, found
   *  without decoding entries. Does not move the cursor. */
  restartAtOrAfter(key: Uint8Array, sequence: number): number {
    const block = this.block!;
    if (this.limit === this.base) return block.numRestarts;
    const lo = this.lastRestartBefore(key, sequence);
    // Past 0, the search compared restart point lo and found it before the target, and lo + 1 not.
    if (lo > 0) return lo + 1;
    return this.compareRestart(this.base + block.restart(0), key, sequence) < 0 ? 1 : 0;
  }

  /** Positions on the entry at restart point i. */
  seekToRestart(i: number): void {
    this.decodeRestart(i);
  }

  next(): void {
    if (this.nextOffset >= this.limit) {
      this.valid = false;
      return;
    }
    this.step();
  }

  prev(): void {
    const target = this.offset;
    const block = this.block!;
    // Keys are prefix-compressed: go back to the last restart point before the entry and walk forward.
    let lo = 0;
    let hi = block.numRestarts - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.base + block.restart(mid) < target) lo = mid;
      else hi = mid - 1;
    }
    if (this.base + block.restart(lo) >= target) {
      this.valid = false;
      return;
    }
    this.decodeRestart(lo);
    while (this.nextOffset < target) this.step();
  }

  /** Decodes the entry at restart point i (stored whole). */
  private decodeRestart(i: number): void {
    const block = this.block!;
    this.restartIndex = i;
    this.nextRestart = i + 1 < block.numRestarts ? this.base + block.restart(i + 1) : this.limit;
    this.keyLength = 0;
    this.decode(this.base + block.restart(i));
  }

  /** Decodes the entry after the current one (the caller checked there is one). */
  private step(): void {
    const offset = this.nextOffset;
    if (offset === this.nextRestart) {
      const i = ++this.restartIndex;
      const block = this.block!;
      this.nextRestart = i + 1 < block.numRestarts ? this.base + block.restart(i + 1) : this.limit;
    }
    this.decode(offset);
  }

  /** The last restart point whose entry sorts before (key, sequence), or 0 if none does; the first entry
   *  at or after the target is at or after it. */
  private lastRestartBefore(key: Uint8Array, sequence: number): number {
    const block = this.block!;
    const heads = block.restartHeads();
    let lo = 0;
    let hi = block.numRestarts - 1;
    if (heads === undefined) {
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (this.compareRestart(this.base + block.restart(mid), key, sequence) < 0) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    }
    // A key that leaves the restart keys' common prefix sorts before all of them or after all of them.
    const p = block.prefixLength;
    const c = compareBytes(key, 0, key.length < p ? key.length : p, this.data, block.prefixStart, block.prefixStart + p);
    if (c < 0 || (c === 0 && key.length < p)) return 0;
    if (c > 0) return hi;
    const head0 = keyHead(key, 0, key.length, p);
    const head1 = keyHead(key, 0, key.length, p + 6);
    // The group first, by the summary; then the restart point within the group.
    const summary = block.headsSummary!;
    let group = 0;
    let lastGroup = (summary.length >>> 1) - 1;
    while (group < lastGroup) {
      const mid = (group + lastGroup + 1) >>> 1;
      if (this.compareHeads(summary, mid, mid * HEADS_GROUP, head0, head1, key, sequence) < 0) group = mid;
      else lastGroup = mid - 1;
    }
    lo = group * HEADS_GROUP;
    if (lo + HEADS_GROUP - 1 < hi) hi = lo + HEADS_GROUP - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.compareHeads(heads, mid, mid, head0, head1, key, sequence) < 0) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Compares restart point `restart`, whose heads are pair `at` of `heads`, with the target (whose heads
   *  are head0, head1): by the heads, and by the key bytes if they are equal. */
  private compareHeads(heads: Float64Array, at: number, restart: number, head0: number, head1: number, key: Uint8Array, sequence: number): number {
    const h0 = heads[2 * at]!;
    if (h0 !== head0) return h0 - head0;
    const h1 = heads[2 * at + 1]!;
    if (h1 !== head1) return h1 - head1;
    return this.compareRestart(this.base + this.block!.restart(restart), key, sequence);
  }

  /** Compares the entry at a restart point (stored whole, shared = 0) with (key, sequence), in place. */
  private compareRestart(offset: number, key: Uint8Array, sequence: number): number {
    const start = this.readHeader(offset, 0);
    const end = start + this.headerUnshared;
    const c = compareBytes(this.data, start, end, key, 0, key.length);
    if (c !== 0) return c;
    const r = this.reader;
    r.pos = end;
    const entrySequence = r.varint(this.limit);
    if (entrySequence < 0) this.corrupt(offset, 'bad sequence');
    return entrySequence > sequence ? -1 : entrySequence < sequence ? 1 : 0;
  }

  /** Reads the header of the entry at `offset` (its shared, unshared and value lengths) into the header
   *  fields and returns where its key bytes start; throws Corruption if it is malformed or shares more than
   *  `previousLength` bytes (the length of the key before it). */
  private readHeader(offset: number, previousLength: number): number {
    const data = this.data;
    const limit = this.limit;
    let shared: number;
    let unshared: number;
    let valueLength: number;
    let pos: number;
    if (offset + 3 <= limit && (data[offset]! | data[offset + 1]! | data[offset + 2]!) < 0x80) {
      // Three one-byte varints: the common header, read without the general decoder.
      shared = data[offset]!;
      unshared = data[offset + 1]!;
      valueLength = data[offset + 2]!;
      pos = offset + 3;
    } else {
      const r = this.reader;
      r.pos = offset;
      shared = r.varint(limit);
      unshared = r.varint(limit);
      valueLength = r.varint(limit);
      pos = r.pos;
    }
    if (shared < 0 || unshared < 0 || valueLength < 0 || shared > previousLength || pos + unshared > limit) {
      this.corrupt(offset, 'bad entry header');
    }
    this.headerShared = shared;
    this.headerUnshared = unshared;
    this.headerValueLength = valueLength;
    return pos;
  }

  private decode(offset: number): void {
    const pos = this.readHeader(offset, this.keyLength);
    const shared = this.headerShared;
    const unshared = this.headerUnshared;
    const valueLength = this.headerValueLength;
    const keyLength = shared + unshared;
    this.shared = shared;
    if (keyLength > this.keyBuf.length) {
      const grown = Buffer.allocUnsafe(keyLength * 2);
      this.keyBuf.copy(grown, 0, 0, shared);
      this.keyBuf = grown;
    }
    copyBytes(this.data, pos, pos + unshared, this.keyBuf, shared);
    this.keyLength = keyLength;
    this.readTail(offset, pos + unshared, valueLength);
    this.offset = offset;
    this.keyView = undefined;
    this.valueView = undefined;
    this.valid = true;
  }

  /** Reads the rest of the entry at `offset` from `pos` (just past its key bytes) on: its sequence, its
   *  kind, where its value lies and where the next entry starts. */
  private readTail(offset: number, pos: number, valueLength: number): void {
    const r = this.reader;
    const limit = this.limit;
    const data = this.data;
    // Sequences below 2^28 (up to four varint bytes) inline: the general decoder's call costs as much as
    // the rest of an entry's decoding.
    let sequence = -1;
    if (pos + 4 <= limit) {
      const b0 = data[pos]!;
      const b1 = data[pos + 1]!;
      const b2 = data[pos + 2]!;
      const b3 = data[pos + 3]!;
      if (b0 < 0x80) {
        sequence = b0;
        pos += 1;
      } else if (b1 < 0x80) {
        sequence = (b0 & 0x7f) | (b1 << 7);
        pos += 2;
      } else if (b2 < 0x80) {
        sequence = (b0 & 0x7f) | ((b1 & 0x7f) << 7) | (b2 << 14);
        pos += 3;
      } else if (b3 < 0x80) {
        sequence = (b0 & 0x7f) | ((b1 & 0x7f) << 7) | ((b2 & 0x7f) << 14) | (b3 << 21);
        pos += 4;
      }
    }
    if (sequence < 0) {
      r.pos = pos;
      sequence = r.varint(limit);
      pos = r.pos;
    }
    if (sequence < 0 || pos >= limit) this.corrupt(offset, 'bad sequence');
    const kind = data[pos++]!;
    if (kind > ValueKind.Value || pos + valueLength > limit) this.corrupt(offset, 'bad kind or value length');
    this.sequence = sequence;
    this.kind = kind;
    this.valueStart = pos;
    this.valueEnd = pos + valueLength;
    this.nextOffset = pos + valueLength;
  }

  private corrupt(entryOffset: number, what: string): never {
    const block = this.block!;
    this.valid = false;
    throw corruption(block.file, block.fileOffset, `${what} in the entry at byte ${entryOffset - this.base} of the block`);
  }
}
