// Byte-string helpers shared by the memtable and the tables.

/** `bytes` as a Buffer, without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** `bytes` as a latin1 string: one character per byte, so JS string order (`<`) is bytewise order, and
 *  the string is a copy that pins nothing. */
export function latin1(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('latin1');
}

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
