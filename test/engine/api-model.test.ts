// Randomised model test: random writes, reads, iterations, snapshots, flushes and reopens, every answer
// checked against a bytewise-sorted in-memory map. Small memtables make flushes to SSTables frequent, so
// reads cross memtables and tables. Each seed is a test named by its seed (STRATA_SEED=n replays one,
// STRATA_SEEDS=n runs more).

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { open, MemoryFileSystem, type Db, type OpenOptions, type Snapshot } from '@strata/engine';
import { Random, testSeeds } from '../helpers/random.js';
import { SortedModel, hex, type Range } from '../helpers/sorted-model.js';
import { tempDir } from '../helpers/temp-dir.js';

const OPS_PER_SEED = 700;

/** Keys from a small alphabet with edge bytes, so that prefixes, collisions and 0x00/0xff all occur. */
function newKey(random: Random): Uint8Array {
  if (random.chance(0.01)) return new Uint8Array(0);
  const alphabet = [0x00, 0x01, 0x61, 0x62, 0x63, 0x7f, 0xfe, 0xff];
  return Uint8Array.from({ length: random.between(1, 5) }, () => random.pick(alphabet));
}

function newValue(random: Random): Uint8Array {
  // Now and then a value larger than a block.
  return random.bytes(random.chance(0.04) ? random.between(1000, 6000) : random.between(0, 100));
}

function randomRange(random: Random, key: () => Uint8Array): Range {
  const range: Range = { reverse: random.chance(0.5) };
  const low = random.int(3);
  if (low === 1) range.gt = key();
  if (low === 2) range.gte = key();
  const high = random.int(3);
  if (high === 1) range.lt = key();
  if (high === 2) range.lte = key();
  return range;
}

const show = (entries: Array<[Uint8Array, Uint8Array]>): string[] =>
  entries.map(([k, v]) => `${hex(k)}=${v.length > 8 ? `${hex(v.subarray(0, 8))}..(${v.length})` : hex(v)}`);

const describeRange = (r: Range): string =>
  JSON.stringify(r, (_k, v: unknown) => (v instanceof Uint8Array ? hex(v) : v));

/** One seed's run: a random sequence of operations, each checked against the model. */
async function run(seed: number): Promise<void> {
  const random = new Random(seed);
  const options: OpenOptions = {
    // Not 'everysec': reads wait until what they show is durable, up to a second each.
    fsync: random.pick(['always', 'no'] as const),
    memtableSize: random.pick([4, 8, 16, 32, 64]) * 1024,
    blockSize: random.pick([256, 1024, 4096]),
    bloomBitsPerKey: random.pick([0, 10]),
    fs: new MemoryFileSystem(),
  };
  await runWith(random, '/db', options);
}

async function runWith(random: Random, dir: string, options: OpenOptions): Promise<void> {
  const model = new SortedModel();
  const used: Uint8Array[] = [];
  const key = (): Uint8Array => (used.length > 0 && random.chance(0.7) ? random.pick(used) : newKey(random));
  const snapshots: Array<{ snapshot: Snapshot; model: SortedModel }> = [];
  let db: Db = await open(dir, options);
  let step = 0;
  const where = (what: string): string => `op #${step} ${what}`;

  const put = async (k: Uint8Array, v: Uint8Array): Promise<void> => {
    used.push(k);
    model.put(k, v);
    await db.put(k, v);
  };

  const checkGet = async (k: Uint8Array, at?: { snapshot: Snapshot; model: SortedModel }): Promise<void> => {
    const expected = (at?.model ?? model).get(k);
    const opts = at === undefined ? undefined : { snapshot: at.snapshot };
    const text = (v: Uint8Array | undefined): string | undefined => (v === undefined ? undefined : hex(v));
    assert.equal(text(await db.get(k, opts)), text(expected), where(`get ${hex(k)}${at ? ' at snapshot' : ''}`));
    assert.equal(text(db.getSync(k, opts)), text(expected), where(`getSync ${hex(k)}${at ? ' at snapshot' : ''}`));
  };

  /** Async iterator over a random range; sometimes writes in the middle (the iterator must not see them)
   *  or stops early (break must release it). */
  const checkIterator = async (at?: { snapshot: Snapshot; model: SortedModel }): Promise<void> => {
    const range = randomRange(random, key);
    const expected = (at?.model ?? model).range(range);
    const iterator = db.iterator(at === undefined ? range : { ...range, snapshot: at.snapshot });
    const limit = random.chance(0.3) ? random.int(expected.length + 1) : Infinity;
    const writeAt = random.chance(0.3) ? random.int(expected.length + 1) : -1;
    const got: Array<[Uint8Array, Uint8Array]> = [];
    if (writeAt === 0) await put(key(), newValue(random));
    for await (const entry of iterator) {
      if (got.length >= limit) break;
      got.push(entry);
      if (got.length === writeAt) await put(key(), newValue(random));
    }
    const want = expected.slice(0, limit);
    const label = `iterator ${describeRange(range)}${at ? ` at snapshot ${at.snapshot.sequence}` : ''}`;
    assert.deepEqual(show(got), show(want), where(`${label}${writeAt >= 0 ? `, put after entry ${writeAt}` : ''}`));
  };

  /** Synchronous cursor over a random range, with seeks. */
  const checkCursor = (at?: { snapshot: Snapshot; model: SortedModel }): void => {
    const range = randomRange(random, key);
    let expected = (at?.model ?? model).range(range);
    const cursor = db.cursor(at === undefined ? range : { ...range, snapshot: at.snapshot });
    try {
      let label = `cursor ${describeRange(range)}${at ? ` at snapshot ${at.snapshot.sequence}` : ''}`;
      for (let moves = 0; ; moves++) {
        if (random.chance(0.05)) {
          const target = key();
          label += ` seek ${hex(target)}`;
          cursor.seek(target);
          const all = (at?.model ?? model).range(range);
          const sign = range.reverse === true ? -1 : 1;
          expected = all.filter(([k]) => sign * Buffer.compare(k, target) >= 0);
        }
        const want = expected[0];
        if (want === undefined) {
          assert.equal(cursor.valid, false, where(`${label} after ${moves} moves: expected the end`));
          return;
        }
        assert.equal(cursor.valid, true, where(`${label} after ${moves} moves: expected ${show([want])}`));
        assert.deepEqual(show([[cursor.key, cursor.value]]), show([want]), where(`${label} after ${moves} moves`));
        expected = expected.slice(1);
        cursor.next();
      }
    } finally {
      cursor.close();
    }
  };

  try {
    for (step = 0; step < OPS_PER_SEED; step++) {
      const roll = random.next();
      if (roll < 0.3) {
        await put(key(), newValue(random));
      } else if (roll < 0.38) {
        const k = key();
        model.del(k);
        await db.del(k);
      } else if (roll < 0.45) {
        const ops = Array.from({ length: random.between(1, 10) }, () =>
          random.chance(0.75)
            ? { type: 'put' as const, key: key(), value: newValue(random) }
            : { type: 'del' as const, key: key() },
        );
        for (const op of ops) {
          if (op.type === 'put') {
            used.push(op.key);
            model.put(op.key, op.value);
          } else {
            model.del(op.key);
          }
        }
        await db.write(ops);
      } else if (roll < 0.49) {
        // Concurrent writers on distinct keys.
        const burst = new Map<string, Uint8Array>();
        for (let i = random.between(2, 16); i > 0; i--) {
          const k = key();
          burst.set(hex(k), k);
        }
        await Promise.all([...burst.values()].map((k) => put(k, newValue(random))));
      } else if (roll < 0.64) {
        await checkGet(key());
      } else if (roll < 0.72) {
        await checkIterator();
      } else if (roll < 0.8) {
        checkCursor();
      } else if (roll < 0.84) {
        snapshots.push({ snapshot: db.snapshot(), model: model.clone() });
      } else if (roll < 0.92 && snapshots.length > 0) {
        const at = random.pick(snapshots);
        const kind = random.int(3);
        if (kind === 0) await checkGet(key(), at);
        else if (kind === 1) await checkIterator(at);
        else checkCursor(at);
      } else if (roll < 0.95 && snapshots.length > 0) {
        const [released] = snapshots.splice(random.int(snapshots.length), 1);
        if (released) db.release(released.snapshot);
      } else if (roll < 0.98) {
        await db.flush();
      } else {
        snapshots.length = 0;
        await db.close();
        db = await open(dir, options);
      }
    }
    // Everything, once more, after a reopen.
    await db.close();
    db = await open(dir, options);
    const all: Array<[Uint8Array, Uint8Array]> = [];
    for await (const entry of db.iterator()) all.push(entry);
    assert.deepEqual(show(all), show(model.range()), 'full scan after the last reopen');
  } finally {
    await db.close();
  }
}

describe('engine model test', () => {
  for (const seed of testSeeds('api-model', 20)) {
    test(`seed ${seed}`, () => run(seed));
  }

  test('on real files', async (t) => {
    const [seed] = testSeeds('api-model disk', 1);
    const random = new Random(seed as number);
    await runWith(random, tempDir(t), { memtableSize: 16 * 1024, blockSize: 1024 });
  });
});
