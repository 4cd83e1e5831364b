// The user-facing cursor: walks a merge of all sources at one snapshot sequence, shows for each user key
// only its newest version visible at the snapshot, hides tombstones, and keeps to the bounds. Forward, the
// merge is left on the entry shown (its bytes stay valid until the next move); backward, versions of a
// key arrive oldest first, so the shown entry is copied into scratch buffers before moving on.

import type { Cursor, IteratorOptions } from '../api.js';
import { StrataError } from '../errors.js';
import { ValueKind } from './internal-iterator.js';
import type { MergingIterator } from './merging-iterator.js';

const EMPTY = Buffer.alloc(0);

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** Grows `buf` to hold `n` bytes (keeping nothing). */
function room(buf: Buffer, n: number): Buffer {
  return buf.length >= n ? buf : Buffer.allocUnsafe(Math.max(n, buf.length * 2, 64));
}

export class DbCursor implements Cursor {
  valid = false;
  key: Uint8Array = EMPTY;
  value: Uint8Array = EMPTY;
  private readonly lower: Uint8Array | undefined;
  private readonly lowerOpen: boolean;
  private readonly upper: Uint8Array | undefined;
  private readonly upperOpen: boolean;
  private readonly reverse: boolean;
  private keyScratch: Buffer = Buffer.allocUnsafe(64);
  private valueScratch: Buffer = Buffer.allocUnsafe(256);
  private closed = false;

  constructor(
    private readonly merge: MergingIterator,
    private readonly sequence: number,
    options: IteratorOptions,
    private readonly onClose: () => void,
  ) {
    this.lower = options.gt ?? options.gte;
    this.lowerOpen = options.gt !== undefined;
    this.upper = options.lt ?? options.lte;
    this.upperOpen = options.lt !== undefined;
    this.reverse = options.reverse === true;
    this.rewind();
  }

  /** Positions on the first entry in the cursor's direction. */
  private rewind(): void {
    if (this.reverse) {
      if (this.upper === undefined) this.merge.seekToLast();
      else this.merge.seekForPrev(this.upper);
      this.findBackward();
    } else {
      if (this.lower === undefined) this.merge.seekToFirst();
      else this.merge.seek(this.lower);
      this.findForward();
    }
  }

  seek(target: Uint8Array): void {
    this.check();
    if (this.reverse) {
      const t = this.upper !== undefined && Buffer.compare(target, this.upper) > 0 ? this.upper : target;
      this.merge.seekForPrev(t);
      this.findBackward();
    } else {
      const t = this.lower !== undefined && Buffer.compare(target, this.lower) < 0 ? this.lower : target;
      this.merge.seek(t);
      this.findForward();
    }
  }

  next(): void {
    this.check();
    if (!this.valid) return;
    if (this.reverse) {
      this.findBackward();
      return;
    }
    this.skipVersionsOf(this.merge.key);
    this.findForward();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.valid = false;
    this.key = this.value = EMPTY;
    this.merge.close();
    this.onClose();
  }

  private check(): void {
    if (this.closed) throw new StrataError('Closed', 'cursor is closed');
  }

  private aboveUpper(key: Uint8Array): boolean {
    if (this.upper === undefined) return false;
    const c = Buffer.compare(key, this.upper);
    return this.upperOpen ? c >= 0 : c > 0;
  }

  private belowLower(key: Uint8Array): boolean {
    if (this.lower === undefined) return false;
    const c = Buffer.compare(key, this.lower);
    return this.lowerOpen ? c <= 0 : c < 0;
  }

  private findForward(): void {
    const merge = this.merge;
    while (merge.valid) {
      const key = merge.key;
      if (this.aboveUpper(key)) break;
      if (merge.sequence > this.sequence) {
        merge.next();
        continue;
      }
      // The newest visible version of this key.
      if (merge.kind === ValueKind.Value && !(this.lowerOpen && sameKey(key, this.lower!))) {
        this.valid = true;
        this.key = key;
        this.value = merge.value;
        return;
      }
      this.skipVersionsOf(key);
    }
    this.valid = false;
  }

  /** Moves the merge past every version of `key` (which may be the merge's own buffer, hence the copy). */
  private skipVersionsOf(key: Uint8Array): void {
    this.keyScratch = room(this.keyScratch, key.length);
    const k = this.keyScratch.subarray(0, key.length);
    k.set(key);
    const merge = this.merge;
    do merge.next();
    while (merge.valid && sameKey(merge.key, k));
  }

  private findBackward(): void {
    const merge = this.merge;
    while (merge.valid) {
      const key = merge.key;
      if (this.aboveUpper(key)) {
        merge.prev();
        continue;
      }
      if (this.belowLower(key)) break;
      this.keyScratch = room(this.keyScratch, key.length);
      const k = this.keyScratch.subarray(0, key.length);
      k.set(key);
      // Versions come oldest first: the last one visible at the snapshot decides.
      let kind = -1;
      let valueLength = 0;
      do {
        if (merge.sequence <= this.sequence) {
          kind = merge.kind;
          if (kind === ValueKind.Value) {
            const v = merge.value;
            this.valueScratch = room(this.valueScratch, v.length);
            this.valueScratch.set(v);
            valueLength = v.length;
          }
        }
        merge.prev();
      } while (merge.valid && sameKey(merge.key, k));
      if (kind === ValueKind.Value) {
        this.valid = true;
        this.key = k;
        this.value = this.valueScratch.subarray(0, valueLength);
        return;
      }
    }
    this.valid = false;
  }
}
