// An in-memory B+tree of internal entries ordered by (user key ascending, sequence descending). Leaves are
// linked both ways for iteration. Entries are only ever added (a memtable never deletes), which keeps the
// tree simple: inner nodes route by the first entry of each child, and a child's first entry never changes
// except for a node's leftmost child, whose bound is never consulted.
//
// Memory latency dominates a search in a large tree, so nodes are packed: a node's key bytes lie in one
// buffer, and each entry's numbers (heads, sequence, key and value location) side by side in one typed
// array cut from a shared slab. Values themselves live in the memtable's arena (or a replayed WAL image).
//
// Comparisons are the cost of a search: each key's first 12 bytes are also kept as two numbers (see
// util/key-heads.ts), so most comparisons compare two numbers instead of looping over bytes.

import { ValueKind } from '../iterator/internal-iterator.js';
import { compareBytes, copyBytes } from '../util/bytes.js';
import { HEADS_SPAN, keyHead } from '../util/key-heads.js';

/** Entries per leaf and children per inner node. */
const CAPACITY = 64;
const HALF = CAPACITY >>> 1;

/** The (key, sequence) a tree operation looks for, with the key's heads computed once. The key is
 *  bytes[start..end), so a caller can search with a range of a larger buffer without a view. */
export class SearchKey {
  bytes: Uint8Array = new Uint8Array(0);
  start = 0;
  end = 0;
  head0 = 0;
  head1 = 0;
  sequence = 0;

  set(bytes: Uint8Array, start: number, end: number, sequence: number): this {
    this.bytes = bytes;
    this.start = start;
    this.end = end;
    this.head0 = keyHead(bytes, start, end, 0);
    this.head1 = keyHead(bytes, start, end, 6);
    this.sequence = sequence;
    return this;
  }
}

// Per-entry numbers lie in one Float64Array per node, `stride` numbers per entry: one allocation per node,
// the numbers a search reads share a cache line, and an insert shifts them with one native copy.
const HEAD0 = 0;
const HEAD1 = 1;
const SEQUENCE = 2;
const KEY_START = 3;
const KEY_LENGTH = 4;
const INNER_STRIDE = 5;
// Leaves only. A tombstone has no value: its length is stored as -1, which is its kind.
const VALUE_OFFSET = 5;
const VALUE_LENGTH = 6;
const LEAF_STRIDE = 7;

/** Node arrays are cut from shared slabs: a typed array of its own costs an off-heap allocation each
 *  (measured: 7% of a WAL replay). A slab lives until its last node does; nodes of one memtable are
 *  freed together, so little is pinned. */
const SLAB_NUMBERS = 64 * 1024;
let slab = new Float64Array(SLAB_NUMBERS);
let slabUsed = 0;

function nodeNumbers(length: number): Float64Array {
  if (slabUsed + length > SLAB_NUMBERS) {
    slab = new Float64Array(SLAB_NUMBERS);
    slabUsed = 0;
  }
  const numbers = slab.subarray(slabUsed, slabUsed + length);
  slabUsed += length;
  return numbers;
}

/** The entries of a node in order: their numbers, and their key bytes appended to one buffer in arrival
 *  order (so an insert moves no key bytes; a split compacts them). */
export class PackedKeys {
  bytes: Buffer;
  /** Bytes of `bytes` in use. */
  private used = 0;
  readonly nums: Float64Array;
  count = 0;

  constructor(
    readonly stride: number,
    byteCapacity: number,
  ) {
    this.bytes = Buffer.allocUnsafe(byteCapacity);
    this.nums = nodeNumbers(CAPACITY * stride);
  }

  keyStart(i: number): number {
    return this.nums[i * this.stride + KEY_START]!;
  }

  /** Bytes of key storage in use. */
  get bytesUsed(): number {
    return this.used;
  }

  keyEnd(i: number): number {
    const at = i * this.stride;
    return this.nums[at + KEY_START]! + this.nums[at + KEY_LENGTH]!;
  }

  sequence(i: number): number {
    return this.nums[i * this.stride + SEQUENCE]!;
  }

  setSequence(i: number, sequence: number): void {
    this.nums[i * this.stride + SEQUENCE] = sequence;
  }

  /** Order of key i relative to the search key. */
  compareAt(i: number, k: SearchKey): number {
    const nums = this.nums;
    const at = i * this.stride;
    let h = nums[at + HEAD0]!;
    if (h !== k.head0) return h < k.head0 ? -1 : 1;
    h = nums[at + HEAD1]!;
    if (h !== k.head1) return h < k.head1 ? -1 : 1;
    // Equal heads: the keys agree on their first HEADS_SPAN bytes (missing ones counting as 0), so the
    // rest decides, and where that leaves them equal, the shorter key sorts first.
    const start = nums[at + KEY_START]!;
    const length = nums[at + KEY_LENGTH]!;
    const kLength = k.end - k.start;
    const skip = length < HEADS_SPAN ? length : HEADS_SPAN;
    const kSkip = kLength < HEADS_SPAN ? kLength : HEADS_SPAN;
    const c = compareBytes(this.bytes, start + skip, start + length, k.bytes, k.start + kSkip, k.end) || length - kLength;
    if (c !== 0) return c;
    const s = nums[at + SEQUENCE]!;
    return s > k.sequence ? -1 : s < k.sequence ? 1 : 0;
  }

  /** True if key i is the search key's user key. */
  keyEquals(i: number, k: SearchKey): boolean {
    const at = i * this.stride;
    const start = this.nums[at + KEY_START]!;
    const length = this.nums[at + KEY_LENGTH]!;
    return length === k.end - k.start && compareBytes(this.bytes, start, start + length, k.bytes, k.start, k.end) === 0;
  }

  /** Inserts key i of `from` at `at`. */
  insertFrom(at: number, from: PackedKeys, i: number): void {
    const f = from.nums;
    const fa = i * from.stride;
    const start = f[fa + KEY_START]!;
    this.insertKey(at, from.bytes, start, start + f[fa + KEY_LENGTH]!, f[fa + HEAD0]!, f[fa + HEAD1]!, f[fa + SEQUENCE]!);
  }

  insertSearchKey(at: number, k: SearchKey): void {
    this.insertKey(at, k.bytes, k.start, k.end, k.head0, k.head1, k.sequence);
  }

  /** Opens slot `at` for the key (the other numbers of a leaf entry are the caller's to set). */
  private insertKey(at: number, src: Uint8Array, srcStart: number, srcEnd: number, head0: number, head1: number, sequence: number): void {
    const length = srcEnd - srcStart;
    const used = this.used;
    if (used + length > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, used + length));
      this.bytes.copy(grown, 0, 0, used);
      this.bytes = grown;
    }
    copyBytes(src, srcStart, srcEnd, this.bytes, used);
    this.used = used + length;
    const stride = this.stride;
    const nums = this.nums;
    const p = at * stride;
    if (at < this.count) nums.copyWithin(p + stride, p, this.count * stride);
    nums[p + HEAD0] = head0;
    nums[p + HEAD1] = head1;
    nums[p + SEQUENCE] = sequence;
    nums[p + KEY_START] = used;
    nums[p + KEY_LENGTH] = length;
    this.count++;
  }

  /** Moves entries [HALF, CAPACITY) into `right` (empty), compacting the key bytes of both. */
  moveUpperHalf(right: PackedKeys): void {
    const stride = this.stride;
    right.nums.set(this.nums.subarray(HALF * stride, CAPACITY * stride));
    right.count = CAPACITY - HALF;
    this.count = HALF;
    const old = this.bytes;
    this.compactFrom(old);
    right.compactFrom(old);
  }

  /** Copies the keys of this node's entries out of `from` into a fresh buffer of this node. */
  private compactFrom(from: Buffer): void {
    const nums = this.nums;
    const stride = this.stride;
    let total = 0;
    for (let i = 0; i < this.count; i++) total += nums[i * stride + KEY_LENGTH]!;
    // Room for a full node of keys like these.
    const bytes = Buffer.allocUnsafe(Math.max(64, Math.ceil((total * CAPACITY) / this.count)));
    let used = 0;
    for (let i = 0; i < this.count; i++) {
      const at = i * stride;
      const start = nums[at + KEY_START]!;
      const length = nums[at + KEY_LENGTH]!;
      copyBytes(from, start, start + length, bytes, used);
      nums[at + KEY_START] = used;
      used += length;
    }
    this.bytes = bytes;
    this.used = used;
  }
}

export class Leaf {
  readonly isLeaf = true;
  readonly keys: PackedKeys;
  readonly valueBuffers: (Buffer | null)[] = new Array<Buffer | null>(CAPACITY).fill(null);
  next: Leaf | null = null;
  prev: Leaf | null = null;

  constructor(keyBytes: number) {
    this.keys = new PackedKeys(LEAF_STRIDE, keyBytes);
  }

  kind(i: number): ValueKind {
    return this.keys.nums[i * LEAF_STRIDE + VALUE_LENGTH]! < 0 ? ValueKind.Deletion : ValueKind.Value;
  }

  /** The value of entry i (a view on the buffer holding it). */
  value(i: number): Buffer {
    const offset = this.valueOffset(i);
    return this.valueBuffers[i]!.subarray(offset, offset + this.valueLength(i));
  }

  valueOffset(i: number): number {
    return this.keys.nums[i * LEAF_STRIDE + VALUE_OFFSET]!;
  }

  valueLength(i: number): number {
    const length = this.keys.nums[i * LEAF_STRIDE + VALUE_LENGTH]!;
    return length < 0 ? 0 : length;
  }

  insert(at: number, k: SearchKey, kind: ValueKind, buffer: Buffer, offset: number, length: number): void {
    const buffers = this.valueBuffers;
    for (let j = this.keys.count; j > at; j--) buffers[j] = buffers[j - 1]!;
    this.keys.insertSearchKey(at, k);
    this.set(at, kind, buffer, offset, length);
  }

  set(at: number, kind: ValueKind, buffer: Buffer, offset: number, length: number): void {
    const nums = this.keys.nums;
    const p = at * LEAF_STRIDE;
    nums[p + VALUE_OFFSET] = offset;
    nums[p + VALUE_LENGTH] = kind === ValueKind.Deletion ? -1 : length;
    this.valueBuffers[at] = buffer;
  }

  /** A new empty leaf linked after this one, sized for keys like this one's. */
  appendLeaf(): Leaf {
    const right = new Leaf(this.keys.bytesUsed);
    right.next = this.next;
    right.prev = this;
    if (this.next !== null) this.next.prev = right;
    this.next = right;
    return right;
  }

  /** Moves the upper half of a full leaf into a new leaf linked after it, and returns that leaf. */
  split(): Leaf {
    const right = new Leaf(0);
    this.keys.moveUpperHalf(right.keys);
    for (let j = HALF; j < CAPACITY; j++) {
      right.valueBuffers[j - HALF] = this.valueBuffers[j]!;
      this.valueBuffers[j] = null;
    }
    right.next = this.next;
    right.prev = this;
    if (this.next !== null) this.next.prev = right;
    this.next = right;
    return right;
  }
}

class Inner {
  readonly isLeaf = false;
  /** lows[i] <= every entry of children[i] < lows[i + 1], for i >= 1; lows[0] is not maintained. */
  readonly lows: PackedKeys;
  readonly children: Node[] = [];

  constructor(keyBytes: number) {
    this.lows = new PackedKeys(INNER_STRIDE, keyBytes);
  }

  /** Inserts `child` at `at`, bounded by its first entry. */
  insert(at: number, child: Node): void {
    this.lows.insertFrom(at, child.isLeaf ? child.keys : child.lows, 0);
    this.children.splice(at, 0, child);
  }

  split(): Inner {
    const right = new Inner(0);
    this.lows.moveUpperHalf(right.lows);
    right.children.push(...this.children.splice(HALF));
    return right;
  }
}

type Node = Leaf | Inner;

/** Index of the first key of `keys` at or after the search key (keys.count if none). */
function lowerBound(keys: PackedKeys, k: SearchKey): number {
  let lo = 0;
  let hi = keys.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys.compareAt(mid, k) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The child of `node` whose range holds the search key. */
function childIndex(node: Inner, k: SearchKey): number {
  const lows = node.lows;
  let lo = 0;
  let hi = lows.count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (lows.compareAt(mid, k) <= 0) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A position in the tree: an entry of a leaf (none when leaf is null). Set by the tree's seek methods. */
export class TreeCursor {
  leaf: Leaf | null = null;
  index = 0;

  next(): void {
    const leaf = this.leaf!;
    if (++this.index >= leaf.keys.count) {
      this.leaf = leaf.next;
      this.index = 0;
    }
  }

  prev(): void {
    if (--this.index < 0) {
      this.leaf = this.leaf!.prev;
      this.index = this.leaf === null ? 0 : this.leaf.keys.count - 1;
    }
  }
}

export class BTree {
  private root: Node = new Leaf(64 * 24);
  private readonly firstLeaf: Leaf = this.root as Leaf;
  private lastLeaf: Leaf = this.firstLeaf;
  /** Bumped by every change, so cursors know when their (leaf, index) may have moved. */
  version = 0;
  size = 0;
  /** The inner nodes and child slots of the last descent, for propagating splits upwards. */
  private readonly path: Inner[] = [];
  private readonly pathIndex: number[] = [];

  /** Adds an entry for the search key (its bytes are copied); an entry with the same key and sequence is
   *  replaced, and so is the key's newest version if its sequence is above `reclaimAbove` and the new
   *  entry's is higher still (no reader can see that version any more: see MemTable.add). Returns
   *  true if the tree holds one entry more. */
  insert(k: SearchKey, kind: ValueKind, buffer: Buffer, offset: number, length: number, reclaimAbove = Infinity): boolean {
    this.version++;
    // Ascending keys (counters, timestamps) append to the last leaf without a descent.
    const last = this.lastLeaf;
    const n = last.keys.count;
    if (n > 0 && n < CAPACITY && last.keys.compareAt(n - 1, k) < 0) {
      last.insert(n, k, kind, buffer, offset, length);
      this.size++;
      return true;
    }
    let node = this.root;
    let depth = 0;
    while (!node.isLeaf) {
      const at = childIndex(node, k);
      this.path[depth] = node;
      this.pathIndex[depth++] = at;
      node = node.children[at]!;
    }
    let leaf = node;
    let at = lowerBound(leaf.keys, k);
    if (at < leaf.keys.count) {
      const keys = leaf.keys;
      const c = keys.compareAt(at, k);
      // The entry at `at` sorts after (key, sequence): if it is a version of the key, it is the newest one
      // below the new sequence. A leaf's first entry is also its parent's bound, so it is only replaced
      // in a root leaf (a new sequence would sort it before that bound).
      if (c === 0 || (keys.sequence(at) > reclaimAbove && (at > 0 || depth === 0) && keys.keyEquals(at, k))) {
        if (c !== 0) keys.setSequence(at, k.sequence);
        leaf.set(at, kind, buffer, offset, length);
        return false;
      }
    }
    this.size++;
    if (leaf.keys.count < CAPACITY) {
      leaf.insert(at, k, kind, buffer, offset, length);
      return true;
    }
    let sibling: Node;
    // An entry past the end of the last leaf (ascending keys) starts a new last leaf and leaves the full
    // one full: a half split there would leave every leaf half empty and move half of each (B+tree
    // "append split"). The same goes up the right edge of the tree.
    const append = at === CAPACITY && leaf === this.lastLeaf;
    if (append) {
      sibling = leaf.appendLeaf();
      this.lastLeaf = sibling;
      sibling.insert(0, k, kind, buffer, offset, length);
    } else {
      // Split first, then insert into the half that covers the position; the entry never becomes the
      // first of the new right leaf (at > HALF), so the bound given to the parent stays exact.
      sibling = leaf.split();
      if (leaf === this.lastLeaf) this.lastLeaf = sibling;
      if (at > HALF) {
        leaf = sibling;
        at -= HALF;
      }
      leaf.insert(at, k, kind, buffer, offset, length);
    }

    while (depth > 0) {
      const parent = this.path[--depth]!;
      let slot = this.pathIndex[depth]! + 1;
      if (parent.lows.count < CAPACITY) {
        parent.insert(slot, sibling);
        return true;
      }
      if (append && slot === CAPACITY) {
        const right = new Inner(parent.lows.bytesUsed);
        right.insert(0, sibling);
        sibling = right;
        continue;
      }
      const right = parent.split();
      const target = slot > HALF ? right : parent;
      if (slot > HALF) slot -= HALF;
      target.insert(slot, sibling);
      sibling = right;
    }
    const root = new Inner(64);
    const old = this.root;
    root.insert(0, old);
    root.insert(1, sibling);
    this.root = root;
    return true;
  }

  /** Positions `cursor` on the first entry at or after the search key; cursor.leaf is null if none. */
  seekGE(cursor: TreeCursor, k: SearchKey): void {
    let node = this.root;
    while (!node.isLeaf) node = node.children[childIndex(node, k)]!;
    const index = lowerBound(node.keys, k);
    if (index < node.keys.count) {
      cursor.leaf = node;
      cursor.index = index;
    } else {
      cursor.leaf = node.next;
      cursor.index = 0;
    }
  }

  seekToFirst(cursor: TreeCursor): void {
    cursor.leaf = this.size > 0 ? this.firstLeaf : null;
    cursor.index = 0;
  }

  seekToLast(cursor: TreeCursor): void {
    cursor.leaf = this.size > 0 ? this.lastLeaf : null;
    cursor.index = this.lastLeaf.keys.count - 1;
  }
}
