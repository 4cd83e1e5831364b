// CRC-32 (zlib's polynomial) over bytes: zlib.crc32 is native and fast, and every format uses this one function.

import { crc32 as zlibCrc32 } from 'node:zlib';

/** CRC-32 of `data`, continuing from `initial` (the CRC of the bytes before it) when given. */
export function crc32(data: Uint8Array, initial = 0): number {
  return zlibCrc32(data, initial) >>> 0;
}
