// An in-memory B+tree of internal entries ordered by (user key ascending, sequence descending). Leaves are
// linked both ways for iteration. Entries are only ever added (a memtable never deletes), which keeps the
// tree simple: inner nodes route by the first entry of each child, and a child's first entry never changes
// except for a node's leftmost child, whose bound is never consulted.
//
// Memory latency dominates a search in a large tree, so nodes are packed: a node's keys lie back to back in
// one buffer (a binary search touches a few cache lines, not one heap object per key), and sequences,
// kinds and value locations sit in typed arrays. Values themselves live in the memtable's arena.

import type { ValueKind } from '../iterator/internal-iterator.js';
import { compareBytes } from '../util/bytes.js';

/** Entries per leaf and children per inner node. */
const CAPACITY = 64;
const HALF = CAPACITY >>> 1;

/** Keys packed back to back: key i is bytes[end(i - 1) .. ends[i]). Shared by leaves and inner nodes. */
export class PackedKeys {
  bytes: Buffer;
  readonly ends = new Uint32Array(CAPACITY);
  readonly sequences = new Float64Array(CAPACITY);
  count = 0;

  constructor(byteCapacity: number) {
    this.bytes = Buffer.allocUnsafe(byteCapacity);
  }

  start(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1]!;
  }

  /** Order of key i relative to (key, sequence). */
  compareAt(i: number, key: Uint8Array, sequence: number): number {
    const c = compareBytes(this.bytes, i === 0 ? 0 : this.ends[i - 1]!, this.ends[i]!, key, 0, key.length);
    if (c !== 0) return c;
    const s = this.sequences[i]!;
    return s > sequence ? -1 : s < sequence ? 1 : 0;
  }

  keyEquals(i: number, key: Uint8Array): boolean {
    const start = i === 0 ? 0 : this.ends[i - 1]!;
    const end = this.ends[i]!;
    return end - start === key.length && compareBytes(this.bytes, start, end, key, 0, key.length) === 0;
  }

  insertKey(at: number, key: Uint8Array, sequence: number): void {
    const length = key.length;
    const used = this.count === 0 ? 0 : this.ends[this.count - 1]!;
    if (used + length > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, used + length));
      this.bytes.copy(grown, 0, 0, used);
      this.bytes = grown;
    }
    const start = this.start(at);
    this.bytes.copyWithin(start + length, start, used);
    this.bytes.set(key, start);
    const ends = this.ends;
    for (let j = this.count; j > at; j--) ends[j] = ends[j - 1]! + length;
    ends[at] = start + length;
    this.sequences.copyWithin(at + 1, at, this.count);
    this.sequences[at] = sequence;
    this.count++;
  }

  /** Moves keys [HALF, CAPACITY) into `right` (empty). */
  moveUpperHalf(right: PackedKeys): void {
    const base = this.ends[HALF - 1]!;
    const used = this.ends[CAPACITY - 1]!;
    right.bytes = Buffer.allocUnsafe(Math.max(64, (used - base) * 2));
    this.bytes.copy(right.bytes, 0, base, used);
    for (let j = 0; j < CAPACITY - HALF; j++) right.ends[j] = this.ends[HALF + j]! - base;
    right.sequences.set(this.sequences.subarray(HALF));
    right.count = CAPACITY - HALF;
    this.count = HALF;
  }
}

export class Leaf {
  readonly isLeaf = true;
  readonly keys: PackedKeys;
  readonly kinds = new Uint8Array(CAPACITY);
  readonly valueBuffers: (Buffer | null)[] = new Array<Buffer | null>(CAPACITY).fill(null);
  readonly valueOffsets = new Uint32Array(CAPACITY);
  readonly valueLengths = new Uint32Array(CAPACITY);
  next: Leaf | null = null;
  prev: Leaf | null = null;

  constructor(keyBytes: number) {
    this.keys = new PackedKeys(keyBytes);
  }

  insert(at: number, key: Uint8Array, sequence: number, kind: ValueKind, buffer: Buffer, offset: number, length: number): void {
    const count = this.keys.count;
    this.keys.insertKey(at, key, sequence);
    this.kinds.copyWithin(at + 1, at, count);
    this.valueOffsets.copyWithin(at + 1, at, count);
    this.valueLengths.copyWithin(at + 1, at, count);
    const buffers = this.valueBuffers;
    for (let j = count; j > at; j--) buffers[j] = buffers[j - 1]!;
    this.set(at, kind, buffer, offset, length);
  }

  set(at: number, kind: ValueKind, buffer: Buffer, offset: number, length: number): void {
    this.kinds[at] = kind;
    this.valueBuffers[at] = buffer;
    this.valueOffsets[at] = offset;
    this.valueLengths[at] = length;
  }

  /** Moves the upper half of a full leaf into a new leaf linked after it, and returns that leaf. */
  split(): Leaf {
    const right = new Leaf(0);
    this.keys.moveUpperHalf(right.keys);
    right.kinds.set(this.kinds.subarray(HALF));
    right.valueOffsets.set(this.valueOffsets.subarray(HALF));
    right.valueLengths.set(this.valueLengths.subarray(HALF));
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
    this.lows = new PackedKeys(keyBytes);
  }

  /** Inserts `child` at `at`, bounded by its first entry. */
  insert(at: number, child: Node): void {
    const first = child.isLeaf ? child.keys : child.lows;
    this.lows.insertKey(at, first.bytes.subarray(0, first.ends[0]!), first.sequences[0]!);
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

/** Index of the first key of `keys` at or after (key, sequence) (keys.count if none). */
function lowerBound(keys: PackedKeys, key: Uint8Array, sequence: number): number {
  let lo = 0;
  let hi = keys.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys.compareAt(mid, key, sequence) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The child of `node` whose range holds (key, sequence). */
function childIndex(node: Inner, key: Uint8Array, sequence: number): number {
  const lows = node.lows;
  let lo = 0;
  let hi = lows.count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (lows.compareAt(mid, key, sequence) <= 0) lo = mid;
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

  /** Adds an entry (the key is copied); an entry with the same key and sequence is replaced. */
  insert(key: Uint8Array, sequence: number, kind: ValueKind, buffer: Buffer, offset: number, length: number): void {
    this.version++;
    // Ascending keys (counters, timestamps) append to the last leaf without a descent.
    const last = this.lastLeaf;
    const n = last.keys.count;
    if (n > 0 && n < CAPACITY && last.keys.compareAt(n - 1, key, sequence) < 0) {
      last.insert(n, key, sequence, kind, buffer, offset, length);
      this.size++;
      return;
    }
    let node = this.root;
    let depth = 0;
    while (!node.isLeaf) {
      const at = childIndex(node, key, sequence);
      this.path[depth] = node;
      this.pathIndex[depth++] = at;
      node = node.children[at]!;
    }
    let leaf = node;
    let at = lowerBound(leaf.keys, key, sequence);
    if (at < leaf.keys.count && leaf.keys.compareAt(at, key, sequence) === 0) {
      leaf.set(at, kind, buffer, offset, length);
      return;
    }
    this.size++;
    if (leaf.keys.count < CAPACITY) {
      leaf.insert(at, key, sequence, kind, buffer, offset, length);
      return;
    }
    // Split first, then insert into the half that covers the position; the entry never becomes the first
    // of the new right leaf (at > HALF), so the bound given to the parent stays exact.
    let sibling: Node = leaf.split();
    if (leaf === this.lastLeaf) this.lastLeaf = sibling;
    if (at > HALF) {
      leaf = sibling;
      at -= HALF;
    }
    leaf.insert(at, key, sequence, kind, buffer, offset, length);

    while (depth > 0) {
      const parent = this.path[--depth]!;
      let slot = this.pathIndex[depth]! + 1;
      if (parent.lows.count < CAPACITY) {
        parent.insert(slot, sibling);
        return;
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
  }

  /** Positions `cursor` on the first entry at or after (key, sequence); cursor.leaf is null if none. */
  seekGE(cursor: TreeCursor, key: Uint8Array, sequence: number): void {
    let node = this.root;
    while (!node.isLeaf) node = node.children[childIndex(node, key, sequence)]!;
    const index = lowerBound(node.keys, key, sequence);
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
