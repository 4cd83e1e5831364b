// The in-memory file system is the ground truth of every crash test, so it is tested on its own: what
// survives a crash, directory-entry durability, torn writes, injected faults, locks, and errors shaped like
// DiskFileSystem's (a StrataError carrying node's code).

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem, StrataError } from '@strata/engine';
import { Random, testSeed } from '../helpers/random.js';

const bytes = (s: string): Uint8Array => Buffer.from(s);

function contents(fs: MemoryFileSystem, path: string): string {
  const handle = fs.open(path, 'read');
  const out = new Uint8Array(handle.size());
  assert.equal(handle.read(out, 0, out.length, 0), out.length);
  handle.close();
  return Buffer.from(out).toString();
}

function code(expected: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof StrataError, `expected a StrataError, got ${String(error)}`);
    assert.equal(error.code, expected);
    return true;
  };
}

/** A file system with a durable directory `/d`. */
async function fresh(): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem();
  fs.mkdir('/d');
  await fs.syncDir('/');
  return fs;
}

describe('MemoryFileSystem', () => {
  test('a crash keeps synced bytes and drops the unsynced tail', async () => {
    const fs = await fresh();
    const file = fs.open('/d/f', 'create');
    file.append(bytes('abc'));
    await file.sync();
    file.append(bytes('def'));
    await fs.syncDir('/d');
    const image = fs.crash();
    assert.equal(contents(image, '/d/f'), 'abc');
    assert.equal(contents(fs, '/d/f'), 'abcdef', 'the running instance still sees everything');
    // The old handle writes to the old instance only.
    file.append(bytes('ghi'));
    await file.sync();
    assert.equal(contents(image, '/d/f'), 'abc');
    assert.equal(contents(fs, '/d/f'), 'abcdefghi');
  });

  test('a sync covers the bytes appended before it was called', async () => {
    const fs = await fresh();
    const file = fs.open('/d/f', 'create');
    await fs.syncDir('/d');
    file.append(bytes('12'));
    const synced = file.sync();
    file.append(bytes('34'));
    await synced;
    assert.equal(contents(fs.crash(), '/d/f'), '12');
  });

  test('a new file vanishes unless its directory was synced', async () => {
    const fs = await fresh();
    const file = fs.open('/d/f', 'create');
    file.append(bytes('x'));
    await file.sync();
    assert.equal(fs.crash().exists('/d/f'), false);
    await fs.syncDir('/d');
    assert.equal(contents(fs.crash(), '/d/f'), 'x');
  });

  test('a directory created by mkdir needs its parent synced', async () => {
    const fs = new MemoryFileSystem();
    fs.mkdir('/a/b');
    assert.equal(fs.exists('/a/b'), true);
    assert.equal(fs.crash().exists('/a'), false);
    await fs.syncDir('/');
    const image = fs.crash();
    assert.equal(image.exists('/a'), true);
    assert.equal(image.exists('/a/b'), false);
  });

  test('renames and removals are undone by a crash before syncDir', async () => {
    const fs = await fresh();
    for (const name of ['old', 'gone']) {
      const file = fs.open(`/d/${name}`, 'create');
      file.append(bytes(name));
      await file.sync();
      file.close();
    }
    await fs.syncDir('/d');
    fs.rename('/d/old', '/d/new');
    fs.remove('/d/gone');
    assert.deepEqual(fs.list('/d'), ['new']);
    const before = fs.crash();
    assert.deepEqual(before.list('/d'), ['gone', 'old']);
    assert.equal(contents(before, '/d/old'), 'old');
    await fs.syncDir('/d');
    const after = fs.crash();
    assert.deepEqual(after.list('/d'), ['new']);
    assert.equal(contents(after, '/d/new'), 'old');
  });

  test('rename replaces the target atomically', async () => {
    const fs = await fresh();
    for (const [name, text] of [['CURRENT', 'one'], ['tmp', 'two']] as const) {
      const file = fs.open(`/d/${name}`, 'create');
      file.append(bytes(text));
      await file.sync();
    }
    await fs.syncDir('/d');
    fs.rename('/d/tmp', '/d/CURRENT');
    assert.equal(contents(fs, '/d/CURRENT'), 'two');
    assert.equal(contents(fs.crash(), '/d/CURRENT'), 'one');
    await fs.syncDir('/d');
    assert.equal(contents(fs.crash(), '/d/CURRENT'), 'two');
  });

  test('syncDir covers only the changes made before it was called', async () => {
    const fs = await fresh();
    fs.open('/d/a', 'create').close();
    const synced = fs.syncDir('/d');
    fs.open('/d/b', 'create').close();
    await synced;
    assert.deepEqual(fs.crash().list('/d'), ['a']);
  });

  test('truncation by create mode is not durable until synced', async () => {
    const fs = await fresh();
    const file = fs.open('/d/f', 'create');
    file.append(bytes('durable'));
    await file.sync();
    await fs.syncDir('/d');
    const again = fs.open('/d/f', 'create');
    again.append(bytes('new'));
    assert.equal(contents(fs, '/d/f'), 'new');
    assert.equal(contents(fs.crash({ tear: true }), '/d/f'), 'durable');
    await again.sync();
    assert.equal(contents(fs.crash(), '/d/f'), 'new');
  });

  test('a torn crash keeps a prefix of the unsynced tail, maybe ending in garbage', async () => {
    const random = new Random(testSeed('memory-fs tear'));
    const fs = await fresh();
    const file = fs.open('/d/f', 'create');
    const synced = random.bytes(100);
    const tail = random.bytes(300);
    file.append(synced);
    await file.sync();
    file.append(tail);
    await fs.syncDir('/d');
    const full = Buffer.concat([synced, tail]);
    const lengths = new Set<number>();
    let damaged = 0;
    for (let i = 0; i < 300; i++) {
      const image = fs.crash({ tear: true, random: random.next });
      const handle = image.open('/d/f', 'read');
      const got = Buffer.alloc(handle.size());
      handle.read(got, 0, got.length, 0);
      assert.ok(got.length >= 100 && got.length <= 400, `length ${got.length}`);
      assert.deepEqual(got.subarray(0, 100), Buffer.from(synced), 'synced bytes are never torn');
      // Only the last 64 bytes may differ from what was written.
      const intact = Math.max(100, got.length - 64);
      assert.deepEqual(got.subarray(0, intact), full.subarray(0, intact));
      if (!got.equals(full.subarray(0, got.length))) damaged++;
      lengths.add(got.length);
    }
    assert.ok(lengths.has(100) || lengths.size > 50, 'tearing varies the surviving length');
    assert.ok(damaged > 0, 'some torn tails end in garbage');
    assert.equal(fs.crash().open('/d/f', 'read').size(), 100, 'without tear nothing unsynced survives');
  });

  test('a torn crash keeps a prefix of the unsynced directory changes', async () => {
    const random = new Random(testSeed('memory-fs dir tear'));
    const fs = await fresh();
    for (const name of ['a', 'b', 'c', 'd']) fs.open(`/d/${name}`, 'create').close();
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const names = fs.crash({ tear: true, random: random.next }).list('/d');
      assert.deepEqual(names, ['a', 'b', 'c', 'd'].slice(0, names.length));
      seen.add(names.join());
    }
    assert.equal(seen.size, 5);
  });

  test('injected faults throw node-like errors and change nothing', async () => {
    const fs = await fresh();
    const file = fs.open('/d/f', 'create');
    await fs.syncDir('/d');
    file.append(bytes('ok'));
    fs.inject((op) => (op === 'append' ? 'EIO' : undefined));
    assert.throws(() => file.append(bytes('lost')), code('EIO'));
    assert.equal(contents(fs, '/d/f'), 'ok');
    fs.inject((op, path) => (op === 'sync' && path === '/d/f' ? 'EIO' : undefined));
    await assert.rejects(file.sync(), code('EIO'));
    assert.equal(contents(fs.crash(), '/d/f'), '', 'a failed sync makes nothing durable');
    fs.inject((op) => (op === 'syncDir' ? 'EIO' : undefined));
    fs.open('/d/g', 'create').close();
    await assert.rejects(fs.syncDir('/d'), code('EIO'));
    assert.equal(fs.crash().exists('/d/g'), false);
    for (const op of ['open', 'list', 'mkdir', 'rename', 'remove', 'lock'] as const) {
      fs.inject((o) => (o === op ? 'EIO' : undefined));
      const call: Record<typeof op, () => unknown> = {
        open: () => fs.open('/d/f', 'read'),
        list: () => fs.list('/d'),
        mkdir: () => fs.mkdir('/e'),
        rename: () => fs.rename('/d/f', '/d/h'),
        remove: () => fs.remove('/d/f'),
        lock: () => fs.lock('/d/LOCK'),
      };
      assert.throws(call[op], code('EIO'), op);
    }
    fs.inject(undefined);
    assert.deepEqual(fs.list('/d'), ['f', 'g']);
    assert.equal(fs.exists('/e'), false);
  });

  test('ENOSPC on append may leave part of the write', async () => {
    const random = new Random(testSeed('memory-fs enospc'));
    const fs = new MemoryFileSystem({ random: random.next });
    const file = fs.open('/f', 'create');
    fs.inject((op) => (op === 'append' ? 'ENOSPC' : undefined));
    const data = random.bytes(1000);
    assert.throws(() => file.append(data), code('ENOSPC'));
    const size = file.size();
    assert.ok(size < 1000, `partial write of ${size} bytes`);
    const got = new Uint8Array(size);
    file.read(got, 0, size, 0);
    assert.deepEqual(got, data.subarray(0, size));
  });

  test('the sync hook counts sync points and a crash inside it loses that sync', async () => {
    const fs = new MemoryFileSystem();
    fs.mkdir('/d');
    const file = fs.open('/d/f', 'create');
    const points: string[] = [];
    let image: MemoryFileSystem | undefined;
    fs.onSync = (kind, path, count) => {
      points.push(`${count}:${kind}:${path}`);
      if (count === 4) image = fs.crash();
    };
    await fs.syncDir('/');
    await fs.syncDir('/d');
    file.append(bytes('a'));
    await file.sync();
    file.append(bytes('b'));
    await file.sync();
    assert.deepEqual(points, ['1:syncDir:/', '2:syncDir:/d', '3:sync:/d/f', '4:sync:/d/f']);
    assert.equal(fs.syncCount, 4);
    assert.ok(image);
    assert.equal(contents(image, '/d/f'), 'a');
    assert.equal(contents(fs.crash(), '/d/f'), 'ab');
  });

  test('locks are exclusive per instance and released on release', () => {
    const fs = new MemoryFileSystem();
    fs.mkdir('/d');
    const lock = fs.lock('/d/LOCK');
    assert.throws(() => fs.lock('/d/LOCK'), code('EBUSY'));
    const image = fs.crash();
    image.lock('/d/LOCK').release();
    lock.release();
    fs.lock('/d/LOCK').release();
  });

  test('errors for missing paths are like node:fs', () => {
    const fs = new MemoryFileSystem();
    fs.mkdir('/d');
    fs.mkdir('/d');
    assert.throws(() => fs.open('/d/missing', 'read'), code('ENOENT'));
    assert.throws(() => fs.open('/nodir/f', 'create'), code('ENOENT'));
    assert.throws(() => fs.list('/nodir'), code('ENOENT'));
    assert.throws(() => fs.remove('/d/missing'), code('ENOENT'));
    assert.throws(() => fs.rename('/d/missing', '/d/x'), code('ENOENT'));
    assert.throws(() => fs.open('/d', 'read'), code('EISDIR'));
    fs.open('/d/z', 'create').close();
    fs.open('/d/a', 'append').close();
    assert.deepEqual(fs.list('/d'), ['a', 'z']);
    assert.throws(() => fs.list('/d/z'), code('ENOTDIR'));
    assert.throws(() => fs.remove('/d'), code('ENOTEMPTY'));
    const reader = fs.open('/d/a', 'read');
    assert.throws(() => reader.append(bytes('x')), code('EBADF'));
    reader.close();
    assert.throws(() => reader.size(), code('EBADF'));
    assert.equal(fs.exists('d/a'), true, 'relative paths are taken from the root');
  });
});
