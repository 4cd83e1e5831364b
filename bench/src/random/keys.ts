// Key and value material shared by every phase, so every engine sees the same bytes for the same seed.
import { fnvhash64 } from './fnv.js';
import type { Prng } from './prng.js';

/** YCSB's hashed key name: "user" + fnvhash64(n) as 16 hex digits (fixed 20 bytes, spread over the space). */
export function ycsbKey(n: number): Buffer {
  const [hi, lo] = fnvhash64(n);
  return Buffer.from(`user${hex8(hi)}${hex8(lo)}`, 'latin1');
}

/** db_bench's key: the number as 16 zero-padded decimal digits (16 bytes, ordered like the number). */
export function benchKey(n: number): Buffer {
  // Digits written straight into a pooled buffer: formatting a string and encoding it cost more than a
  // fast engine's whole get, and would blur the comparison.
  const key = Buffer.allocUnsafe(16);
  for (let i = 15; i >= 0; i--) {
    const rest = Math.floor(n / 10);
    key[i] = 48 + n - rest * 10;
    n = rest;
  }
  return key;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** A pool of random values drawn once from the seed; operation i writes value i mod pool size. Random
 *  bytes do not compress, so the peers' block compression gains nothing over Strata. */
export class ValuePool {
  private readonly values: Uint8Array[];

  constructor(prng: Prng, valueSize: number, poolSize = 1024) {
    this.values = Array.from({ length: poolSize }, () => prng.fill(new Uint8Array(valueSize)));
  }

  value(i: number): Uint8Array {
    return this.values[i % this.values.length]!;
  }
}
