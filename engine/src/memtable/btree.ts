// An in-memory B+tree of internal entries ordered by (user key ascending, sequence descending). Leaves are
// linked both ways for iteration. Entries are only ever added (a memtable never deletes), which keeps the
// tree simple: inner nodes route by the first entry of each child, and a child's first entry only changes
// for the leftmost child, whose bound is never consulted.

import type { ValueKind } from '../iterator/internal-iterator.js';
import { compareInternal } from '../util/compare.js';

const LEAF_CAPACITY = 64;
const INNER_CAPACITY = 64;

export class Entry {
  constructor(
    readonly key: Buffer,
    readonly sequence: number,
    readonly kind: ValueKind,
    readonly value: Buffer,
  ) {}
}

class Leaf {
  readonly isLeaf = true;
  entries: Entry[] = [];
  next: Leaf | null = null;
  prev: Leaf | null = null;
}

class Inner {
  readonly isLeaf = false;
  /** lows[i] <= every entry of children[i] < lows[i + 1], for i >= 1. */
  lows: Entry[] = [];
  children: Node[] = [];
}

type Node = Leaf | Inner;

/** A position in the tree: an entry of a leaf. Filled in by the tree's seek methods. */
export class TreeCursor {
  leaf: Leaf | null = null;
  index = 0;

  get entry(): Entry | undefined {
    return this.leaf?.entries[this.index];
  }

  next(): void {
    const leaf = this.leaf!;
    if (++this.index >= leaf.entries.length) {
      this.leaf = leaf.next;
      this.index = 0;
    }
  }

  prev(): void {
    if (--this.index < 0) {
      this.leaf = this.leaf!.prev;
      this.index = this.leaf === null ? 0 : this.leaf.entries.length - 1;
    }
  }
}

/** Index of the first entry at or after (key, sequence) in a sorted array (entries.length if none). */
function lowerBound(entries: Entry[], key: Uint8Array, sequence: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const e = entries[mid]!;
    if (compareInternal(e.key, e.sequence, key, sequence) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The child of `node` whose range holds (key, sequence). */
function childIndex(node: Inner, key: Uint8Array, sequence: number): number {
  const lows = node.lows;
  let lo = 0;
  let hi = lows.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    const e = lows[mid]!;
    if (compareInternal(e.key, e.sequence, key, sequence) <= 0) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export class BTree {
  private root: Node = new Leaf();
  private readonly firstLeaf: Leaf = this.root as Leaf;
  private lastLeaf: Leaf = this.firstLeaf;
  /** Bumped by every change, so cursors know when their (leaf, index) may have moved. */
  version = 0;
  size = 0;

  /** Adds an entry; an entry with the same key and sequence is replaced. */
  insert(entry: Entry): void {
    const sibling = this.insertInto(this.root, entry);
    if (sibling !== null) {
      const root = new Inner();
      root.children = [this.root, sibling];
      root.lows = [this.lowOf(this.root), this.lowOf(sibling)];
      this.root = root;
    }
    this.version++;
  }

  /** Positions `cursor` on the first entry at or after (key, sequence); cursor.leaf is null if none. */
  seekGE(cursor: TreeCursor, key: Uint8Array, sequence: number): void {
    let node = this.root;
    while (!node.isLeaf) node = node.children[childIndex(node, key, sequence)]!;
    const index = lowerBound(node.entries, key, sequence);
    if (index < node.entries.length) {
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
    cursor.index = this.lastLeaf.entries.length - 1;
  }

  /** Inserts below `node`; returns the new right sibling of `node` if it had to split. */
  private insertInto(node: Node, entry: Entry): Node | null {
    if (node.isLeaf) {
      const entries = node.entries;
      const at = lowerBound(entries, entry.key, entry.sequence);
      const existing = entries[at];
      if (existing !== undefined && compareInternal(existing.key, existing.sequence, entry.key, entry.sequence) === 0) {
        entries[at] = entry;
        return null;
      }
      // Shift by hand: splice would allocate its (empty) result array on every insert.
      let i = entries.length;
      entries.push(entry);
      for (; i > at; i--) entries[i] = entries[i - 1]!;
      entries[at] = entry;
      this.size++;
      return entries.length > LEAF_CAPACITY ? this.splitLeaf(node) : null;
    }
    const at = childIndex(node, entry.key, entry.sequence);
    const sibling = this.insertInto(node.children[at]!, entry);
    if (sibling === null) return null;
    node.children.splice(at + 1, 0, sibling);
    node.lows.splice(at + 1, 0, this.lowOf(sibling));
    if (node.children.length <= INNER_CAPACITY) return null;
    const half = node.children.length >>> 1;
    const right = new Inner();
    right.children = node.children.splice(half);
    right.lows = node.lows.splice(half);
    return right;
  }

  private splitLeaf(leaf: Leaf): Leaf {
    const right = new Leaf();
    right.entries = leaf.entries.splice(leaf.entries.length >>> 1);
    right.next = leaf.next;
    right.prev = leaf;
    if (leaf.next !== null) leaf.next.prev = right;
    else this.lastLeaf = right;
    leaf.next = right;
    return right;
  }

  private lowOf(node: Node): Entry {
    return node.isLeaf ? node.entries[0]! : node.lows[0]!;
  }
}
