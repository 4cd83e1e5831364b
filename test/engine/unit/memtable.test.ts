import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemTable } from './internals.js';
import { Random, testSeed } from '../../helpers/random.js';
import { checkIterator, compareEntries, modelGet, randomEntries, type ModelEntry } from './internal-model.js';

const VALUE = 1;
const DELETION = 0;
const b = (s: string): Buffer => Buffer.from(s);

/** m.get(key, snapshot) answers as the model (entries in internal order) does. */
function assertGetLikeModel(m: InstanceType<typeof MemTable>, entries: readonly ModelEntry[], key: Buffer, snapshot: number): void {
  const want = modelGet(entries, key, snapshot);
  const got = m.get(key, snapshot);
  assert.deepEqual(
    got && [got.sequence, got.kind, got.value.toString('hex')],
    want && [want.sequence, want.kind, want.value.toString('hex')],
    `get ${key.toString('hex')} at ${snapshot}`,
  );
}

describe('MemTable', () => {
  test('get sees the newest version at or below the snapshot, tombstones included', () => {
    const m = new MemTable();
    m.add(1, VALUE, b('k'), b('v1'));
    m.add(5, VALUE, b('k'), b('v5'));
    m.add(7, DELETION, b('k'), b(''));
    m.add(3, VALUE, b('j'), b('j3'));
    assert.equal(m.get(b('k'), 0), undefined);
    const found = m.get(b('k'), 4)!;
    assert.deepEqual({ kind: found.kind, value: found.value.toString(), sequence: found.sequence }, { kind: VALUE, value: 'v1', sequence: 1 });
    assert.equal(found.copyValue().toString(), 'v1');
    assert.equal(m.get(b('k'), 6)!.value.toString(), 'v5');
    assert.equal(m.get(b('k'), 7)!.kind, DELETION);
    assert.equal(m.get(b('k'), 100)!.sequence, 7);
    assert.equal(m.get(b('ka'), 100), undefined);
    assert.equal(m.get(b(''), 100), undefined);
    assert.equal(m.get(b('j'), 2), undefined);
    assert.equal(m.entries, 4);
  });

  test('copies keys and values out of the caller buffers', () => {
    const m = new MemTable();
    const chunk = Buffer.from('keyvalue');
    m.add(1, VALUE, chunk.subarray(0, 3), chunk.subarray(3));
    chunk.fill(0);
    assert.equal(m.get(b('key'), 1)!.value.toString(), 'value');
    const it = m.iterator();
    it.seekToFirst();
    assert.equal(it.key.toString(), 'key');
    // Plain Uint8Arrays (not Buffers) work as keys and values too.
    m.add(2, VALUE, new Uint8Array([1, 2, 3]), new Uint8Array([9]));
    assert.deepEqual([...m.get(new Uint8Array([1, 2, 3]), 2)!.value], [9]);
  });

  test('empty keys, empty values, values larger than a slab, and accounting', () => {
    const m = new MemTable();
    const big = Buffer.alloc(300_000, 7);
    m.add(1, VALUE, b(''), b(''));
    m.add(2, VALUE, b('big'), big);
    m.add(3, VALUE, Buffer.from([0xff, 0x00]), b('x'));
    assert.equal(m.get(b(''), 9)!.value.length, 0);
    assert.ok(m.get(b('big'), 9)!.value.equals(big));
    assert.equal(m.get(Buffer.from([0xff, 0x00]), 9)!.value.toString(), 'x');
    assert.equal(m.entries, 3);
    assert.ok(m.approximateBytes >= 300_000 + 3 + 2 + 1 + 3 * 32);
  });

  test('the same (key, sequence) added twice keeps the later value; long keys split nodes correctly', () => {
    const m = new MemTable();
    m.add(5, VALUE, b('k'), b('first'));
    m.add(5, VALUE, b('k'), b('second'));
    assert.equal(m.entries, 1);
    assert.equal(m.get(b('k'), 5)!.value.toString(), 'second');

    const rnd = new Random(testSeed('memtable long keys'));
    const keys = Array.from({ length: 400 }, (_, i) => Buffer.concat([Buffer.from(rnd.bytes(rnd.between(0, 1500))), Buffer.from([i >> 8, i & 255])]));
    keys.forEach((key, i) => m.add(10 + i, VALUE, key, Buffer.from(String(i))));
    keys.forEach((key, i) => assert.equal(m.get(key, 1e9)!.value.toString(), String(i)));
    const sorted = keys.slice().sort(Buffer.compare);
    const it = m.iterator();
    it.seek(sorted[0]!);
    for (const key of sorted) {
      if (it.key.equals(b('k'))) it.next(); // the one short key sorts somewhere among the long ones
      assert.ok(it.key.equals(key));
      it.next();
    }
  });

  test('matches a sorted model: gets at snapshots and iterators both ways (randomised)', () => {
    const rnd = new Random(testSeed('memtable model'));
    const entries = randomEntries(rnd, 1500, 8, 40);
    const m = new MemTable();
    // Insert in random order: the tree must sort.
    const shuffled = entries.slice();
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rnd.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    for (const e of shuffled) m.add(e.sequence, e.kind, e.key, e.value);
    assert.equal(m.entries, entries.length);
    for (let n = 0; n < 1000; n++) {
      const key = rnd.chance(0.8) ? rnd.pick(entries).key : Buffer.from(rnd.bytes(4));
      const snapshot = rnd.int(entries.length + 2);
      assertGetLikeModel(m, entries, key, snapshot);
    }
    checkIterator(m.iterator(), entries, rnd, 300);
  });

  test('keys sharing long prefixes, ending in zero bytes, around the 12 bytes compared as numbers (randomised)', () => {
    const rnd = new Random(testSeed('memtable prefixes'));
    // A three-letter alphabet with 0x00 makes "ab" and "ab\0" both common, and lengths 0..20 straddle the
    // 6- and 12-byte boundaries of the numeric heads.
    const alphabet = [0x00, 0x01, 0xff];
    const keyOf = (): Buffer => {
      const length = rnd.between(0, 20);
      const key = Buffer.alloc(length, 0x01);
      for (let i = rnd.between(0, length); i < length; i++) key[i] = rnd.pick(alphabet);
      return key;
    };
    const entries: ModelEntry[] = [];
    for (let sequence = 1; sequence <= 3000; sequence++) entries.push({ key: keyOf(), sequence, kind: VALUE, value: b(`v${sequence}`) });
    const m = new MemTable();
    for (const e of entries) m.add(e.sequence, e.kind, e.key, e.value);
    entries.sort(compareEntries);
    for (let n = 0; n < 1000; n++) {
      const key = rnd.chance(0.5) ? rnd.pick(entries).key : keyOf();
      const want = modelGet(entries, key, 3000);
      assert.equal(m.get(key, 3000)?.sequence, want?.sequence, `get ${key.toString('hex')}`);
    }
    checkIterator(m.iterator(), entries, rnd, 300);
  });

  test('addFrom inserts ranges of a buffer: keys are copied, values stay views on it', () => {
    const m = new MemTable();
    const data = Buffer.from('xxkey1value1key2');
    m.addFrom(7, VALUE, data, 2, 6, 6, 12);
    m.addFrom(8, DELETION, data, 12, 16, 16, 16);
    const hit = m.get(b('key1'), 9)!;
    assert.deepEqual([hit.kind, hit.sequence, hit.value.toString()], [VALUE, 7, 'value1']);
    assert.equal(hit.value.buffer, data.buffer);
    assert.deepEqual([m.get(b('key2'), 9)!.kind, m.get(b('key2'), 9)!.value.length], [DELETION, 0]);
    data.write('KEY1', 2);
    assert.equal(m.get(b('key1'), 9)!.value.toString(), 'value1');
    assert.equal(m.get(b('KEY1'), 9), undefined);
  });

  test('ascending inserts (the append path, append splits up the right edge) interleaved with older versions, then random ones, keep the order', () => {
    const rnd = new Random(testSeed('memtable ascending'));
    const m = new MemTable();
    const model: ModelEntry[] = [];
    // Enough entries for full leaves to fill several inner nodes (64 x 64 entries each).
    for (let i = 0; i < 20_000; i++) {
      const key = Buffer.from(String(i).padStart(6, '0'));
      // Mostly ascending keys; now and then an older version of a recent key (sorts after its newer one).
      const older = i > 0 && rnd.chance(0.1);
      const e: ModelEntry = older
        ? { key: model.at(-1)!.key, sequence: model.at(-1)!.sequence - 1, kind: VALUE, value: b('old') }
        : { key, sequence: 10 * (i + 1), kind: VALUE, value: b(String(i)) };
      m.add(e.sequence, e.kind, e.key, e.value);
      model.push(e);
    }
    // Then keys between them: inserts into the full leaves and inner nodes the append splits left.
    for (let i = 0; i < 3000; i++) {
      const e: ModelEntry = { key: Buffer.from(`${String(rnd.int(20_000)).padStart(6, '0')}x`), sequence: 1e6 + i, kind: VALUE, value: b(`r${i}`) };
      m.add(e.sequence, e.kind, e.key, e.value);
      model.push(e);
    }
    model.sort(compareEntries);
    assert.equal(m.entries, model.length);
    for (let n = 0; n < 2000; n++) {
      const key = rnd.pick(model).key;
      assert.equal(m.get(key, 1e9)?.sequence, modelGet(model, key, 1e9)?.sequence, `get ${key.toString()}`);
    }
    checkIterator(m.iterator(), model, rnd, 100);
  });

  test('an iterator stays correct while entries are added behind and ahead of it (randomised)', () => {
    const rnd = new Random(testSeed('memtable iterator under inserts'));
    const m = new MemTable();
    const model: ModelEntry[] = [];
    let sequence = 0;
    const addRandom = (): void => {
      const key = Buffer.from(rnd.bytes(rnd.between(1, 3)));
      const e: ModelEntry = { key, sequence: ++sequence, kind: VALUE, value: b(String(sequence)) };
      m.add(e.sequence, e.kind, e.key, e.value);
      model.push(e);
    };
    for (let i = 0; i < 500; i++) addRandom();
    const it = m.iterator();
    it.seekToFirst();
    let previous: { key: Buffer; sequence: number } | undefined;
    let steps = 0;
    // Walk forward while inserting many entries (which split leaves); the walk must stay in order and
    // must visit every entry that existed when it started.
    const initial = model.slice().sort(compareEntries);
    const seen = new Set<number>();
    while (it.valid) {
      const here = { key: Buffer.from(it.key), sequence: it.sequence };
      if (previous) assert.ok(compareEntries(previous, here) < 0, 'iterator went out of order');
      previous = here;
      seen.add(it.sequence);
      for (let i = 0; i < 3; i++) addRandom();
      it.next();
      steps++;
    }
    for (const e of initial) assert.ok(seen.has(e.sequence), `entry ${e.sequence} was skipped`);
    // And backwards.
    it.seekToLast();
    previous = undefined;
    while (it.valid) {
      const here = { key: Buffer.from(it.key), sequence: it.sequence };
      if (previous) assert.ok(compareEntries(here, previous) < 0, 'reverse iterator went out of order');
      previous = here;
      addRandom();
      it.prev();
    }
    assert.ok(steps >= initial.length);
  });

  test('a key written over and over keeps one entry, unless a snapshot may read an older version', () => {
    const m = new MemTable();
    for (let seq = 1; seq <= 1000; seq++) m.add(seq, VALUE, b('hot'), b(`v${seq}`), -1);
    assert.equal(m.entries, 1);
    assert.equal(m.get(b('hot'), 1000)!.value.toString(), 'v1000');
    assert.equal(m.get(b('hot'), 999), undefined, 'the older versions are gone');
    // A snapshot at 1500 sees the version written at 1500: it stays, the versions after it fold into one.
    for (let seq = 1001; seq <= 2000; seq++) m.add(seq, seq % 7 === 0 ? DELETION : VALUE, b('hot'), b(`v${seq}`), seq > 1500 ? 1500 : -1);
    assert.equal(m.entries, 2);
    assert.equal(m.get(b('hot'), 1500)!.value.toString(), 'v1500');
    assert.equal(m.get(b('hot'), 2000)!.value.toString(), 'v2000');
    assert.equal(m.get(b('hot'), 1999)!.sequence, 1500);
  });

  test('no version is overwritten while an iterator is open (it may stand on one no snapshot sees)', () => {
    const m = new MemTable();
    m.add(1, VALUE, b('b'), b('b1'), -1);
    m.add(2, VALUE, b('b'), b('b2'), 1); // a snapshot at 1 keeps b1
    const it = m.iterator();
    it.seekToFirst();
    assert.equal(it.sequence, 2);
    m.add(3, VALUE, b('b'), b('b3'), 1); // b2 is invisible to the snapshot, but the iterator stands on it
    assert.equal(m.entries, 3);
    it.next();
    assert.deepEqual([it.valid, it.sequence, it.value.toString()], [true, 1, 'b1'], 'the iterator goes on from where it stood');
    it.close();
    it.close(); // counts once
    m.add(4, VALUE, b('b'), b('b4'), 1);
    assert.equal(m.entries, 3, 'closed: b3 is overwritten');
    assert.equal(m.get(b('b'), 4)!.value.toString(), 'b4');
    assert.equal(m.get(b('b'), 1)!.value.toString(), 'b1');
  });

  test('overwrites under changing snapshots answer every live snapshot like the full history (randomised)', () => {
    const rnd = new Random(testSeed('memtable overwrite'));
    const m = new MemTable();
    const model: ModelEntry[] = [];
    const hot = Array.from({ length: 6 }, (_, i) => Buffer.from(`hot-${i}`));
    const cold = Array.from({ length: 3000 }, () => Buffer.from(rnd.bytes(rnd.between(1, 16))));
    let live: number[] = [];
    const check = (seq: number): void => {
      const sorted = model.slice().sort(compareEntries);
      for (const at of [...live, seq]) {
        for (const key of [...hot, ...Array.from({ length: 200 }, () => rnd.pick(cold))]) {
          assertGetLikeModel(m, sorted, key, at);
        }
      }
    };
    let seq = 0;
    for (let n = 0; n < 30_000; n++) {
      if (rnd.chance(0.002)) live.push(seq);
      if (live.length > 0 && rnd.chance(0.002)) live = live.filter((s) => s !== rnd.pick(live));
      const key = rnd.chance(0.6) ? rnd.pick(hot) : rnd.pick(cold);
      const entry = { key, sequence: ++seq, kind: rnd.chance(0.1) ? DELETION : VALUE, value: Buffer.from(rnd.bytes(rnd.int(20))) };
      if (entry.kind === DELETION) entry.value = Buffer.alloc(0);
      m.add(entry.sequence, entry.kind, entry.key, entry.value, live.length > 0 ? Math.max(...live) : -1);
      model.push(entry);
      if (n % 5000 === 4999) check(seq);
    }
    check(seq);
    assert.ok(m.entries < model.length / 2, `${m.entries} entries for ${model.length} writes`);
  });
});
