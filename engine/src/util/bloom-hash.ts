// The 32-bit hash of a user key for bloom filters: LevelDB's murmur-like Hash (seed 0xbc9f1d34). Pure
// integer arithmetic, no allocation; stable across versions because filters on disk depend on it.

const SEED = 0xbc9f1d34;
const M = 0xc6a4a793;

export function bloomHash(key: Uint8Array): number {
  const n = key.length;
  let h = (SEED ^ Math.imul(n, M)) >>> 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const w = key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24);
    h = Math.imul((h + w) | 0, M);
    h ^= h >>> 16;
  }
  const rest = n - i;
  if (rest > 0) {
    if (rest === 3) h = (h + (key[i + 2]! << 16)) | 0;
    if (rest >= 2) h = (h + (key[i + 1]! << 8)) | 0;
    h = Math.imul((h + key[i]!) | 0, M);
    h ^= h >>> 24;
  }
  return h >>> 0;
}
