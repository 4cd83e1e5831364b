// Compaction in the whole engine: a randomised model test with tiny memtables and aggressive compaction
// (flushes, compactions and compact() interleave with reads, long-lived cursors, snapshots and reopens); a power cut
// at every sync point of flushes and compactions; space reclaimed after overwrites and deletes; a checksum
// error in a compaction input; cursors pinning the files they read; compact() on request; back-pressure;
// verify(); the bound on open files.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { open, MemoryFileSystem, type Cursor, type Db, type OpenOptions, type Snapshot } from '@strata/engine';
import { Random, testSeed, testSeeds } from '../helpers/random.js';
import { SortedModel, hex } from '../helpers/sorted-model.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Options that make every few writes a flush and every few flushes a compaction with split outputs. */
const AGGRESSIVE: OpenOptions = {
  memtableSize: 2048,
  blockSize: 256,
  compactionTrigger: 2,
  maxSizeAmplificationPercent: 50,
  targetFileSize: 2048,
};

interface CompactionFigures {
  compactions: number;
  running: number;
}

const compactionOf = (db: Db): CompactionFigures => db.stats().compaction as CompactionFigures;

/** Waits until no compaction runs (a finished job schedules the next one at once if one is due). */
async function settle(db: Db): Promise<void> {
  while (compactionOf(db).running > 0) await new Promise((resolve) => setTimeout(resolve, 2));
}

const show = (entries: Array<[Uint8Array, Uint8Array]>): string[] => entries.map(([k, v]) => `${hex(k)}=${hex(v)}`);

async function scan(db: Db, snapshot?: Snapshot): Promise<Array<[Uint8Array, Uint8Array]>> {
  const all: Array<[Uint8Array, Uint8Array]> = [];
  for await (const entry of db.iterator(snapshot === undefined ? {} : { snapshot })) all.push(entry);
  return all;
}

/** Tables, WALs and temporary files on disk, by name. */
function filesOf(names: readonly string[]): { tables: string[]; wals: string[]; temps: string[] } {
  return {
    tables: names.filter((n) => n.endsWith('.sst')),
    wals: names.filter((n) => n.endsWith('.wal')),
    temps: names.filter((n) => n.endsWith('.tmp')),
  };
}

/** Every file on disk is live and every live file is on disk. */
function checkNoLeaks(db: Db, names: readonly string[], label: string): void {
  const stats = db.stats();
  const files = filesOf(names);
  assert.equal(files.tables.length, stats.tables, `${label}: ${files.tables.length} tables on disk, ${stats.tables} live`);
  assert.equal(files.wals.length, stats.walFiles, `${label}: ${files.wals.length} WALs on disk, ${String(stats.walFiles)} live`);
  assert.deepEqual(files.temps, [], `${label}: temporary files left`);
}

describe('model test with compaction', () => {
  for (const seed of testSeeds('compaction model', 6)) {
    test(`seed ${seed}`, async () => {
      const random = new Random(seed);
      const fs = new MemoryFileSystem();
      const options: OpenOptions = { ...AGGRESSIVE, fsync: random.pick(['always', 'no'] as const), fs };
      const model = new SortedModel();
      const keys = Array.from({ length: random.between(20, 120) }, (_, i) => Buffer.from(`key${String(i).padStart(4, '0')}`));
      let db = await open('/db', options);
      /** Cursors held across writes, flushes and compactions, each with the model of its moment. */
      let cursors: Array<{ cursor: Cursor; expected: Array<[Uint8Array, Uint8Array]> }> = [];
      const snapshots: Array<{ snapshot: Snapshot; model: SortedModel }> = [];
      const closeAll = (): void => {
        for (const c of cursors) c.cursor.close();
        cursors = [];
        for (const s of snapshots) db.release(s.snapshot);
        snapshots.length = 0;
      };
      try {
        for (let step = 0; step < 600; step++) {
          const where = `seed ${seed} step ${step}`;
          const roll = random.next();
          const key = random.pick(keys);
          if (roll < 0.45) {
            const value = random.bytes(random.between(1, 120));
            model.put(key, value);
            await db.put(key, value);
          } else if (roll < 0.55) {
            model.del(key);
            await db.del(key);
          } else if (roll < 0.65) {
            const v = model.get(key);
            assert.equal(hex((await db.get(key)) ?? new Uint8Array([0xee])), hex(v ?? new Uint8Array([0xee])), `${where}: get ${key}`);
          } else if (roll < 0.7) {
            cursors.push({ cursor: db.cursor(), expected: model.range() });
          } else if (roll < 0.8 && cursors.length > 0) {
            // Advance a held cursor a few entries: it reads tables that compactions may have replaced.
            const held = random.pick(cursors);
            for (let i = random.between(1, 10); i > 0 && held.expected.length > 0; i--) {
              assert.equal(held.cursor.valid, true, `${where}: held cursor ended early`);
              assert.deepEqual(show([[held.cursor.key, held.cursor.value]]), show([held.expected[0]!]), `${where}: held cursor`);
              held.expected.shift();
              held.cursor.next();
            }
            if (held.expected.length === 0) {
              assert.equal(held.cursor.valid, false, `${where}: held cursor runs past the end`);
              held.cursor.close();
              cursors = cursors.filter((c) => c !== held);
            }
          } else if (roll < 0.84) {
            snapshots.push({ snapshot: db.snapshot(), model: model.clone() });
          } else if (roll < 0.9 && snapshots.length > 0) {
            const at = random.pick(snapshots);
            assert.deepEqual(show(await scan(db, at.snapshot)), show(at.model.range()), `${where}: scan at snapshot ${at.snapshot.sequence}`);
            if (random.chance(0.3)) {
              db.release(at.snapshot);
              snapshots.splice(snapshots.indexOf(at), 1);
            }
          } else if (roll < 0.95) {
            await settle(db);
            assert.deepEqual(show(await scan(db)), show(model.range()), `${where}: full scan after compactions settled`);
          } else if (roll < 0.965) {
            await db.flush();
          } else if (roll < 0.98) {
            // Everything into one run, with the held cursors and snapshots pinning older versions.
            await db.compact();
            assert.deepEqual(show(await scan(db)), show(model.range()), `${where}: full scan after compact()`);
          } else {
            closeAll();
            await db.close();
            db = await open('/db', options);
          }
        }
        closeAll();
        // A flush in progress has its table on disk before it is live: wait for flushes, then compactions.
        await db.flush();
        await settle(db);
        assert.ok(compactionOf(db).compactions > 0, 'no compaction ran');
        await db.verify();
        checkNoLeaks(db, fs.list('/db'), `seed ${seed}`);
        await db.close();
        db = await open('/db', options);
        assert.deepEqual(show(await scan(db)), show(model.range()), 'full scan after the last reopen');
      } finally {
        closeAll();
        await db.close().catch(() => {});
      }
    });
  }
});

describe('crash during flushes and compactions', () => {
  /** One run of the workload; crashes at sync point `crashAt` (if reached). The history records the
   *  model's contents after every write, so the recovered store must equal one of them. */
  interface Outcome {
    points: number;
    image?: MemoryFileSystem;
    /** A compaction was running at the crash. */
    inCompaction: boolean;
    history: string[];
    durable: number;
    applied: number;
  }

  async function workload(seed: number, crashAt: number): Promise<Outcome> {
    const random = new Random(seed);
    const fs = new MemoryFileSystem();
    fs.mkdir('/db');
    await fs.syncDir('/');
    const model = new SortedModel();
    const history = [JSON.stringify(show(model.range()))];
    let image: MemoryFileSystem | undefined;
    let durable = 0;
    let durableAtCrash = 0;
    let appliedAtCrash = 0;
    let inCompaction = false;
    let db: Db | undefined;
    fs.onSync = (_kind, _path, count) => {
      if (count !== crashAt) return;
      image = fs.crash();
      durableAtCrash = durable;
      appliedAtCrash = history.length - 1;
      inCompaction = db !== undefined && compactionOf(db).running > 0;
    };
    db = await open('/db', { ...AGGRESSIVE, fsync: 'no', fs });
    for (let op = 0; op < 150; op++) {
      const key = Buffer.from(`k${random.int(30)}`);
      if (random.chance(0.2)) {
        model.del(key);
        await db.del(key);
      } else {
        const value = Buffer.from(`${op}:${'v'.repeat(random.int(100))}`);
        model.put(key, value);
        await db.put(key, value);
      }
      history.push(JSON.stringify(show(model.range())));
      if (random.chance(0.05)) {
        const upTo = history.length - 1;
        await db.flush();
        durable = upTo;
      }
    }
    await settle(db);
    await db.close();
    return image === undefined
      ? { points: fs.syncCount, inCompaction, history, durable, applied: history.length - 1 }
      : { points: fs.syncCount, image, inCompaction, history, durable: durableAtCrash, applied: appliedAtCrash };
  }

  test('every sync point: the store opens, equals the model at a moment after the last flush, no leaked files', async () => {
    const seed = testSeed('compaction crash');
    const dry = await workload(seed, -1);
    assert.ok(dry.points > 20, `only ${dry.points} sync points`);
    const stride = Math.ceil(dry.points / 120);
    let inCompaction = 0;
    let crashes = 0;
    for (let k = 1; k <= dry.points; k += stride) {
      const run = await workload(seed, k);
      if (run.image === undefined) continue; // timing moved the sync points: fewer of them this time
      const label = `seed ${seed}, crash at sync point ${k} of ${run.points}${run.inCompaction ? ' (during a compaction)' : ''}`;
      crashes++;
      if (run.inCompaction) inCompaction++;
      const db = await open('/db', { ...AGGRESSIVE, fsync: 'no', fs: run.image });
      try {
        const contents = JSON.stringify(show(await scan(db)));
        const moment = run.history.findIndex((h, i) => i >= run.durable && i <= run.applied && h === contents);
        assert.ok(moment >= 0, `${label}: the contents match no moment between the last flush (write ${run.durable}) and the crash (write ${run.applied})`);
        await settle(db);
        checkNoLeaks(db, run.image.list('/db'), label);
        await db.verify();
      } finally {
        await db.close();
      }
    }
    assert.ok(inCompaction >= crashes / 10, `only ${inCompaction} of ${crashes} crashes hit a running compaction`);
  });
});

describe('space, integrity and lifetimes on disk', () => {
  const diskBytes = (dir: string): number => readdirSync(dir).reduce((sum, n) => sum + statSync(join(dir, n)).size, 0);

  test('space is reclaimed: N keys written, overwritten twice, half deleted', async (t) => {
    const dir = tempDir(t);
    const db = await open(dir, { fsync: 'no', memtableSize: 64 * 1024, targetFileSize: 256 * 1024, compactionTrigger: 2, maxSizeAmplificationPercent: 25 });
    try {
      const n = 6000;
      const key = (i: number): Buffer => Buffer.from(`key:${String(i).padStart(8, '0')}`);
      const value = (i: number, round: number): Buffer => Buffer.from(`${round}:${i}:`.padEnd(100, 'v'));
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < n; i++) await db.put(key(i), value(i, round));
      }
      for (let i = 0; i < n; i += 2) await db.del(key(i));
      await db.flush();
      await settle(db);
      const live = (n / 2) * (key(0).length + value(0, 2).length);
      const used = diskBytes(dir);
      assert.ok(used <= 1.5 * live, `disk use ${used} bytes for ${live} bytes of live data (${(used / live).toFixed(2)}x)`);
      assert.ok(compactionOf(db).compactions > 0);
      assert.equal(db.getSync(key(1))?.toString(), value(1, 2).toString());
      assert.equal(db.getSync(key(2)), undefined);
    } finally {
      await db.close();
    }
  });

  /** Writes `batches` flushes worth of keys with compaction held off (a trigger above the runs made). */
  async function filledStore(dir: string, batches: number): Promise<SortedModel> {
    const model = new SortedModel();
    const db = await open(dir, { fsync: 'no', compactionTrigger: 100, blockSize: 512 });
    for (let b = 0; b < batches; b++) {
      for (let i = 0; i < 300; i++) {
        const k = Buffer.from(`k${String((i * 7 + b) % 500).padStart(4, '0')}`);
        const v = Buffer.from(`${b}:${i}:`.padEnd(60, 'x'));
        model.put(k, v);
        await db.put(k, v);
      }
      await db.flush();
    }
    await db.close();
    return model;
  }

  test('a checksum error in a compaction input fails loudly and leaves the store intact', async (t) => {
    const dir = tempDir(t);
    const model = await filledStore(dir, 4);
    const tables = readdirSync(dir).filter((n) => n.endsWith('.sst')).sort();
    const victim = join(dir, tables[1]!);
    const bytes = readFileSync(victim);
    bytes[100]! ^= 0x10; // inside the first data block
    writeFileSync(victim, bytes);
    const before = readdirSync(dir).filter((n) => n.endsWith('.sst')).sort();

    const db = await open(dir, { fsync: 'no', compactionTrigger: 2 });
    try {
      await settle(db);
      const error = db.stats().backgroundError;
      assert.match(String(error), /compaction failed.*Corruption.*\.sst at offset \d+: block checksum mismatch/);
      await assert.rejects(db.put(Buffer.from('k'), Buffer.from('v')), /Corruption/);
      assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.sst')).sort(), before, 'tables changed');
      await assert.rejects(db.verify(), /Corruption.*block checksum mismatch/);
    } finally {
      await db.close();
    }
    // Reopened without compaction: every key outside the damaged block reads as before, the rest fails.
    const again = await open(dir, { fsync: 'no', compactionTrigger: 100 });
    try {
      let served = 0;
      for (const [k, v] of model.range()) {
        try {
          const got = await again.get(k);
          assert.equal(hex(got ?? new Uint8Array()), hex(v), `key ${Buffer.from(k).toString()}`);
          served++;
        } catch (e) {
          assert.match(String(e), /Corruption/);
        }
      }
      assert.ok(served > model.size / 2, `only ${served} of ${model.size} keys readable`);
    } finally {
      await again.close();
    }
  });

  test('a cursor opened before a compaction reads correct data after it; the old files go when it closes', async (t) => {
    const dir = tempDir(t);
    const model = await filledStore(dir, 3);
    const db = await open(dir, { fsync: 'no', compactionTrigger: 4 });
    try {
      const oldTables = readdirSync(dir).filter((n) => n.endsWith('.sst'));
      const expected = model.range();
      const cursor = db.cursor();
      for (let i = 0; i < 10; i++) cursor.next();
      // A fourth run starts a compaction of all four.
      const extra = Buffer.from('k9999');
      await db.put(extra, Buffer.from('late'));
      await db.flush();
      while (compactionOf(db).compactions === 0) await new Promise((resolve) => setTimeout(resolve, 2));
      await settle(db);
      assert.equal(db.stats().tables, 1);
      const onDisk = readdirSync(dir).filter((n) => n.endsWith('.sst'));
      for (const name of oldTables) assert.ok(onDisk.includes(name), `${name} deleted while a cursor reads it`);
      const got: Array<[Uint8Array, Uint8Array]> = [];
      for (; cursor.valid; cursor.next()) got.push([Buffer.from(cursor.key), Buffer.from(cursor.value)]);
      assert.deepEqual(show(got), show(expected.slice(10)));
      cursor.close();
      const after = readdirSync(dir).filter((n) => n.endsWith('.sst'));
      assert.equal(after.length, 1, `obsolete tables left after the cursor closed: ${after.join(' ')}`);
      assert.equal(db.getSync(extra)?.toString(), 'late');
    } finally {
      await db.close();
    }
  });

  test('verify() reads every block; a flipped byte is found', async (t) => {
    const dir = tempDir(t);
    await filledStore(dir, 2);
    const db = await open(dir, { fsync: 'no', compactionTrigger: 100 });
    await db.verify();
    await db.close();
    const table = join(dir, readdirSync(dir).filter((n) => n.endsWith('.sst')).sort()[0]!);
    const bytes = readFileSync(table);
    bytes[700]! ^= 0x01;
    writeFileSync(table, bytes);
    const damaged = await open(dir, { fsync: 'no', compactionTrigger: 100 });
    try {
      await assert.rejects(damaged.verify(), (e: Error) => /Corruption/.test(e.message) && e.message.includes(table));
    } finally {
      await damaged.close();
    }
  });

  test('open files stay within maxOpenFiles', async (t) => {
    const dir = tempDir(t);
    const model = await filledStore(dir, 6);
    const db = await open(dir, { fsync: 'no', compactionTrigger: 100, maxOpenFiles: 2 });
    try {
      for (const [k, v] of model.range()) assert.equal(hex(db.getSync(k)!), hex(v));
      assert.ok((db.stats().openTableFiles as number) <= 2, `open table files: ${String(db.stats().openTableFiles)}`);
    } finally {
      await db.close();
    }
  });
});

describe('compact(): every run merged into one on request', () => {
  /** A store of `runs` flushed runs with overwrites and deletes, compaction held off; the model of it. */
  async function manyRuns(db: Db, runs: number): Promise<SortedModel> {
    const model = new SortedModel();
    for (let r = 0; r < runs; r++) {
      for (let i = 0; i < 400; i++) {
        const k = Buffer.from(`k${String((i * 13 + r * 7) % 600).padStart(4, '0')}`);
        if (i % 5 === 4) {
          model.del(k);
          await db.del(k);
        } else {
          const v = Buffer.from(`${r}:${i}:`.padEnd(80, 'v'));
          model.put(k, v);
          await db.put(k, v);
        }
      }
      await db.flush();
    }
    return model;
  }

  test('one run, holding only what reads need; a snapshot keeps its versions; the memtable is flushed first', async (t) => {
    const dir = tempDir(t);
    const db = await open(dir, { fsync: 'no', compactionTrigger: 100, blockSize: 512 });
    try {
      const model = await manyRuns(db, 6);
      const before = model.clone();
      const snapshot = db.snapshot();
      // Writes after the snapshot, left in the memtable.
      const late = Buffer.from('k0001');
      model.put(late, Buffer.from('late'));
      await db.put(late, Buffer.from('late'));
      const gone = Buffer.from('k0002');
      model.del(gone);
      await db.del(gone);
      assert.equal(db.stats().tables, 6);
      const bytesBefore = db.stats().tableBytes as number;
      await db.compact();
      const stats = db.stats();
      assert.equal(stats.tables, 1, 'runs left after compact()');
      assert.equal(stats.memtableBytes, 0, 'memtable not flushed');
      assert.equal(stats.immutableMemtables, 0);
      const compaction = stats.compaction as { compactions: number; lastReason: string };
      assert.equal(compaction.compactions, 1);
      assert.equal(compaction.lastReason, 'manual');
      assert.ok((stats.tableBytes as number) < bytesBefore, `table bytes ${String(stats.tableBytes)} not below ${bytesBefore}`);
      assert.deepEqual(show(await scan(db)), show(model.range()));
      assert.deepEqual(show(await scan(db, snapshot)), show(before.range()), 'the snapshot lost versions');
      db.release(snapshot);
      // Without the snapshot, a second compact() drops the versions only it needed: fewer bytes again.
      const withSnapshot = db.stats().tableBytes as number;
      await db.compact();
      assert.ok((db.stats().tableBytes as number) < withSnapshot, 'versions kept for a released snapshot');
      const onDisk = readdirSync(dir).filter((n) => n.endsWith('.sst'));
      assert.equal(onDisk.length, 1, `tables on disk: ${onDisk.join(' ')}`);
      assert.deepEqual(show(await scan(db)), show(model.range()));
    } finally {
      await db.close();
    }
    const again = await open(dir, { fsync: 'no', compactionTrigger: 100 });
    try {
      assert.equal(again.stats().tables, 1);
      await again.verify();
    } finally {
      await again.close();
    }
  });

  test('writes go on during compact(): their runs stay newer and nothing is lost', async () => {
    const fs = new MemoryFileSystem();
    const db = await open('/db', { ...AGGRESSIVE, fs, fsync: 'no', compactionTrigger: 100 });
    try {
      const model = await manyRuns(db, 5);
      const writing = (async () => {
        for (let i = 0; i < 300; i++) {
          const k = Buffer.from(`w${i % 120}`);
          const v = Buffer.from(`${i}`.padEnd(40, 'w'));
          model.put(k, v);
          await db.put(k, v);
        }
      })();
      await Promise.all([db.compact(), writing]);
      assert.equal((db.stats().compaction as { lastReason: string }).lastReason, 'manual');
      assert.deepEqual(show(await scan(db)), show(model.range()));
    } finally {
      await db.close();
    }
  });

  test('an empty store compacts to nothing; a closed one rejects; a damaged input rejects and stops writes', async (t) => {
    const empty = await open(tempDir(t), { fsync: 'no' });
    await empty.compact();
    assert.equal(empty.stats().tables, 0);
    await empty.close();
    await assert.rejects(empty.compact(), /closed/);

    const dir = tempDir(t);
    const db = await open(dir, { fsync: 'no', compactionTrigger: 100, blockSize: 512 });
    await manyRuns(db, 3);
    await db.close();
    const victim = join(dir, readdirSync(dir).filter((n) => n.endsWith('.sst')).sort()[1]!);
    const bytes = readFileSync(victim);
    bytes[100]! ^= 0x10; // inside the first data block
    writeFileSync(victim, bytes);
    const damaged = await open(dir, { fsync: 'no', compactionTrigger: 100 });
    try {
      await assert.rejects(damaged.compact(), /compaction failed.*Corruption.*block checksum mismatch/);
      await assert.rejects(damaged.put(Buffer.from('k'), Buffer.from('v')), /Corruption/);
      assert.equal(damaged.stats().tables, 3, 'inputs of the failed compaction removed');
    } finally {
      await damaged.close();
    }
  });
});

test('back-pressure: writers wait, never fail, and immutable memtables stay bounded', async () => {
  const fs = new MemoryFileSystem();
  const db = await open('/db', { ...AGGRESSIVE, fsync: 'no', fs, compactionTrigger: 2 });
  let maxImmutables = 0;
  try {
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        for (let i = 0; i < 150; i++) {
          await db.put(Buffer.from(`w${w}:${i % 40}`), Buffer.alloc(100, w));
          maxImmutables = Math.max(maxImmutables, db.stats().immutableMemtables);
        }
      }),
    );
    const stats = db.stats();
    assert.ok((stats.stalls as number) > 0, 'no writer ever waited');
    assert.ok(maxImmutables <= 3, `${maxImmutables} immutable memtables at once`);
    await settle(db);
    for (let w = 0; w < 16; w++) assert.deepEqual(db.getSync(Buffer.from(`w${w}:39`)), Buffer.alloc(100, w));
  } finally {
    await db.close();
  }
});
