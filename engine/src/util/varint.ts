// Unsigned LEB128 varints (7 bits per byte, low bits first, high bit = "more"), for integers up to 2^53.
// Arithmetic rather than shifts above 28 bits, since JS bitwise operators are 32-bit.

export const MAX_VARINT_LENGTH = 8;

/** Writes `value` at `buf[pos]`; returns the position after it. */
export function putVarint(buf: Uint8Array, pos: number, value: number): number {
  while (value >= 0x80) {
    buf[pos++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 0x80);
  }
  buf[pos++] = value;
  return pos;
}

/** A read position in a byte array. Decoding through one reusable reader allocates nothing per value. */
export class ByteReader {
  buf: Uint8Array;
  pos: number;

  constructor(buf: Uint8Array, pos = 0) {
    this.buf = buf;
    this.pos = pos;
  }

  /** Decodes a varint; returns -1 (leaving `pos` unspecified) if it runs past `limit` or is too long. */
  varint(limit: number): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= limit) return -1;
    let byte = buf[pos++]!;
    if (byte < 0x80) {
      this.pos = pos;
      return byte;
    }
    let value = byte & 0x7f;
    let scale = 0x80;
    for (let i = 1; i < MAX_VARINT_LENGTH; i++) {
      if (pos >= limit) return -1;
      byte = buf[pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        this.pos = pos;
        return value;
      }
      scale *= 0x80;
    }
    return -1;
  }
}
