// An in-memory B+tree of internal entries ordered by (user key ascending, sequence descending). Leaves are
// linked both ways for iteration. Entries are only ever added (a memtable never deletes), which keeps the
// tree simple: inner nodes route by the first entry of each child, and a child's first entry only changes
// for the leftmost child, whose bound is never consulted.
//
// Layout is chosen for memory latency, which dominates a search in a large tree: keys are latin1 strings
// (one byte per character, so `<` is bytewise order) held in per-node arrays, so a comparison touches one
// string; values are (buffer, offset, length) triples in parallel arrays, not one view object per value.

import type { ValueKind } from '../iterator/internal-iterator.js';

const LEAF_CAPACITY = 64;
const INNER_CAPACITY = 64;

export class Leaf {
  readonly isLeaf = true;
  keys: string[] = [];
  sequences: number[] = [];
  kinds: ValueKind[] = [];
  valueBuffers: Buffer[] = [];
  valueOffsets: number[] = [];
  valueLengths: number[] = [];
  next: Leaf | null = null;
  prev: Leaf | null = null;

  /** Moves the upper half of the entries into a new leaf and returns it. */
  splitOff(): Leaf {
    const right = new Leaf();
    const half = this.keys.length >>> 1;
    right.keys = this.keys.splice(half);
    right.sequences = this.sequences.splice(half);
    right.kinds = this.kinds.splice(half);
    right.valueBuffers = this.valueBuffers.splice(half);
    right.valueOffsets = this.valueOffsets.splice(half);
    right.valueLengths = this.valueLengths.splice(half);
    return right;
  }
}

class Inner {
  readonly isLeaf = false;
  /** (lowKeys[i], lowSequences[i]) <= every entry of children[i] < (lowKeys[i+1], lowSequences[i+1]), i >= 1. */
  lowKeys: string[] = [];
  lowSequences: number[] = [];
  children: Node[] = [];
}

type Node = Leaf | Inner;

/** Order of (aKey, aSeq) relative to (bKey, bSeq): key ascending, then sequence descending. */
function compare(aKey: string, aSeq: number, bKey: string, bSeq: number): number {
  if (aKey !== bKey) return aKey < bKey ? -1 : 1;
  return aSeq > bSeq ? -1 : aSeq < bSeq ? 1 : 0;
}

/** Index of the first entry of `leaf` at or after (key, sequence) (the leaf's size if none). */
function lowerBound(leaf: Leaf, key: string, sequence: number): number {
  const keys = leaf.keys;
  const sequences = leaf.sequences;
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(keys[mid]!, sequences[mid]!, key, sequence) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The child of `node` whose range holds (key, sequence). */
function childIndex(node: Inner, key: string, sequence: number): number {
  const keys = node.lowKeys;
  const sequences = node.lowSequences;
  let lo = 0;
  let hi = keys.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (compare(keys[mid]!, sequences[mid]!, key, sequence) <= 0) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Inserts `value` at `at`, shifting by hand: splice would allocate its (empty) result on every call. */
function insertAt<T>(array: T[], at: number, value: T): void {
  let i = array.length;
  array.push(value);
  for (; i > at; i--) array[i] = array[i - 1]!;
  array[at] = value;
}

/** A position in the tree: an entry of a leaf (none when leaf is null). Set by the tree's seek methods. */
export class TreeCursor {
  leaf: Leaf | null = null;
  index = 0;

  next(): void {
    const leaf = this.leaf!;
    if (++this.index >= leaf.keys.length) {
      this.leaf = leaf.next;
      this.index = 0;
    }
  }

  prev(): void {
    if (--this.index < 0) {
      this.leaf = this.leaf!.prev;
      this.index = this.leaf === null ? 0 : this.leaf.keys.length - 1;
    }
  }
}

export class BTree {
  private root: Node = new Leaf();
  private readonly firstLeaf: Leaf = this.root as Leaf;
  private lastLeaf: Leaf = this.firstLeaf;
  /** Bumped by every change, so cursors know when their (leaf, index) may have moved. */
  version = 0;
  size = 0;
  /** The inner nodes and child slots of the last descent, for propagating splits upwards. */
  private readonly path: Inner[] = [];
  private readonly pathIndex: number[] = [];

  /** Adds an entry; an entry with the same key and sequence is replaced. */
  insert(key: string, sequence: number, kind: ValueKind, buffer: Buffer, offset: number, length: number): void {
    this.version++;
    let node = this.root;
    // Descend, remembering the path for splits; depth is ~4 for millions of entries.
    const path = this.path;
    let depth = 0;
    while (!node.isLeaf) {
      const at = childIndex(node, key, sequence);
      path[depth] = node;
      this.pathIndex[depth++] = at;
      node = node.children[at]!;
    }
    const leaf = node;
    const at = lowerBound(leaf, key, sequence);
    if (at < leaf.keys.length && leaf.keys[at] === key && leaf.sequences[at] === sequence) {
      leaf.kinds[at] = kind;
      leaf.valueBuffers[at] = buffer;
      leaf.valueOffsets[at] = offset;
      leaf.valueLengths[at] = length;
      return;
    }
    insertAt(leaf.keys, at, key);
    insertAt(leaf.sequences, at, sequence);
    insertAt(leaf.kinds, at, kind);
    insertAt(leaf.valueBuffers, at, buffer);
    insertAt(leaf.valueOffsets, at, offset);
    insertAt(leaf.valueLengths, at, length);
    this.size++;
    if (leaf.keys.length <= LEAF_CAPACITY) return;

    const right = leaf.splitOff();
    right.next = leaf.next;
    right.prev = leaf;
    if (leaf.next !== null) leaf.next.prev = right;
    else this.lastLeaf = right;
    leaf.next = right;
    let sibling: Node | null = right;
    let siblingKey = right.keys[0]!;
    let siblingSequence = right.sequences[0]!;
    while (sibling !== null && depth > 0) {
      const parent = path[--depth]!;
      const slot = this.pathIndex[depth]! + 1;
      insertAt(parent.children, slot, sibling);
      insertAt(parent.lowKeys, slot, siblingKey);
      insertAt(parent.lowSequences, slot, siblingSequence);
      sibling = null;
      if (parent.children.length > INNER_CAPACITY) {
        const half = parent.children.length >>> 1;
        const split = new Inner();
        split.children = parent.children.splice(half);
        split.lowKeys = parent.lowKeys.splice(half);
        split.lowSequences = parent.lowSequences.splice(half);
        sibling = split;
        siblingKey = split.lowKeys[0]!;
        siblingSequence = split.lowSequences[0]!;
      }
    }
    if (sibling !== null) {
      const root = new Inner();
      const old = this.root;
      root.children = [old, sibling];
      root.lowKeys = [old.isLeaf ? old.keys[0]! : old.lowKeys[0]!, siblingKey];
      root.lowSequences = [old.isLeaf ? old.sequences[0]! : old.lowSequences[0]!, siblingSequence];
      this.root = root;
    }
  }

  /** Positions `cursor` on the first entry at or after (key, sequence); cursor.leaf is null if none. */
  seekGE(cursor: TreeCursor, key: string, sequence: number): void {
    let node = this.root;
    while (!node.isLeaf) node = node.children[childIndex(node, key, sequence)]!;
    const index = lowerBound(node, key, sequence);
    if (index < node.keys.length) {
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
    cursor.index = this.lastLeaf.keys.length - 1;
  }
}
