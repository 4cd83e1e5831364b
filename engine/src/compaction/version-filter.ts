// Which versions a compaction keeps. The live snapshots cut the sequence space into stripes: a reader at
// snapshot s sees, of each key, the newest version with sequence <= s, so within one stripe (the versions
// between two neighbouring snapshots, or above the newest one) only the newest version can ever be read.
// Every other version is shadowed and dropped. A tombstone can go too when it is in the oldest stripe and
// the output is the oldest run: then no reader can see anything below it, and nothing older survives.

import { ValueKind } from '../iterator/internal-iterator.js';
import { compareBytes, copyBytes } from '../util/bytes.js';

export class VersionFilter {
  /** Snapshot sequences, ascending. */
  private readonly snapshots: readonly number[];
  private readonly bottommost: boolean;
  private previousKey = Buffer.allocUnsafe(64);
  private previousKeyLength = -1;
  /** Stripe of the last version seen of the previous key (its index in `snapshots`, or their count). */
  private previousStripe = -1;
  /** A tombstone that was dropped: every older version of the same key is dropped with it. */
  private droppingKey = false;

  constructor(snapshots: readonly number[], bottommost: boolean) {
    this.snapshots = [...snapshots].sort((a, b) => a - b);
    this.bottommost = bottommost;
  }

  /** Whether to keep this entry; entries must come in internal order (key ascending, newest first). */
  keep(key: Uint8Array, sequence: number, kind: ValueKind): boolean {
    const stripe = this.stripeOf(sequence);
    if (!this.sameAsPrevious(key)) {
      this.remember(key);
      this.droppingKey = false;
    } else if (this.droppingKey || stripe === this.previousStripe) {
      // Shadowed by a newer version in the same stripe, or below a dropped tombstone (which was in the
      // oldest stripe, so everything below it is in that stripe too).
      return false;
    }
    this.previousStripe = stripe;
    if (kind === ValueKind.Deletion && this.bottommost && stripe === 0) {
      this.droppingKey = true;
      return false;
    }
    return true;
  }

  /** The index of the first snapshot at or above `sequence` (snapshots.length above them all). */
  private stripeOf(sequence: number): number {
    const s = this.snapshots;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid]! < sequence) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private sameAsPrevious(key: Uint8Array): boolean {
    const n = this.previousKeyLength;
    return n === key.length && compareBytes(this.previousKey, 0, n, key, 0, n) === 0;
  }

  private remember(key: Uint8Array): void {
    if (this.previousKey.length < key.length) this.previousKey = Buffer.allocUnsafe(Math.max(key.length, this.previousKey.length * 2));
    copyBytes(key, 0, key.length, this.previousKey, 0);
    this.previousKeyLength = key.length;
  }
}
