// Copies values into large slabs: one allocation per 256 KiB instead of one per value, and nothing of a
// caller's buffer (say, a slice of a socket chunk) is kept, so it cannot be pinned.

const SLAB_SIZE = 256 * 1024;
/** Larger values get a buffer of their own, so slabs waste little at their ends. */
const OWN_BUFFER_ABOVE = SLAB_SIZE / 8;

export class Arena {
  /** The buffer holding the bytes of the last `copy`. */
  buffer = Buffer.allocUnsafeSlow(SLAB_SIZE);
  private slab = this.buffer;
  private pos = 0;

  /** Copies `src`; returns its offset in `this.buffer`. */
  copy(src: Uint8Array): number {
    const n = src.length;
    if (n > OWN_BUFFER_ABOVE) {
      this.buffer = Buffer.allocUnsafeSlow(n);
      this.buffer.set(src);
      return 0;
    }
    if (this.pos + n > SLAB_SIZE) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
      this.pos = 0;
    }
    const start = this.pos;
    this.slab.set(src, start);
    this.pos = start + n;
    this.buffer = this.slab;
    return start;
  }
}
