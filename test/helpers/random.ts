// Seeded randomness for tests: every randomised test prints its seed and takes STRATA_SEED to replay it.

/** sfc32: small, fast and good enough for tests; the whole state derives from one 32-bit seed. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  constructor(readonly seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next = (): number => {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  };

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }
}

/** The seeds a randomised test runs: STRATA_SEED alone if set, else `count` fresh ones (STRATA_SEEDS
 *  overrides the count). Each is printed so a failure can be replayed. */
export function testSeeds(name: string, count: number): number[] {
  const fixed = process.env.STRATA_SEED;
  if (fixed !== undefined && fixed !== '') return [announce(name, Number(fixed))];
  const n = Number(process.env.STRATA_SEEDS ?? count);
  return Array.from({ length: n }, () => announce(name, Math.floor(Math.random() * 2 ** 32)));
}

/** One seed for a test (STRATA_SEED if set), printed. */
export function testSeed(name: string): number {
  const fixed = process.env.STRATA_SEED;
  return announce(name, fixed !== undefined && fixed !== '' ? Number(fixed) : Math.floor(Math.random() * 2 ** 32));
}

function announce(name: string, seed: number): number {
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`STRATA_SEED must be a non-negative integer, got ${seed}`);
  console.log(`${name}: seed ${seed} (replay with STRATA_SEED=${seed})`);
  return seed;
}
