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
