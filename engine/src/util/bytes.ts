// Byte-string helpers shared by the memtable and the tables.

/** Bytewise order of a[aStart..aEnd) and b[bStart..bEnd). A plain loop: for short keys it beats the
 *  native Buffer.compare, whose call and argument checks cost more than the comparison itself. */
export function compareBytes(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const aLength = aEnd - aStart;
  const bLength = bEnd - bStart;
  const n = aLength < bLength ? aLength : bLength;
  for (let i = 0; i < n; i++) {
    const d = a[aStart + i]! - b[bStart + i]!;
    if (d !== 0) return d;
  }
  return aLength - bLength;
}

/** Copies src[srcStart..srcEnd) to dst[dstStart..]. Short runs (keys, mostly) by a loop: cheaper than the
 *  native copy's call overhead or a subarray for TypedArray.set. */
export function copyBytes(src: Uint8Array, srcStart: number, srcEnd: number, dst: Uint8Array, dstStart: number): void {
  const n = srcEnd - srcStart;
  if (n <= 32) {
    for (let i = 0; i < n; i++) dst[dstStart + i] = src[srcStart + i]!;
  } else {
    dst.set(src.subarray(srcStart, srcEnd), dstStart);
  }
}
