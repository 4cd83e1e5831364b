import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BlockBuilder, Block, BlockIterator } from './internals.js';
import type { InternalIterator } from './internals.js';
import { Random, testSeed } from '../../helpers/random.js';
import { checkIterator, compareEntries, modelGet, randomEntries, type ModelEntry } from './internal-model.js';

function build(entries: readonly ModelEntry[], restartInterval: number): Block {
  const builder = new BlockBuilder(restartInterval);
  for (const e of entries) builder.add(e.key, e.sequence, e.kind, e.value);
  return new Block(builder.finish(0), 'test.sst', 0);
}

/** A BlockIterator seen as an InternalIterator, to reuse the model checker. */
function asInternal(block: Block): InternalIterator {
  const it = new BlockIterator();
  it.reset(block);
  return {
    get valid() { return it.valid; },
    get key() { return it.key; },
    get sequence() { return it.sequence; },
    get kind() { return it.kind; },
    get value() { return it.value; },
    seekToFirst: () => it.seekToFirst(),
    seekToLast: () => it.seekToLast(),
    seek: (t) => it.seekGE(t, Number.MAX_SAFE_INTEGER),
    seekForPrev: (t) => {
      it.seekGE(t, -1);
      if (it.valid) it.prev();
      else it.seekToLast();
    },
    next: () => it.next(),
    prev: () => it.prev(),
    close: () => {},
  };
}

describe('data block', () => {
  for (const restartInterval of [1, 2, 16]) {
    test(`round trip and seeks with restart interval ${restartInterval} (randomised)`, () => {
      const rnd = new Random(testSeed(`block restart ${restartInterval}`));
      for (const count of [0, 1, 2, 15, 16, 17, 300]) {
        const entries = randomEntries(rnd, count, 12, rnd.pick([0, 10, 200]));
        checkIterator(asInternal(build(entries, restartInterval)), entries, rnd, 100);
      }
    });
  }

  for (const restartInterval of [1, 2, 16]) {
    test(`seekVersion answers a point lookup like the model, restart interval ${restartInterval} (randomised)`, () => {
      const rnd = new Random(testSeed(`block seekVersion ${restartInterval}`));
      // Keys over two letters share long prefixes and are prefixes of one another, also across restart
      // points (where an entry shares nothing with the key before it).
      const word = (): Buffer => Buffer.from(Array.from({ length: rnd.between(0, 9) }, () => rnd.pick(['a', 'b'])).join(''));
      for (const count of [0, 1, 17, 200]) {
        const keys = new Map<string, Buffer>();
        for (let i = 0; i < count * 3 && keys.size < count; i++) {
          const key = word();
          keys.set(key.toString(), key);
        }
        let sequence = 1;
        const entries: ModelEntry[] = [];
        for (const key of keys.values()) {
          for (let v = rnd.between(1, 3); v > 0; v--) {
            const kind = rnd.chance(0.2) ? 0 : 1;
            entries.push({ key, sequence: sequence++, kind, value: kind === 1 ? Buffer.from(rnd.bytes(rnd.between(0, 20))) : Buffer.alloc(0) });
          }
        }
        entries.sort(compareEntries);
        const block = build(entries, restartInterval);
        const it = new BlockIterator();
        it.reset(block);
        for (let n = 0; n < 400; n++) {
          const key = entries.length > 0 && rnd.chance(0.5) ? rnd.pick(entries).key : word();
          const snapshot = rnd.chance(0.3) ? Number.MAX_SAFE_INTEGER : rnd.int(sequence + 1);
          const want = modelGet(entries, key, snapshot);
          const got = it.seekVersion(key, snapshot) ? [it.sequence, it.kind, block.bytes.subarray(it.valueOffset, it.valueLimit).toString('hex')] : undefined;
          assert.deepEqual(got, want && [want.sequence, want.kind, want.value.toString('hex')], `${key} at ${snapshot}`);
        }
      }
    });
  }

  test('keys sharing long prefixes, empty keys and values, sequences beyond 2^32', () => {
    const prefix = 'p'.repeat(300);
    const entries: ModelEntry[] = [
      { key: Buffer.alloc(0), sequence: 2 ** 40, kind: 1, value: Buffer.alloc(0) },
      { key: Buffer.alloc(0), sequence: 3, kind: 0, value: Buffer.alloc(0) },
      ...Array.from({ length: 40 }, (_, i) => ({
        key: Buffer.from(prefix + String(i).padStart(3, '0')),
        sequence: Number.MAX_SAFE_INTEGER - 1 - i,
        kind: 1 as const,
        value: Buffer.alloc(i * 50, i),
      })),
    ];
    checkIterator(asInternal(build(entries, 16)), entries, new Random(1), 50);
  });

  test('sequences of every varint length, at the edges of each, with empty values up to the block end', () => {
    const sequences = [0, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 35, Number.MAX_SAFE_INTEGER - 1];
    const entries: ModelEntry[] = sequences.reverse().map((sequence) => ({ key: Buffer.from('k'), sequence, kind: 1 as const, value: Buffer.alloc(0) }));
    for (const restartInterval of [1, 16]) checkIterator(asInternal(build(entries, restartInterval)), entries, new Random(2), 50);
  });

  test('index-like blocks (a restart per entry) whose keys share a long prefix: seeks inside, before, after and within the prefix', () => {
    // 16-digit numbers share their first 10 digits; the restart heads skip that prefix. Two versions of
    // each key: equal heads, told apart by the sequence.
    const entries: ModelEntry[] = Array.from({ length: 400 }, (_, j) => ({
      key: Buffer.from(String(1000 + 3 * (j >> 1)).padStart(16, '0')),
      sequence: j % 2 === 0 ? 100 - ((j >> 1) % 7) : 50,
      kind: 1 as const,
      value: Buffer.from([j & 0xff]),
    }));
    const block = build(entries, 1);
    const it = new BlockIterator();
    it.reset(block);
    const targets = ['', '0', '000000000', '0000000000', '00000000000', '000000000010', '0000000000001000', '0000000000001001', '0000000000001003',
      '00000000000010010', '0000000000001597', '0000000000001598', '0000000000009999', '0000000001', '00000000000019', '1', '\xff'];
    for (const t of targets) {
      for (const sequence of [0, 50, 75, 96, 1000]) {
        const target = Buffer.from(t, 'latin1');
        const at = entries.findIndex((e) => Buffer.compare(e.key, target) > 0 || (e.key.equals(target) && e.sequence <= sequence));
        const want = entries[at];
        // Where a lookup finds its block: the entry number, without moving the cursor.
        assert.equal(it.restartAtOrAfter(target, sequence), at < 0 ? entries.length : at, `restartAtOrAfter ${t}@${sequence}`);
        it.seekGE(target, sequence);
        assert.equal(it.valid ? `${it.key.toString()}@${it.sequence}` : 'none', want ? `${want.key.toString()}@${want.sequence}` : 'none', `seek ${t}@${sequence}`);
        if (it.valid) assert.equal(it.restartIndex, at, `restartIndex after seek ${t}@${sequence}`);
      }
    }
  });

  test('a malformed restart array is reported as corruption', () => {
    const builder = new BlockBuilder(16);
    builder.add(Buffer.from('a'), 1, 1, Buffer.from('x'));
    const data = builder.finish(0);
    data.writeUInt32LE(1000, data.length - 4);
    assert.throws(() => new Block(data, 'f.sst', 77), /Corruption: f\.sst at offset 77: bad restart count/);
    assert.throws(() => new Block(Buffer.alloc(2), 'f.sst', 5), /Corruption: f\.sst at offset 5/);
    // Two entries, restarts [0, 8] rewritten as [8, 0] and as [0, 9999].
    const two = new BlockBuilder(1);
    two.add(Buffer.from('a'), 2, 1, Buffer.from('x'));
    two.add(Buffer.from('b'), 1, 1, Buffer.from('y'));
    const block = two.finish(0);
    const restarts = block.length - 12;
    const second = block.readUInt32LE(restarts + 4);
    for (const [r0, r1] of [[second, 0], [0, 9999], [second, second]]) {
      const bad = Buffer.from(block);
      bad.writeUInt32LE(r0!, restarts);
      bad.writeUInt32LE(r1!, restarts + 4);
      assert.throws(() => new Block(bad, 'f.sst', 9), /Corruption: f\.sst at offset 9: restart point/);
    }
  });
});
