// CRC-32 (zlib's polynomial) over bytes, and every format uses this one function. zlib.crc32 is native
// and fast on long inputs, but each call costs ~0.3 µs of argument checks and a view: on the short
// records of a WAL (measured, 137-byte records) a table-driven loop in JavaScript (slice-by-8) is twice
// as fast and needs no view, while zlib is three times as fast on 4 KiB blocks.

import { crc32 as zlibCrc32 } from 'node:zlib';

/** Inputs shorter than this are checksummed in JavaScript. */
const NATIVE_FROM = 512;

/** Slice-by-8 tables: TABLE[k * 256 + b] is the CRC of byte b followed by k zero bytes. */
const TABLE = new Int32Array(8 * 256);
for (let b = 0; b < 256; b++) {
  let c = b;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[b] = c;
}
for (let b = 0; b < 256; b++) {
  let c = TABLE[b]!;
  for (let k = 1; k < 8; k++) {
    c = TABLE[c & 0xff]! ^ (c >>> 8);
    TABLE[k * 256 + b] = c;
  }
}

/** CRC-32 of `data`, continuing from `initial` (the CRC of the bytes before it) when given. */
export function crc32(data: Uint8Array, initial = 0): number {
  return crc32Range(data, 0, data.length, initial);
}

/** CRC-32 of data[start..end), without a view on it. */
export function crc32Range(data: Uint8Array, start: number, end: number, initial = 0): number {
  if (end - start >= NATIVE_FROM) return zlibCrc32(data.subarray(start, end), initial) >>> 0;
  const t = TABLE;
  let c = ~initial;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    c =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + data[i + 4]!]! ^
      t[512 + data[i + 5]!]! ^
      t[256 + data[i + 6]!]! ^
      t[data[i + 7]!]!;
  }
  for (; i < end; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
