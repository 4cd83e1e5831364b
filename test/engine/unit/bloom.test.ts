import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BloomFilter, BloomFilterBuilder } from './internals.js';

function filterOf(keys: number, bitsPerKey: number): BloomFilter {
  const builder = new BloomFilterBuilder(bitsPerKey);
  for (let i = 0; i < keys; i++) builder.addKey(Buffer.from(`key-${i}`));
  return BloomFilter.parse(builder.finish())!;
}

function falsePositiveRate(filter: BloomFilter, probes: number): number {
  let hits = 0;
  for (let i = 0; i < probes; i++) if (filter.mayContain(Buffer.from(`absent-${i}`))) hits++;
  return hits / probes;
}

describe('bloom filter', () => {
  test('never denies a key that was added', () => {
    for (const n of [1, 10, 1000, 20000]) {
      const filter = filterOf(n, 10);
      for (let i = 0; i < n; i++) assert.ok(filter.mayContain(Buffer.from(`key-${i}`)), `key-${i} of ${n}`);
    }
  });

  test('false-positive rate is roughly as configured', () => {
    const ten = falsePositiveRate(filterOf(20000, 10), 20000);
    assert.ok(ten > 0.002 && ten < 0.025, `10 bits/key gave ${ten}`);
    const five = falsePositiveRate(filterOf(20000, 5), 20000);
    assert.ok(five > ten && five < 0.15, `5 bits/key gave ${five}`);
    const twenty = falsePositiveRate(filterOf(20000, 20), 20000);
    assert.ok(twenty < 0.002, `20 bits/key gave ${twenty}`);
  });

  test('takes bitsPerKey bits per key in whole 64-byte lines; rejects malformed contents', () => {
    const filter = filterOf(8000, 10);
    assert.equal(filter.byteLength, 157 * 64 + 1); // 80,000 bits round up to 157 lines of 512
    assert.equal(filterOf(1, 10).byteLength, 65);
    assert.equal(BloomFilter.parse(Buffer.from([0xff])), undefined);
    assert.equal(BloomFilter.parse(Buffer.from([0xff, 0xff, 0])), undefined);
    assert.equal(BloomFilter.parse(Buffer.from([0xff, 0xff, 31])), undefined);
    assert.equal(BloomFilter.parse(Buffer.alloc(65, 0)), undefined); // zero probes
    assert.equal(BloomFilter.parse(Buffer.alloc(66, 1)), undefined); // not whole lines
    assert.ok(BloomFilter.parse(Buffer.alloc(65, 1)) !== undefined);
  });
});
