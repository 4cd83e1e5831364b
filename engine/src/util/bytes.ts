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
