// Copies keys and values into large slabs: one allocation per 256 KiB instead of one per key, and a view on
// a caller's buffer (say, a slice of a socket chunk) is never kept, so it cannot pin that buffer.

const SLAB_SIZE = 256 * 1024;
/** Larger byte strings get a buffer of their own, so slabs waste little at their ends. */
const OWN_BUFFER_ABOVE = SLAB_SIZE / 8;

export class Arena {
  private slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
  private pos = 0;
  /** Bytes of buffers allocated so far (slabs and own buffers). */
  allocatedBytes = SLAB_SIZE;

  /** A copy of `src` that lives as long as the returned view. */
  copy(src: Uint8Array): Buffer {
    const n = src.length;
    if (n > OWN_BUFFER_ABOVE) {
      const own = Buffer.allocUnsafeSlow(n);
      own.set(src);
      this.allocatedBytes += n;
      return own;
    }
    if (this.pos + n > SLAB_SIZE) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
      this.pos = 0;
      this.allocatedBytes += SLAB_SIZE;
    }
    const start = this.pos;
    this.slab.set(src, start);
    this.pos = start + n;
    return this.slab.subarray(start, start + n);
  }
}
