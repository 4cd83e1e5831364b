// YCSB's 64-bit FNV-1a-style hash of a long (Utils.fnvhash64), computed on two 32-bit halves so that no
// BigInt is allocated per operation. Used to scramble zipfian ranks and to name YCSB keys.

const PRIME_LO = 0x1b3; // FNV_PRIME_64 = 2^40 + 0x1b3
const TWO32 = 4294967296;

/** The hash as [hi, lo] 32-bit halves of Math.abs(fnvhash64(value)), value in [0, 2^53). */
export function fnvhash64(value: number): [hi: number, lo: number] {
  let vLo = value % TWO32 >>> 0;
  let vHi = Math.floor(value / TWO32) >>> 0;
  let hi = 0xcbf29ce4; // FNV_OFFSET_BASIS_64
  let lo = 0x84222325;
  for (let i = 0; i < 8; i++) {
    lo = (lo ^ (vLo & 0xff)) >>> 0;
    vLo = ((vLo >>> 8) | ((vHi & 0xff) << 24)) >>> 0;
    vHi >>>= 8;
    // (hi:lo) * (2^40 + 0x1b3) mod 2^64
    const p = lo * PRIME_LO; // < 2^41, exact in a double
    const carry = Math.floor(p / TWO32);
    hi = (Math.imul(hi, PRIME_LO) + (lo << 8) + carry) >>> 0;
    lo = p >>> 0;
  }
  if (hi & 0x80000000) {
    // Math.abs of a negative Java long: two's complement negation.
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  return [hi, lo];
}

/** (hi * 2^32 + lo) mod n, exact for n < 2^32 (16 bits at a time keeps every product below 2^53). */
export function mod64(hi: number, lo: number, n: number): number {
  let r = hi % n;
  r = (r * 65536 + (lo >>> 16)) % n;
  return (r * 65536 + (lo & 0xffff)) % n;
}
