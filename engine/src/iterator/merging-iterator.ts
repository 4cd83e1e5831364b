// A k-way merge of internal iterators (memtables and tables) into one stream in internal order, with a
// binary heap of the positioned children. The direction is chosen by the last positioning call:
// seekToFirst/seek merge forward (then next), seekToLast/seekForPrev merge backward (then prev). The user
// cursor never turns around, so switching direction mid-way (which would re-seek every child) is refused.

import { StrataError } from '../errors.js';
import { compareInternal } from '../util/compare.js';
import type { InternalIterator, ValueKind } from './internal-iterator.js';

export class MergingIterator implements InternalIterator {
  private readonly heap: InternalIterator[] = [];
  private forward = true;

  constructor(private readonly children: readonly InternalIterator[]) {}

  get valid(): boolean {
    return this.heap.length > 0;
  }

  get key(): Buffer {
    return this.heap[0]!.key;
  }

  get sequence(): number {
    return this.heap[0]!.sequence;
  }

  get kind(): ValueKind {
    return this.heap[0]!.kind;
  }

  get value(): Buffer {
    return this.heap[0]!.value;
  }

  seekToFirst(): void {
    for (const c of this.children) c.seekToFirst();
    this.rebuild(true);
  }

  seek(target: Uint8Array): void {
    for (const c of this.children) c.seek(target);
    this.rebuild(true);
  }

  seekToLast(): void {
    for (const c of this.children) c.seekToLast();
    this.rebuild(false);
  }

  seekForPrev(target: Uint8Array): void {
    for (const c of this.children) c.seekForPrev(target);
    this.rebuild(false);
  }

  next(): void {
    if (!this.forward) throw new StrataError('InvalidArgument', 'next() on a merge positioned backward');
    this.heap[0]!.next();
    this.settleTop();
  }

  prev(): void {
    if (this.forward) throw new StrataError('InvalidArgument', 'prev() on a merge positioned forward');
    this.heap[0]!.prev();
    this.settleTop();
  }

  close(): void {
    for (const c of this.children) c.close();
    this.heap.length = 0;
  }

  /** True if child a comes before child b in the merge's direction. */
  private before(a: InternalIterator, b: InternalIterator): boolean {
    const c = compareInternal(a.key, a.sequence, b.key, b.sequence);
    return this.forward ? c < 0 : c > 0;
  }

  private rebuild(forward: boolean): void {
    this.forward = forward;
    const heap = this.heap;
    heap.length = 0;
    for (const c of this.children) if (c.valid) heap.push(c);
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** The top child moved: drop it if exhausted, else restore the heap order. */
  private settleTop(): void {
    const heap = this.heap;
    if (!heap[0]!.valid) {
      const last = heap.pop()!;
      if (heap.length === 0) return;
      heap[0] = last;
    }
    this.siftDown(0);
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && this.before(heap[r]!, heap[l]!) ? r : l;
      if (!this.before(heap[child]!, item)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = item;
  }
}
