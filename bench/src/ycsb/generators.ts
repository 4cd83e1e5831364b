// YCSB's key choosers (site.ycsb.generator), ported to draw from the seeded Prng so that the same seed
// gives the same choices on every engine: ZipfianGenerator (Gray et al., "Quickly Generating
// Billion-Record Synthetic Databases"), ScrambledZipfianGenerator, SkewedLatestGenerator, uniform, and the
// acknowledged insert counter that keeps readers off keys not yet written.
import { fnvhash64, mod64 } from '../random/fnv.js';
import type { Prng } from '../random/prng.js';

export const ZIPFIAN_CONSTANT = 0.99;

export interface KeyChooser {
  /** The next item number. */
  next(): number;
}

/** zeta(n, theta) = sum over i in [st, n) of 1 / (i+1)^theta, continuing from `initial`. */
function zeta(st: number, n: number, theta: number, initial: number): number {
  let sum = initial;
  for (let i = st; i < n; i++) sum += 1 / Math.pow(i + 1, theta);
  return sum;
}

/** Items in [min, max], item `min` the most popular. */
export class ZipfianGenerator implements KeyChooser {
  private readonly theta: number;
  private readonly zeta2theta: number;
  private readonly alpha: number;
  private zetan: number;
  private eta: number;
  private countForZeta: number;

  constructor(
    private readonly prng: Prng,
    private readonly min: number,
    max: number,
    constant = ZIPFIAN_CONSTANT,
    zetan?: number,
  ) {
    const items = max - min + 1;
    this.theta = constant;
    this.zeta2theta = zeta(0, 2, this.theta, 0);
    this.alpha = 1 / (1 - this.theta);
    this.zetan = zetan ?? zeta(0, items, this.theta, 0);
    this.countForZeta = items;
    this.eta = this.etaFor(items);
  }

  next(): number {
    return this.nextFor(this.countForZeta);
  }

  /** A value for a population of `itemCount` items (grown incrementally, as YCSB does for `latest`). */
  nextFor(itemCount: number): number {
    if (itemCount !== this.countForZeta) {
      this.zetan =
        itemCount > this.countForZeta
          ? zeta(this.countForZeta, itemCount, this.theta, this.zetan)
          : zeta(0, itemCount, this.theta, 0);
      this.countForZeta = itemCount;
      this.eta = this.etaFor(itemCount);
    }
    const u = this.prng.nextDouble();
    const uz = u * this.zetan;
    if (uz < 1) return this.min;
    if (uz < 1 + Math.pow(0.5, this.theta)) return this.min + 1;
    return this.min + Math.floor(itemCount * Math.pow(this.eta * u - this.eta + 1, this.alpha));
  }

  private etaFor(items: number): number {
    return (1 - Math.pow(2 / items, 1 - this.theta)) / (1 - this.zeta2theta / this.zetan);
  }
}

/** YCSB's scrambled zipfian: popularity follows zipfian over 10^10 items, hashed onto [min, max] so the
 *  popular items are spread over the key space instead of clustered at its start. */
export class ScrambledZipfianGenerator implements KeyChooser {
  private static readonly ITEM_COUNT = 10_000_000_000;
  /** zeta(10^10, 0.99), precomputed by YCSB. */
  private static readonly ZETAN = 26.46902820178302;
  private readonly gen: ZipfianGenerator;
  private readonly itemCount: number;

  constructor(
    prng: Prng,
    private readonly min: number,
    max: number,
  ) {
    this.itemCount = max - min + 1;
    if (this.itemCount >= 2 ** 32) throw new RangeError('scrambled zipfian supports fewer than 2^32 items');
    this.gen = new ZipfianGenerator(
      prng,
      0,
      ScrambledZipfianGenerator.ITEM_COUNT,
      ZIPFIAN_CONSTANT,
      ScrambledZipfianGenerator.ZETAN,
    );
  }

  next(): number {
    const [hi, lo] = fnvhash64(this.gen.next());
    return this.min + mod64(hi, lo, this.itemCount);
  }
}

export class UniformGenerator implements KeyChooser {
  constructor(
    private readonly prng: Prng,
    private readonly min: number,
    private readonly max: number,
  ) {}

  next(): number {
    return this.min + this.prng.nextInt(this.max - this.min + 1);
  }
}

/** Hands out insert numbers; `lastAcknowledged` is the highest number below which every insert is done. */
export class AcknowledgedCounter {
  private nextValue: number;
  private acknowledged: number;
  private readonly pending = new Set<number>();

  constructor(start: number) {
    this.nextValue = start;
    this.acknowledged = start - 1;
  }

  next(): number {
    return this.nextValue++;
  }

  acknowledge(value: number): void {
    this.pending.add(value);
    while (this.pending.delete(this.acknowledged + 1)) this.acknowledged++;
  }

  get lastAcknowledged(): number {
    return this.acknowledged;
  }
}

/** YCSB's `latest`: zipfian over recency, the newest acknowledged insert the most popular. */
export class SkewedLatestGenerator implements KeyChooser {
  private readonly zipfian: ZipfianGenerator;

  constructor(
    prng: Prng,
    private readonly basis: AcknowledgedCounter,
  ) {
    this.zipfian = new ZipfianGenerator(prng, 0, basis.lastAcknowledged - 1);
  }

  next(): number {
    const max = this.basis.lastAcknowledged;
    return max - this.zipfian.nextFor(max);
  }
}
