// A seeded PRNG: xoshiro128** (32-bit state words, so every step is plain int32 arithmetic in JS),
// seeded through splitmix32 so that nearby seeds give unrelated streams. Same seed, same sequence,
// on every engine and every run.

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      // splitmix32
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform integer in [0, bound), for bound up to 2^53. */
  nextInt(bound: number): number {
    return Math.floor(this.nextDouble() * bound);
  }

  /** Fill `out` with random bytes. */
  fill(out: Uint8Array): Uint8Array {
    let i = 0;
    for (; i + 4 <= out.length; i += 4) {
      const r = this.nextUint32();
      out[i] = r;
      out[i + 1] = r >>> 8;
      out[i + 2] = r >>> 16;
      out[i + 3] = r >>> 24;
    }
    if (i < out.length) {
      let r = this.nextUint32();
      for (; i < out.length; i++, r >>>= 8) out[i] = r;
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
