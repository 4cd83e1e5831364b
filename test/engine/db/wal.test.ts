// The write-ahead log through the public API on the simulated file system: every kind of torn tail is cut
// at the last whole record and the store goes on appending cleanly; damage that is not a tail refuses to
// open; group commit coalesces concurrent writers; a failed write or sync stops all further writes.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem, open, StrataError, type Db } from '@strata/engine';
import { files, frameRecord, readAll, RECORD_HEADER_SIZE, recordOffsets, writeAll } from './fs-bytes.js';

const DIR = '/db';
const KEYS = 10;
const key = (i: number): Buffer => Buffer.from(`key-${String(i).padStart(3, '0')}`);
const value = (i: number): Buffer => Buffer.from(`value-${i}-${'x'.repeat(i * 7)}`);

/** What a crash leaves of a store whose only WAL holds KEYS records, one per acknowledged put (a clean
 *  close would flush them to a table); returns that image and the WAL's path. */
async function storeWithWal(): Promise<{ fs: MemoryFileSystem; wal: string }> {
  const live = new MemoryFileSystem();
  const db = await open(DIR, { fs: live });
  for (let i = 0; i < KEYS; i++) await db.put(key(i), value(i));
  const fs = live.crash();
  await db.close();
  const wals = files(fs, DIR, /\.wal$/);
  assert.equal(wals.length, 1, `one WAL expected, found ${wals.join(' ')}`);
  return { fs, wal: `${DIR}/${wals[0]}` };
}

async function presentKeys(db: Db): Promise<number> {
  let n = 0;
  for (let i = 0; i < KEYS; i++) {
    const got = await db.get(key(i));
    if (got === undefined) break;
    assert.deepEqual(Buffer.from(got), value(i), `value of ${key(i)}`);
    n++;
  }
  for (let i = n; i < KEYS; i++) assert.equal(await db.get(key(i)), undefined, `${key(i)} after the cut`);
  return n;
}

/** Opens, checks `kept` records survive and `dropped` bytes were cut, writes, reopens: the write is there. */
async function expectCut(fs: MemoryFileSystem, kept: number, dropped: number): Promise<void> {
  let db = await open(DIR, { fs });
  assert.equal(await presentKeys(db), kept);
  assert.equal(db.stats().walTailBytesDropped, dropped);
  assert.equal(db.stats().recoveredRecords, kept);
  await db.put(Buffer.from('after'), Buffer.from('cut'));
  await db.close();
  db = await open(DIR, { fs });
  try {
    assert.equal(db.stats().walTailBytesDropped, 0, 'appends after the cut are whole');
    assert.equal(await presentKeys(db), kept);
    assert.deepEqual(Buffer.from((await db.get(Buffer.from('after'))) ?? []), Buffer.from('cut'));
  } finally {
    await db.close();
  }
}

describe('WAL torn tails', () => {
  const cases: Array<[string, (wal: Buffer, last: number) => Buffer, number]> = [
    ['cut inside the last header', (w, last) => w.subarray(0, last + 5), KEYS - 1],
    ['cut right after the last header', (w, last) => w.subarray(0, last + RECORD_HEADER_SIZE), KEYS - 1],
    ['cut inside the last payload', (w) => w.subarray(0, w.length - 3), KEYS - 1],
    ['last payload byte flipped', (w) => flipAt(w, w.length - 1), KEYS - 1],
    ['last length field flipped', (w, last) => flipAt(w, last + 4), KEYS - 1],
    ['last tail zeroed (a preallocated sector)', (w) => Buffer.concat([w.subarray(0, w.length - 20), Buffer.alloc(20)]), KEYS - 1],
    ['zeros after the last record', (w) => Buffer.concat([w, Buffer.alloc(64)]), KEYS],
    ['garbage after the last record', (w) => Buffer.concat([w, Buffer.from('torn garbage that is no record')]), KEYS],
    ['everything torn', (w) => flipAt(w.subarray(0, 4), 0), 0],
  ];
  for (const [name, damage, kept] of cases) {
    test(name, async () => {
      const { fs, wal } = await storeWithWal();
      const bytes = readAll(fs, wal);
      const offsets = recordOffsets(bytes);
      assert.equal(offsets.length, KEYS);
      const damaged = damage(Buffer.from(bytes), offsets.at(-1)!);
      await writeAll(fs, wal, damaged);
      const keptBytes = kept === 0 ? 0 : kept === KEYS ? bytes.length : offsets[kept]!;
      await expectCut(fs, kept, damaged.length - keptBytes);
    });
  }

  test('a torn older WAL followed by an empty or torn newer one is cut, the newer removed', async () => {
    const { fs, wal } = await storeWithWal();
    const bytes = readAll(fs, wal);
    await writeAll(fs, wal, bytes.subarray(0, bytes.length - 2));
    const newer = `${DIR}/000900.wal`;
    const newest = `${DIR}/000901.wal`;
    await writeAll(fs, newer, new Uint8Array(0));
    await writeAll(fs, newest, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
    await expectCut(fs, KEYS - 1, bytes.length - 2 - recordOffsets(bytes).at(-1)! + 11);
    assert.equal(fs.exists(newer) || fs.exists(newest), false);
  });

  test('damage followed by a whole record, in the same or a later WAL, refuses to open', async () => {
    for (const later of [false, true]) {
      const { fs, wal } = await storeWithWal();
      const bytes = readAll(fs, wal);
      const offsets = recordOffsets(bytes);
      if (later) {
        await writeAll(fs, wal, bytes.subarray(0, bytes.length - 2));
        await writeAll(fs, `${DIR}/000900.wal`, bytes.subarray(offsets.at(-1)!));
      } else {
        await writeAll(fs, wal, flipAt(Buffer.from(bytes), offsets[3]! + RECORD_HEADER_SIZE + 1));
      }
      const offset = later ? offsets.at(-1)! : offsets[3]!;
      await assert.rejects(open(DIR, { fs }), (error: unknown) => {
        assert.ok(error instanceof StrataError && error.kind === 'Corruption', String(error));
        assert.match(error.message, new RegExp(`${wal.split('/').at(-1)} at offset ${offset}`));
        return true;
      });
    }
  });

  test('a whole record of an unknown format version refuses to open', async () => {
    const { fs, wal } = await storeWithWal();
    const bytes = readAll(fs, wal);
    await writeAll(fs, wal, Buffer.concat([bytes, frameRecord(Buffer.from('from the future'), 2)]));
    await assert.rejects(open(DIR, { fs }), /Corruption: .*000\d+\.wal at offset \d+: unknown record format version 2/);
  });
});

describe('group commit', () => {
  test('64 concurrent writers share a handful of syncs, and each resolves only once synced', async () => {
    const fs = new MemoryFileSystem();
    const db = await open(DIR, { fs, fsync: 'always' });
    try {
      const before = db.stats().walSyncs;
      let synced = 0;
      fs.onSync = (kind, path) => {
        if (kind === 'sync' && path.endsWith('.wal')) synced++;
      };
      const writes = Array.from({ length: 64 }, (_, i) =>
        db.put(key(i), value(i)).then(() => assert.ok(synced >= 1, 'resolved before its sync')),
      );
      assert.equal(db.stats().durableSequence < db.lastSequence, true);
      await Promise.all(writes);
      assert.ok(db.stats().walSyncs - before <= 2, `${db.stats().walSyncs - before} syncs for 64 writers`);
      assert.equal(db.stats().durableSequence, db.lastSequence);
    } finally {
      await db.close();
    }
  });

  test('writes arriving during a sync form the next group', async () => {
    const db = await open(DIR, { fs: new MemoryFileSystem(), fsync: 'always' });
    try {
      const first = db.put(key(1), value(1));
      await new Promise((resolve) => setImmediate(resolve)); // the first group's sync is in flight
      const second = Array.from({ length: 20 }, (_, i) => db.put(key(i + 2), value(i + 2)));
      await Promise.all([first, ...second]);
      assert.equal(db.stats().walSyncs, 2);
    } finally {
      await db.close();
    }
  });

  for (const fsync of ['no', 'everysec'] as const) {
    test(`fsync ${fsync}: a write resolves once handed to the OS, without a sync`, async () => {
      const db = await open(DIR, { fs: new MemoryFileSystem(), fsync });
      try {
        await db.put(key(1), value(1));
        assert.equal(db.stats().walSyncs, 0);
        assert.equal(db.stats().durableSequence, db.lastSequence);
      } finally {
        await db.close();
      }
    });
  }

  test('setFsync: the writes after it follow the new policy; a crash keeps what `always` acknowledged', async () => {
    const fs = new MemoryFileSystem();
    const db = await open(DIR, { fs, fsync: 'no' });
    try {
      await db.put(key(1), value(1));
      assert.equal(db.stats().walSyncs, 0);
      db.setFsync('always');
      assert.equal(db.stats().durableSequence, db.lastSequence, 'what was acknowledged stays durable');
      let synced = 0;
      fs.onSync = (kind, path) => {
        if (kind === 'sync' && path.endsWith('.wal')) synced++;
      };
      await db.put(key(2), value(2));
      assert.ok(synced >= 1, 'acknowledged under always before its sync');
      const image = fs.crash();
      db.setFsync('everysec');
      const syncs = db.stats().walSyncs;
      await db.put(key(3), value(3));
      assert.equal(db.stats().walSyncs, syncs, 'everysec: acknowledged without a sync');
      assert.equal(db.stats().durableSequence, db.lastSequence);
      assert.throws(() => db.setFsync('sometimes' as never), /fsync must be 'always', 'everysec' or 'no', got sometimes/);
      const reopened = await open(DIR, { fs: image });
      try {
        assert.deepEqual(Buffer.from((await reopened.get(key(2)))!), value(2));
        assert.deepEqual(Buffer.from((await reopened.get(key(1)))!), value(1), 'synced with the later write');
      } finally {
        await reopened.close();
      }
    } finally {
      await db.close();
    }
  });

  test('setFsync everysec starts the once-a-second sync, no stops it', async () => {
    const db = await open(DIR, { fs: new MemoryFileSystem(), fsync: 'no' });
    const second = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1100));
    try {
      db.setFsync('everysec');
      await db.put(key(1), value(1));
      await second();
      const syncs = db.stats().walSyncs;
      assert.ok(syncs >= 1, 'synced in the background');
      db.setFsync('no');
      await db.put(key(2), value(2));
      await second();
      assert.equal(db.stats().walSyncs, syncs);
    } finally {
      await db.close();
    }
  });

  test('the synchronous layer: visible at once, durable later', async () => {
    const db = await open(DIR, { fs: new MemoryFileSystem(), fsync: 'always' });
    try {
      const done = db.applySync([{ type: 'put', key: key(1), value: value(1) }]);
      const sequence = db.lastSequence;
      assert.deepEqual(db.getSync(key(1)), value(1));
      assert.ok(db.stats().durableSequence < sequence);
      await db.durable(sequence);
      assert.ok(db.stats().durableSequence >= sequence);
      await done;
    } finally {
      await db.close();
    }
  });
});

describe('WAL switches', () => {
  for (const fsync of ['always', 'no'] as const) {
    test(`fsync ${fsync}: a torn crash at any sync point while memtables rotate recovers a prefix with every acknowledged write`, async () => {
      for (let point = 1; ; point++) {
        const fs = new MemoryFileSystem();
        const db = await open(DIR, { fs, memtableSize: 2048, fsync });
        const acked = new Set<number>();
        let image: MemoryFileSystem | undefined;
        let ackedAtCrash: number[] = [];
        let tear = point * 7919;
        let seen = 0;
        fs.onSync = () => {
          if (++seen !== point) return;
          ackedAtCrash = fsync === 'always' ? [...acked] : [];
          image = fs.crash({ tear: true, random: () => (tear = (tear * 48271) % 2147483647) / 2147483647 });
        };
        for (let i = 0; i < 120; i += 12) {
          await Promise.all(Array.from({ length: 12 }, (_, j) => db.put(key(i + j), value(i + j)).then(() => acked.add(i + j))));
        }
        await db.close();
        if (image === undefined) break;
        const reopened = await open(DIR, { fs: image });
        try {
          let present = 0;
          while (present < 120 && (await reopened.get(key(present))) !== undefined) present++;
          for (let i = present; i < 120; i++) assert.equal(await reopened.get(key(i)), undefined, `sync point ${point}: a hole before ${key(i)}`);
          for (const i of ackedAtCrash) assert.ok(i < present, `sync point ${point}: acknowledged ${key(i)} lost`);
        } finally {
          await reopened.close();
        }
      }
    });
  }
});

describe('WAL failures', () => {
  for (const [op, code] of [['sync', 'EIO'], ['append', 'ENOSPC']] as const) {
    test(`${code} on ${op}: the writes in flight reject, every later write is refused`, async () => {
      const fs = new MemoryFileSystem();
      const db = await open(DIR, { fs, fsync: 'always' });
      await db.put(key(0), value(0));
      fs.inject((o, path) => (o === op && path.endsWith('.wal') ? code : undefined));
      const failed = await Promise.allSettled([db.put(key(1), value(1)), db.put(key(2), value(2))]);
      for (const r of failed) {
        assert.equal(r.status, 'rejected');
        const error = (r as PromiseRejectedResult).reason as StrataError;
        assert.equal(error.kind, 'IOError');
        assert.equal(error.code, code);
      }
      fs.inject(undefined);
      assert.match(String(db.stats().backgroundError), new RegExp(code));
      assert.throws(() => db.applySync([{ type: 'put', key: key(3), value: value(3) }]), /refuses further writes/);
      await assert.rejects(db.put(key(3), value(3)), /refuses further writes/);
      await assert.rejects(db.flush(), /refuses further writes/);
      assert.deepEqual(await db.get(key(0)), value(0), 'reads of durable data go on');
      await db.close();
      const reopened = await open(DIR, { fs });
      assert.deepEqual(await reopened.get(key(0)), value(0));
      await reopened.close();
    });
  }
});

function flipAt(bytes: Buffer, offset: number): Buffer {
  bytes[offset] = bytes[offset]! ^ 0xff;
  return bytes;
}
