// A key's first 12 bytes as two 48-bit numbers ("heads"). Heads order like the bytes they cover, so a
// search over keys that share long prefixes (16-digit numbers, a type layer's tags) decides most
// comparisons with two number comparisons instead of a byte loop; equal heads say "look at the bytes".

/** Bytes of a key covered by its two heads. */
export const HEADS_SPAN = 12;

/** Bytes [at, at + 6) of the key bytes[start..end) as a 48-bit number, missing bytes counting as 0. */
export function keyHead(bytes: Uint8Array, start: number, end: number, at: number): number {
  const p = start + at;
  if (p + 6 <= end) {
    return ((bytes[p]! << 16) | (bytes[p + 1]! << 8) | bytes[p + 2]!) * 0x1000000 + ((bytes[p + 3]! << 16) | (bytes[p + 4]! << 8) | bytes[p + 5]!);
  }
  let h = 0;
  for (let j = 0; j < 6; j++) h = h * 256 + (p + j < end ? bytes[p + j]! : 0);
  return h;
}

/** Both heads of a whole key, [bytes 0..6), [6..12). */
export function headsOf(key: Uint8Array): Float64Array {
  return Float64Array.of(keyHead(key, 0, key.length, 0), keyHead(key, 0, key.length, 6));
}
