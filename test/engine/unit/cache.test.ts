import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BlockCache, BlockBuilder, Block, BlockIterator } from './internals.js';

function block(valueSize: number, fill = 0): Block {
  const builder = new BlockBuilder(16);
  builder.add(Buffer.from('k'), 1, 1, Buffer.alloc(valueSize, fill));
  return new Block(builder.finish(0), 't.sst', 0);
}

/** A block read the way a table reads one for the cache: into memory the cache allocated. */
function slabBlock(cache: InstanceType<typeof BlockCache>, valueSize: number, fill: number): Block {
  const contents = block(valueSize, fill).data;
  const into = cache.allocate(contents.length);
  contents.copy(into);
  return new Block(into, 't.sst', 0);
}

describe('block cache', () => {
  test('stays within its byte bound, evicting the least recently used', () => {
    const one = block(1000);
    const cache = new BlockCache(one.byteLength * 3);
    const [f1, f2] = [cache.blocksOf(1, 3), cache.blocksOf(2, 1)];
    cache.set(f1, 0, one);
    cache.set(f1, 1, block(1000));
    cache.set(f1, 2, block(1000));
    assert.ok(cache.get(f1, 0)); // 0 is now the most recent; 1 the least
    cache.set(f2, 0, block(1000));
    assert.equal(cache.get(f1, 1), undefined);
    assert.ok(cache.get(f1, 0) && cache.get(f1, 2) && cache.get(f2, 0));
    assert.ok(cache.bytes <= cache.capacity);
    const stats = cache.stats();
    assert.deepEqual([stats.blocks, stats.bytes, stats.capacity], [3, one.byteLength * 3, one.byteLength * 3]);
    assert.equal(stats.misses, 1);
    assert.equal(stats.hits, 4);
  });

  test('many inserts never exceed the bound; a block larger than the whole cache is not kept', () => {
    const cache = new BlockCache(50_000);
    for (let i = 0; i < 1000; i++) {
      cache.set(cache.blocksOf(i % 7, 1000), i, block(i % 3000));
      assert.ok(cache.bytes <= 50_000);
    }
    const nine = cache.blocksOf(9, 1);
    cache.set(nine, 0, block(60_000));
    assert.equal(cache.get(nine, 0), undefined);
    assert.ok(cache.bytes <= 50_000);
  });

  test('replacing a block and evicting a file keep the byte count exact', () => {
    const cache = new BlockCache(1 << 20);
    const [f1, f2] = [cache.blocksOf(1, 2), cache.blocksOf(2, 1)];
    cache.set(f1, 0, block(100));
    cache.set(f1, 0, block(200));
    cache.set(f1, 1, block(300));
    cache.set(f2, 0, block(400));
    const two = block(400).byteLength;
    assert.equal(cache.bytes, block(200).byteLength + block(300).byteLength + two);
    cache.evictFile(1);
    assert.equal(cache.bytes, two);
    assert.equal(cache.get(f1, 0), undefined);
    assert.equal(cache.get(f1, 1), undefined);
    assert.ok(cache.get(f2, 0));
    assert.ok(cache.blocksOf(1, 2) !== f1, 'an evicted file gets new slots');
    cache.evictFile(2);
    cache.evictFile(3);
    assert.equal(cache.bytes, 0);
    assert.equal(cache.stats().blocks, 0);
  });

  test('blocks cut from one slab share one Buffer, and each reads as its own contents', () => {
    const cache = new BlockCache(1 << 20);
    const [one, two] = [slabBlock(cache, 10, 1), slabBlock(cache, 20, 2)];
    assert.equal(one.bytes, two.bytes);
    assert.ok(two.start > one.start);
    const cursor = new BlockIterator();
    for (const [b, length, fill] of [[one, 10, 1], [two, 20, 2]] as const) {
      cursor.reset(b);
      cursor.seekToFirst();
      assert.ok(cursor.valid && cursor.value.equals(Buffer.alloc(length, fill)));
      cursor.next();
      assert.equal(cursor.valid, false);
    }
  });

  test('blocks cut from slabs: the bound holds, blocks read since they entered survive their slab, views stay intact', () => {
    const capacity = 1 << 20; // slabs of 64 KiB
    const cache = new BlockCache(capacity);
    const file = cache.blocksOf(1, 3000);
    const first = slabBlock(cache, 1000, 0);
    cache.set(file, 0, first);
    assert.equal(first.data.buffer.byteLength, capacity / 16, 'cut from a slab');
    const view = first.data.subarray(0, 100);
    const kept = new Set<number>();
    for (let i = 1; i < 3000; i++) {
      // Block i holds bytes i & 0xff.
      cache.set(file, i, slabBlock(cache, 1000, i & 0xff));
      // Keep reading a few blocks: they must outlive the slabs they were read into.
      for (const k of [0, 1, 2]) if (cache.get(file, k) !== undefined && i < 40) kept.add(k);
      cache.get(file, 0);
      cache.get(file, 1);
      cache.get(file, 2);
      assert.ok(cache.bytes <= capacity, `bytes ${cache.bytes} after ${i} blocks`);
    }
    assert.deepEqual([...kept].sort((a, b) => a - b), [0, 1, 2]);
    for (const k of kept) {
      const b = cache.get(file, k)!;
      assert.ok(b, `block ${k} still cached`);
      assert.ok(b.data.equals(block(1000, k).data), `block ${k} has its bytes after moving`);
    }
    assert.ok(cache.get(file, 100) === undefined, 'an old block not read again is gone');
    assert.ok(view.every((byte, i) => byte === first.data[i]), 'a view on an evicted slab is unchanged');
    const blocks = cache.stats().blocks;
    assert.ok(blocks > 500 && blocks < 1100, `${blocks} blocks of ~1 KiB in 1 MiB`);
    assert.equal(file.entries.filter((entry) => entry !== undefined).length, blocks, 'evicted blocks leave their slots');
    cache.evictFile(1);
    assert.equal(cache.stats().blocks, 0);
    assert.ok(file.entries.every((entry) => entry === undefined), 'no slot still holds an evicted block');
    assert.ok(cache.bytes <= capacity);
  });
});
