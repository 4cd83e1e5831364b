import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BlockCache, BlockBuilder, Block } from './internals.js';

function block(valueSize: number): Block {
  const builder = new BlockBuilder(16);
  builder.add(Buffer.from('k'), 1, 1, Buffer.alloc(valueSize));
  return new Block(builder.finish(0), 't.sst', 0);
}

describe('block cache', () => {
  test('stays within its byte bound, evicting the least recently used', () => {
    const one = block(1000);
    const cache = new BlockCache(one.byteLength * 3);
    cache.set(1, 0, one);
    cache.set(1, 100, block(1000));
    cache.set(1, 200, block(1000));
    assert.ok(cache.get(1, 0)); // 0 is now the most recent; 100 the least
    cache.set(2, 0, block(1000));
    assert.equal(cache.get(1, 100), undefined);
    assert.ok(cache.get(1, 0) && cache.get(1, 200) && cache.get(2, 0));
    assert.ok(cache.bytes <= cache.capacity);
    const stats = cache.stats();
    assert.deepEqual([stats.blocks, stats.bytes, stats.capacity], [3, one.byteLength * 3, one.byteLength * 3]);
    assert.equal(stats.misses, 1);
    assert.equal(stats.hits, 4);
  });

  test('many inserts never exceed the bound; a block larger than the whole cache is not kept', () => {
    const cache = new BlockCache(50_000);
    for (let i = 0; i < 1000; i++) {
      cache.set(i % 7, i * 10, block(i % 3000));
      assert.ok(cache.bytes <= 50_000);
    }
    cache.set(9, 0, block(60_000));
    assert.equal(cache.get(9, 0), undefined);
    assert.ok(cache.bytes <= 50_000);
  });

  test('replacing a block and evicting a file keep the byte count exact', () => {
    const cache = new BlockCache(1 << 20);
    cache.set(1, 0, block(100));
    cache.set(1, 0, block(200));
    cache.set(1, 50, block(300));
    cache.set(2, 0, block(400));
    const two = block(400).byteLength;
    assert.equal(cache.bytes, block(200).byteLength + block(300).byteLength + two);
    cache.evictFile(1);
    assert.equal(cache.bytes, two);
    assert.equal(cache.get(1, 0), undefined);
    assert.equal(cache.get(1, 50), undefined);
    assert.ok(cache.get(2, 0));
    cache.evictFile(2);
    cache.evictFile(3);
    assert.equal(cache.bytes, 0);
    assert.equal(cache.stats().blocks, 0);
  });
});
