// One command's latencies as Redis 7.0 keeps them for INFO latencystats: its bundled HdrHistogram_c with
// values from 1 ns to 1 s at 2 significant digits, and that library's percentile rule (the count at a
// percentile rounded to nearest, where hdr-histogram-js rounds up: with 3 calls, Redis's p40 is the first
// call's time, hdr-histogram-js's the second's). Recording is a few integer operations (hdr-histogram-js's
// recordValue cost ~0.1 µs, a tenth of a pipelined GET here).

/** 2 significant digits: 2 × 10^2 rounded up to a power of two values per bucket, the upper half of each
 *  bucket past the first counted (the lower half repeats the bucket before at twice the resolution). */
const HALF_MAGNITUDE = 7;
const HALF = 1 << HALF_MAGNITUDE;
const SUB_BUCKET_MASK = 2 * HALF - 1;
const MAX_NANOS = 1e9;
/** 256 × 2^22 > 10^9: buckets 0..22. */
const COUNTS = (22 + 2) * HALF;

/** The bucket of a value in 1..10^9 (below 2^31, so 32-bit operations do). */
const bucketOf = (value: number): number => 32 - Math.clz32(value | SUB_BUCKET_MASK) - (HALF_MAGNITUDE + 1);

const lowestEquivalent = (value: number): number => {
  const bucket = bucketOf(value);
  return (value >>> bucket) * 2 ** bucket;
};

const highestEquivalent = (value: number): number => lowestEquivalent(value) + 2 ** bucketOf(value) - 1;

/** The smallest value counted at `index`. */
function valueAt(index: number): number {
  let bucket = (index >>> HALF_MAGNITUDE) - 1;
  let sub = (index & (HALF - 1)) + HALF;
  if (bucket < 0) {
    sub -= HALF;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(COUNTS);
  total = 0;

  /** Counts one latency, clamped to 1 ns..1 s as Redis clamps it. */
  record(nanos: number): void {
    const value = Math.min(MAX_NANOS, Math.max(1, Math.round(nanos)));
    const bucket = bucketOf(value);
    this.counts[((bucket + 1) << HALF_MAGNITUDE) + (value >>> bucket) - HALF]!++;
    this.total++;
  }

  /** hdr_value_at_percentile: the highest value equivalent to the one at that percentile (the lowest for
   *  percentile 0). */
  valueAtPercentile(percentile: number): number {
    const wanted = Math.max(1, Math.trunc((Math.min(percentile, 100) / 100) * this.total + 0.5));
    let seen = 0;
    let value = 0;
    for (let i = 0; i < COUNTS; i++) {
      seen += this.counts[i]!;
      if (seen >= wanted) {
        value = valueAt(i);
        break;
      }
    }
    return percentile === 0 ? lowestEquivalent(value) : highestEquivalent(value);
  }
}
