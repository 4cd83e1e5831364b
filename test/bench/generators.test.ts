// The bench's seeded generators: reproducible, and faithful to YCSB where they port it.
// Randomised parts print their seed; STRATA_SEED=<n> reproduces a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as hdr from 'hdr-histogram-js';
import {
  AcknowledgedCounter,
  fnvhash64,
  LatencyRecorder,
  mod64,
  parseCsv,
  Prng,
  ScrambledZipfianGenerator,
  SkewedLatestGenerator,
  ycsbKey,
  ZipfianGenerator,
} from '@strata/bench';

const seed = Number(process.env.STRATA_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`generators.test seed=${seed} (STRATA_SEED=${seed} to reproduce)`);

/** YCSB's Utils.fnvhash64 on Java longs, with BigInt: the reference the 32-bit version must match. */
function referenceFnv(value: bigint): bigint {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < 8; i++) {
    hash ^= value & 0xffn;
    value >>= 8n;
    hash = (hash * 1099511628211n) & 0xffffffffffffffffn;
  }
  return hash >= 1n << 63n ? (1n << 64n) - hash : hash; // Math.abs of the signed long
}

test('the same seed gives the same stream; another seed another', () => {
  const a = new Prng(seed);
  const b = new Prng(seed);
  const c = new Prng(seed + 1);
  const sa = Array.from({ length: 100 }, () => a.nextUint32());
  assert.deepEqual(sa, Array.from({ length: 100 }, () => b.nextUint32()));
  assert.notDeepEqual(sa, Array.from({ length: 100 }, () => c.nextUint32()));
  const d = new Prng(seed);
  for (let i = 0; i < 10_000; i++) {
    const x = d.nextDouble();
    assert.ok(x >= 0 && x < 1);
  }
});

test('fnvhash64 and mod64 match a BigInt reference', () => {
  const prng = new Prng(seed);
  const values = [0, 1, 255, 256, 2 ** 32 - 1, 2 ** 32, 10_000_000_000, 2 ** 53 - 1];
  for (let i = 0; i < 2000; i++) values.push(prng.nextInt(2 ** 53));
  for (const v of values) {
    const [hi, lo] = fnvhash64(v);
    const expected = referenceFnv(BigInt(v));
    assert.equal((BigInt(hi) << 32n) | BigInt(lo), expected, `fnvhash64(${v})`);
    const n = 1 + prng.nextInt(2 ** 32 - 1);
    assert.equal(BigInt(mod64(hi, lo, n)), expected % BigInt(n), `mod64 of fnvhash64(${v}) by ${n}`);
  }
});

test('zipfian: in range, item 0 the most popular, popularity falling with rank', () => {
  const items = 1000;
  const zipf = new ZipfianGenerator(new Prng(seed), 0, items - 1);
  const counts = new Array<number>(items + 1).fill(0);
  for (let i = 0; i < 100_000; i++) {
    const v = zipf.next();
    assert.ok(v >= 0 && v <= items, `value ${v} in range`);
    counts[v]!++;
  }
  // Zipf with theta 0.99 over 1000 items: item 0 draws about 13% of requests, item 1 about half of that.
  assert.ok(counts[0]! > 10_000 && counts[0]! < 16_000, `item 0 drew ${counts[0]}`);
  assert.ok(counts[1]! < counts[0]! && counts[1]! > counts[0]! / 3, `item 1 drew ${counts[1]}`);
  assert.ok(counts[10]! > counts[500]!);
});

test('scrambled zipfian: deterministic, in range, skewed but not clustered at the start', () => {
  const records = 100_000;
  const draw = (): number[] => {
    const g = new ScrambledZipfianGenerator(new Prng(seed), 0, records - 1);
    return Array.from({ length: 50_000 }, () => g.next());
  };
  const values = draw();
  assert.deepEqual(values, draw());
  const counts = new Map<number, number>();
  for (const v of values) {
    assert.ok(v >= 0 && v < records);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const top = [...counts.entries()].sort((x, y) => y[1] - x[1]).slice(0, 10);
  assert.ok(top[0]![1] > 50 * (values.length / records), `the hottest key is far above uniform (${top[0]![1]})`);
  assert.ok(top.some(([k]) => k > records / 10), 'hot keys are spread over the key space');
});

test('latest: draws only acknowledged inserts, favouring the newest', () => {
  const counter = new AcknowledgedCounter(1000);
  const latest = new SkewedLatestGenerator(new Prng(seed), counter);
  let recent = 0;
  for (let i = 0; i < 10_000; i++) {
    const v = latest.next();
    assert.ok(v >= 0 && v <= 999);
    if (v >= 990) recent++;
  }
  assert.ok(recent > 3000, `most draws among the 10 newest (${recent})`);
  const a = counter.next();
  const b = counter.next();
  counter.acknowledge(b);
  assert.equal(counter.lastAcknowledged, 999, 'a later insert acknowledged first does not expose the gap');
  counter.acknowledge(a);
  assert.equal(counter.lastAcknowledged, 1001);
});

test('ycsb keys are fixed width and distinct', () => {
  const keys = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    const k = ycsbKey(i).toString('latin1');
    assert.match(k, /^user[0-9a-f]{16}$/);
    keys.add(k);
  }
  assert.equal(keys.size, 10_000);
});

test('latency percentiles come from the HDR histogram within its precision', () => {
  const rec = new LatencyRecorder();
  for (let us = 1; us <= 10_000; us++) rec.recordUs(us);
  const s = rec.summary();
  assert.equal(s.count, 10_000);
  assert.ok(Math.abs(s.p50Us - 5000) <= 5, `p50 ${s.p50Us}`);
  assert.ok(Math.abs(s.p99Us - 9900) <= 10, `p99 ${s.p99Us}`);
  assert.ok(Math.abs(s.maxUs - 10_000) <= 10, `max ${s.maxUs}`);

  // Values in one bucket: no percentile may read above the largest value recorded.
  const narrow = new LatencyRecorder();
  for (let i = 0; i < 1000; i++) narrow.recordUs(4330 + (i % 9));
  const n = narrow.summary();
  assert.ok(n.p50Us <= n.p99Us && n.p99Us <= n.p999Us! && n.p999Us! <= n.maxUs, JSON.stringify(n));
});

test('a recorder reads like one HDR histogram of every value, short ones counted apart or not', () => {
  // Latencies under 2048 µs are counted in an array and moved into the histogram when it is read.
  const prng = new Prng(seed);
  const rec = new LatencyRecorder();
  const plain = hdr.build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });
  for (let i = 0; i < 20_000; i++) {
    const us = prng.nextInt(10) === 0 ? 2000 + prng.nextInt(50_000) : prng.nextInt(2100);
    rec.recordUs(us);
    plain.recordValue(us);
  }
  assert.equal(rec.count, 20_000);
  const at = (p: number): number => Math.min(plain.getValueAtPercentile(p), plain.maxValue);
  const want = { count: 20_000, p50Us: at(50), p95Us: at(95), p99Us: at(99), p999Us: at(99.9), maxUs: plain.maxValue };
  const first = rec.summary();
  assert.deepEqual({ count: first.count, p50Us: first.p50Us, p95Us: first.p95Us, p99Us: first.p99Us, p999Us: first.p999Us, maxUs: first.maxUs }, want);
  // Reading again, and recording after a read, moves nothing twice.
  assert.deepEqual(rec.summary(), first);
  rec.recordUs(1);
  assert.equal(rec.summary().count, 20_001);
});

test("redis-benchmark's CSV is parsed into per-test figures in microseconds", () => {
  const csv =
    '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"\n' +
    '"SET","2877.70","3.366","0.416","2.487","9.671","12.159","19.903"\n' +
    '"GET","33333.34","0.175","0.024","0.167","0.295","0.399","0.711"\n';
  const [set, get] = parseCsv(csv, 2000);
  assert.equal(set!.phase, 'SET');
  assert.equal(set!.opsPerSec, 2877.7);
  assert.deepEqual(set!.latency, { count: 2000, meanUs: 3366, p50Us: 2487, p95Us: 9671, p99Us: 12159, maxUs: 19903 });
  assert.equal(get!.latency!.p99Us, 399);
  assert.throws(() => parseCsv('ERROR: connection refused\n', 10), /no results/);
});
