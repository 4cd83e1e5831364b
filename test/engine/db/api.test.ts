// The public Db API: round trips, byte ordering, iterator and cursor bounds in both directions across
// memtables and tables, snapshots under concurrent writes and flushes, reopen, and its error cases.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiskFileSystem, MemoryFileSystem, open, StrataError, type Db, type IteratorOptions } from '@strata/engine';
import { tempDir } from '../../helpers/temp-dir.js';

const DIR = '/db';
const b = (s: string): Buffer => Buffer.from(s);
const str = (v: Uint8Array | undefined): string | undefined => (v === undefined ? undefined : Buffer.from(v).toString());
const key = (i: number): Buffer => b(`k${String(i).padStart(3, '0')}`);

async function collect(db: Db, options?: IteratorOptions): Promise<string[]> {
  const out: string[] = [];
  for await (const [k, v] of db.iterator(options)) out.push(`${Buffer.from(k)}=${Buffer.from(v)}`);
  return out;
}

const kind = (k: string) => (error: unknown) => error instanceof StrataError && error.kind === k;

describe('Db API', () => {
  test('put, get, overwrite, delete, batches, empty keys and values', async () => {
    const db = await open(DIR, { fs: new MemoryFileSystem() });
    try {
      await db.put(b('a'), b('1'));
      await db.put(b('a'), b('2'));
      await db.put(b(''), b('empty key'));
      await db.put(b('e'), b(''));
      assert.equal(str(await db.get(b('a'))), '2');
      assert.equal(str(await db.get(b(''))), 'empty key');
      assert.equal(str(await db.get(b('e'))), '');
      await db.del(b('a'));
      assert.equal(await db.get(b('a')), undefined);
      await db.write([
        { type: 'put', key: b('x'), value: b('1') },
        { type: 'del', key: b('x') },
        { type: 'put', key: b('y'), value: b('2') },
        { type: 'put', key: b('y'), value: b('3') },
      ]);
      assert.equal(await db.get(b('x')), undefined, 'the later op of a batch wins');
      assert.equal(str(await db.get(b('y'))), '3');
      await db.write([]);
      const caller = b('mutable');
      await db.put(caller, caller);
      caller.fill(0);
      assert.equal(str(await db.get(b('mutable'))), 'mutable', 'keys and values are copied');
    } finally {
      await db.close();
    }
  });

  test('bytewise order, and bounds in both directions across memtable and tables', async () => {
    const db = await open(DIR, { fs: new MemoryFileSystem(), memtableSize: 2048, blockSize: 256 });
    try {
      const keys = [b(''), b('\x00'), b('\x00\x00'), b('a'), b('a\x00'), b('ab'), b('b'), Buffer.from([0xff]), Buffer.from([0xff, 0xff])];
      for (let i = 0; i < 100; i++) await db.put(key(i), b(`v${i}`));
      await db.flush();
      for (const k of keys) await db.put(k, b('special'));
      for (let i = 0; i < 100; i += 3) await db.put(key(i), b(`w${i}`)); // newer versions over the tables
      for (let i = 1; i < 100; i += 10) await db.del(key(i));
      assert.ok(db.stats().tables >= 2, `tables ${db.stats().tables}`);
      const model = new Map<string, string>();
      for (let i = 0; i < 100; i++) if (i % 10 !== 1) model.set(key(i).toString('latin1'), i % 3 === 0 ? `w${i}` : `v${i}`);
      for (const k of keys) model.set(k.toString('latin1'), 'special');
      const sorted = [...model].sort(([x], [y]) => Buffer.compare(Buffer.from(x, 'latin1'), Buffer.from(y, 'latin1')));
      const all = await collect(db);
      assert.deepEqual(all, sorted.map(([k, v]) => `${Buffer.from(k, 'latin1')}=${v}`));

      const bounds = [undefined, b('\x00'), key(10), key(11), key(55), b('zz')];
      for (const lo of bounds) for (const hi of bounds) for (const open_ of [false, true]) for (const reverse of [false, true]) {
        const options: IteratorOptions = { reverse };
        if (lo) options[open_ ? 'gt' : 'gte'] = lo;
        if (hi) options[open_ ? 'lt' : 'lte'] = hi;
        let want = sorted.filter(([k]) => {
          const kb = Buffer.from(k, 'latin1');
          if (lo && (open_ ? Buffer.compare(kb, lo) <= 0 : Buffer.compare(kb, lo) < 0)) return false;
          if (hi && (open_ ? Buffer.compare(kb, hi) >= 0 : Buffer.compare(kb, hi) > 0)) return false;
          return true;
        });
        if (reverse) want = want.reverse();
        const label = JSON.stringify({ lo: lo?.toString(), hi: hi?.toString(), open_, reverse });
        assert.deepEqual(await collect(db, options), want.map(([k, v]) => `${Buffer.from(k, 'latin1')}=${v}`), label);
      }
    } finally {
      await db.close();
    }
  });

  test('cursor seek clamps to the bounds, in both directions', async () => {
    const db = await open(DIR, { fs: new MemoryFileSystem() });
    try {
      for (let i = 0; i < 50; i += 2) await db.put(key(i), b(`v${i}`));
      const forward = db.cursor({ gte: key(10), lt: key(40) });
      forward.seek(key(21));
      assert.equal(str(forward.key), 'k022');
      forward.seek(key(0));
      assert.equal(str(forward.key), 'k010');
      forward.seek(key(39));
      assert.equal(forward.valid, false);
      forward.close();
      forward.close();
      assert.throws(() => forward.next(), kind('Closed'));
      const backward = db.cursor({ gt: key(10), lte: key(40), reverse: true });
      assert.equal(str(backward.key), 'k040');
      backward.seek(key(21));
      assert.equal(str(backward.key), 'k020');
      backward.next();
      assert.equal(str(backward.key), 'k018');
      backward.seek(key(10));
      assert.equal(backward.valid, false, 'gt excludes the bound');
      backward.seek(key(99));
      assert.equal(str(backward.key), 'k040');
      backward.close();
      assert.equal(db.stats().snapshots, 0, 'cursors release their implicit snapshot');
    } finally {
      await db.close();
    }
  });

  test('snapshots and open iterators keep their point in time under concurrent writes and flushes', async () => {
    const db = await open(DIR, { fs: new MemoryFileSystem(), memtableSize: 4096 });
    try {
      for (let i = 0; i < 100; i++) await db.put(key(i), b(`old${i}`));
      const snapshot = db.snapshot();
      const twin = db.snapshot(); // same sequence, another holder
      const iterator = db.iterator();
      const cursor = db.cursor({ reverse: true });
      const first = await iterator.next();
      assert.equal(str((first.value as [Uint8Array, Uint8Array])[0]), 'k000');
      const writers = [];
      for (let i = 0; i < 100; i++) {
        writers.push(i % 2 === 0 ? db.put(key(i), b(`new${i}`)) : db.del(key(i)));
        writers.push(db.put(key(i + 1000), b('later')));
      }
      await Promise.all(writers);
      await db.flush();
      assert.equal(str(await db.get(key(4), { snapshot })), 'old4');
      assert.equal(str(db.getSync(key(5), { snapshot })), 'old5');
      assert.equal(str(await db.get(key(4))), 'new4');
      assert.equal(await db.get(key(5)), undefined);
      const rest: string[] = [];
      for await (const [k, v] of iterator) rest.push(`${Buffer.from(k)}=${Buffer.from(v)}`);
      assert.equal(rest.length, 99);
      assert.ok(rest.every((e) => e.includes('=old')), 'the iterator sees its point in time only');
      let n = 0;
      for (; cursor.valid; cursor.next()) {
        assert.equal(str(cursor.value), `old${99 - n}`);
        n++;
      }
      assert.equal(n, 100);
      cursor.close();
      assert.deepEqual(await collect(db, { snapshot, lt: key(3) }), ['k000=old0', 'k001=old1', 'k002=old2']);
      assert.equal(db.stats().snapshots, 2);
      db.release(snapshot);
      db.release(snapshot);
      assert.equal(db.stats().snapshots, 1, 'releasing twice does not release another holder');
      db.release(twin);
      assert.equal(db.stats().snapshots, 0);
    } finally {
      await db.close();
    }
  });

  test('a key written over and over is held once in the memtable; snapshots and open cursors keep their version', async () => {
    const fs = new MemoryFileSystem();
    let db = await open(DIR, { fs });
    try {
      const value = (i: number): Buffer => b(`value-${String(i).padStart(14, '0')}`);
      for (let i = 1; i <= 1000; i++) await db.put(b('hot'), value(i));
      // One entry per write would take 1000 keys, values and entry overheads; one entry takes its key and
      // overhead once (the values written over stay in the arena until the flush).
      assert.ok(db.stats().memtableBytes < 1000 * 20 + 1000, `memtable ${db.stats().memtableBytes} bytes`);
      const snapshot = db.snapshot();
      const cursor = db.cursor({ gte: b('hot') });
      for (let i = 1001; i <= 2000; i++) await db.put(b('hot'), value(i));
      assert.equal(str(await db.get(b('hot'), { snapshot })), str(value(1000)));
      assert.equal(str(cursor.value), str(value(1000)));
      assert.equal(str(await db.get(b('hot'))), str(value(2000)));
      cursor.close();
      db.release(snapshot);
      await db.del(b('hot'));
      await db.put(b('hot'), value(3000));
      await db.close();
      db = await open(DIR, { fs }); // the WAL replay folds the versions too
      assert.equal(str(await db.get(b('hot'))), str(value(3000)));
      assert.ok(db.stats().memtableBytes < 3000 * 20 + 1000, `replayed memtable ${db.stats().memtableBytes} bytes`);
    } finally {
      await db.close();
    }
  });

  test('reopen keeps data and sequence numbers; flushes leave one WAL', async () => {
    const fs = new MemoryFileSystem();
    let db = await open(DIR, { fs, memtableSize: 8192 });
    for (let i = 0; i < 300; i++) await db.put(key(i), b(`v${i}`));
    const last = db.lastSequence;
    assert.ok(db.stats().flushes > 0);
    await db.close();
    await assert.rejects(db.close(), kind('Closed'));
    assert.throws(() => db.getSync(key(1)), kind('Closed'));
    await assert.rejects(db.put(key(1), b('x')), kind('Closed'));
    db = await open(DIR, { fs, memtableSize: 8192 });
    try {
      assert.equal(db.lastSequence, last);
      assert.equal(fs.list(DIR).filter((n) => n.endsWith('.wal')).length, 1);
      for (let i = 0; i < 300; i++) assert.equal(str(await db.get(key(i))), `v${i}`);
      await db.put(key(1), b('again'));
      assert.equal(db.lastSequence, last + 1);
    } finally {
      await db.close();
    }
  });

  test('bad arguments and options are InvalidArgument; a held store is Busy; a missing one NotFound', async () => {
    const fs = new MemoryFileSystem();
    await assert.rejects(open(DIR, { fs, fsync: 'sometimes' as 'no' }), kind('InvalidArgument'));
    await assert.rejects(open(DIR, { fs, memtableSize: -1 }), kind('InvalidArgument'));
    await assert.rejects(open('/nowhere', { fs, createIfMissing: false }), kind('NotFound'));
    fs.mkdir('/empty');
    await assert.rejects(open('/empty', { fs, createIfMissing: false }), kind('NotFound'));
    const db = await open(DIR, { fs });
    try {
      await assert.rejects(open(DIR, { fs }), kind('Busy'));
      await assert.rejects(db.put('text' as unknown as Uint8Array, b('v')), kind('InvalidArgument'));
      assert.throws(() => db.applySync([{ type: 'merge' } as never]), kind('InvalidArgument'));
      assert.throws(() => db.cursor({ gte: 5 as unknown as Uint8Array }), kind('InvalidArgument'));
      assert.equal(db.writeStall(), undefined);
    } finally {
      await db.close();
    }
  });
});

describe('write stalls', () => {
  test('writeStall() asks writers to wait while frozen memtables pile up, and resolves as flushes finish', async () => {
    const db = await open(DIR, { fs: new MemoryFileSystem(), memtableSize: 1024, fsync: 'no' });
    try {
      const writes: Promise<void>[] = [];
      let stall: Promise<void> | undefined;
      // applySync never blocks: writing faster than flushes finish, frozen memtables queue up.
      for (let i = 0; i < 200 && stall === undefined; i++) {
        writes.push(db.applySync([{ type: 'put', key: key(i), value: b('x'.repeat(50)) }]));
        if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
        stall = db.writeStall();
      }
      assert.ok(stall instanceof Promise, 'a stall once two memtables wait for their flush');
      assert.ok(db.stats().immutableMemtables >= 2, `${db.stats().immutableMemtables} frozen`);
      await stall;
      assert.ok(db.stats().immutableMemtables < 2 || db.stats().flushes > 0);
      await Promise.all(writes);
      await db.flush();
      assert.equal(db.stats().immutableMemtables, 0);
      assert.equal(db.writeStall(), undefined);
      for (let i = 0; i < writes.length; i++) assert.equal(str(db.getSync(key(i))), 'x'.repeat(50));
    } finally {
      await db.close();
    }
  });
});

describe('DiskFileSystem', () => {
  test('a store on real files survives flush and reopen', async (t) => {
    const dir = join(tempDir(t), 'nested', 'db');
    let db = await open(dir, { memtableSize: 4096 });
    for (let i = 0; i < 200; i++) await db.put(key(i), b(`v${i}`));
    await db.close();
    db = await open(dir, { fs: new DiskFileSystem() });
    try {
      assert.ok(db.stats().tables > 0);
      for (let i = 0; i < 200; i++) assert.equal(str(await db.get(key(i))), `v${i}`);
    } finally {
      await db.close();
    }
  });

  test('the lock of a dead process is taken over, a live one is Busy', async (t) => {
    const dir = tempDir(t);
    const child = spawn(process.execPath, ['-e', '']);
    const dead = child.pid!;
    await new Promise((resolve) => child.on('exit', resolve));
    writeFileSync(join(dir, 'LOCK'), `${dead}\n`);
    const db = await open(dir);
    await db.close();
    writeFileSync(join(dir, 'LOCK'), `${process.ppid}\n`);
    await assert.rejects(open(dir), kind('Busy'));
  });
});
