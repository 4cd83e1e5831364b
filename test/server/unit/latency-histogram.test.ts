// INFO latencystats' histogram: Redis's buckets (1 ns to 1 s, 2 significant digits) and its percentile rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyHistogram } from '@strata/server';
import { Random, testSeed } from '../../helpers/random.js';

/** The range of values a value is counted with, computed another way: 256 steps per power of two past 255. */
function equivalentRange(value: number): [number, number] {
  const step = value < 256 ? 1 : 2 ** (Math.floor(Math.log2(value)) - 7);
  const lowest = Math.floor(value / step) * step;
  return [lowest, lowest + step - 1];
}

test('percentiles as Redis 7.0 reports them: nearest-rank count, the bucket top (the bottom for p0)', () => {
  const h = new LatencyHistogram();
  h.record(5000);
  // Redis reports one 5 µs call as p50=5.023.
  assert.equal(h.valueAtPercentile(50), 5023);
  assert.equal(h.valueAtPercentile(0), 4992);
  // Three calls: Redis's p40 is the first (0.4 × 3 + 0.5 rounds down to 1), p60 the second, p90 the third.
  const three = new LatencyHistogram();
  for (const nanos of [1_110_000, 2_090_000, 3_110_000]) three.record(nanos);
  assert.deepEqual([10, 40, 60, 90, 100].map((p) => three.valueAtPercentile(p)), [1_114_111, 1_114_111, 2_097_151, 3_112_959, 3_112_959]);
  // Clamped to 1 ns..1 s.
  const edges = new LatencyHistogram();
  edges.record(0);
  edges.record(5e9);
  assert.equal(edges.valueAtPercentile(0), 1);
  assert.equal(edges.valueAtPercentile(100), equivalentRange(1e9)[1]);
});

test('every percentile of random latencies matches a sort of the values (randomised)', () => {
  const rnd = new Random(testSeed('latency histogram'));
  for (let round = 0; round < 20; round++) {
    const h = new LatencyHistogram();
    const values = Array.from({ length: rnd.between(1, 500) }, () => Math.round(Math.exp(rnd.next() * Math.log(1e9))));
    for (const v of values) h.record(v);
    values.sort((a, b) => a - b);
    for (const p of [0, 0.1, 10, 33.3, 50, 90, 99, 99.9, 100]) {
      const rank = Math.max(1, Math.trunc((p / 100) * values.length + 0.5));
      const [lowest, highest] = equivalentRange(values[rank - 1]!);
      assert.equal(h.valueAtPercentile(p), p === 0 ? lowest : highest, `p${p} of ${values.length}`);
    }
  }
});
