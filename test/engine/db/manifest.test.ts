// The manifest and CURRENT through the public API on the simulated file system: edits are durable once a
// flush resolves, a crash during an edit's append leaves a store that opens with everything, and a damaged
// or missing manifest, CURRENT or table refuses to open naming the file.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem, open, StrataError } from '@strata/engine';
import { files, frameRecord, readAll, RECORD_HEADER_SIZE, recordOffsets, writeAll } from './fs-bytes.js';

const DIR = '/db';
const key = (i: number): Buffer => Buffer.from(`key-${String(i).padStart(4, '0')}`);
const value = (i: number): Buffer => Buffer.from(`value-${i}`);

/** A store with two flushed tables and more keys flushed by its clean close. */
async function store(): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem();
  const db = await open(DIR, { fs });
  for (let i = 0; i < 300; i++) {
    await db.put(key(i), value(i));
    if (i === 99 || i === 199) await db.flush();
  }
  await db.close();
  return fs;
}

async function expectAll(fs: MemoryFileSystem, n = 300): Promise<void> {
  const db = await open(DIR, { fs });
  try {
    for (let i = 0; i < n; i++) assert.deepEqual(await db.get(key(i)), value(i), `${key(i)}`);
  } finally {
    await db.close();
  }
}

const manifestPath = (fs: MemoryFileSystem): string => `${DIR}/${readAll(fs, `${DIR}/CURRENT`).toString().trim()}`;

function refusesNaming(file: string | RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof StrataError, String(error));
    assert.equal(error.kind, 'Corruption', error.message);
    if (typeof file === 'string') assert.ok(error.message.includes(file), error.message);
    else assert.match(error.message, file);
    return true;
  };
}

describe('manifest', () => {
  test('CURRENT names a manifest whose records hold the live tables; open leaves no other files', async () => {
    const fs = await store();
    await writeAll(fs, `${DIR}/CURRENT.tmp`, Buffer.from('left over'));
    await writeAll(fs, `${DIR}/000777.sst`, Buffer.from('orphan table'));
    await writeAll(fs, `${DIR}/MANIFEST-000001`, Buffer.from('old manifest'));
    await expectAll(fs);
    const names = fs.list(DIR);
    assert.equal(names.filter((n) => n.startsWith('MANIFEST-')).length, 1, names.join(' '));
    assert.ok(!names.includes('CURRENT.tmp') && !names.includes('000777.sst') && !names.includes('MANIFEST-000001'));
    const bytes = readAll(fs, manifestPath(fs));
    const [first] = recordOffsets(bytes);
    const edit = JSON.parse(bytes.subarray(first! + RECORD_HEADER_SIZE, bytes.readUInt32LE(4) + RECORD_HEADER_SIZE).toString());
    assert.deepEqual(
      edit.addTables.map((t: { number: number }) => `${String(t.number).padStart(6, '0')}.sst`).sort(),
      files(fs, DIR, /\.sst$/).sort(),
    );
    assert.equal(Buffer.from(edit.addTables[0].smallestKey, 'hex').toString().startsWith('key-'), true);
  });

  test('a crash at any sync point of a flush leaves a store that opens with every acknowledged write', async () => {
    for (let point = 1; ; point++) {
      const fs = new MemoryFileSystem();
      const db = await open(DIR, { fs });
      for (let i = 0; i < 50; i++) await db.put(key(i), value(i));
      let image: MemoryFileSystem | undefined;
      let seen = 0;
      fs.onSync = () => {
        if (++seen === point) image = fs.crash({ tear: true });
      };
      await db.flush();
      await db.close();
      if (image === undefined) break; // every sync point of flush and close has been tried
      await expectAll(image, 50);
    }
  });

  test('a damaged last edit after its flush completed is detected, not ignored', async () => {
    const fs = await store();
    await expectAll(fs); // rewrites the manifest: one full record
    const db = await open(DIR, { fs });
    await db.put(key(1000), value(1000));
    await db.flush();
    await db.close();
    const path = manifestPath(fs);
    const bytes = readAll(fs, path);
    const last = recordOffsets(bytes).at(-1)!;
    bytes[bytes.length - 2] ^= 0xff;
    await writeAll(fs, path, bytes);
    await assert.rejects(open(DIR, { fs }), refusesNaming(new RegExp(`${path.split('/').at(-1)} at offset ${last}`)));
  });

  test('damage in the first record, bad CURRENT, missing manifest or table refuses to open', async () => {
    const damages: Array<[string, (fs: MemoryFileSystem) => Promise<string>]> = [
      ['first record flipped', async (fs) => {
        const path = manifestPath(fs);
        const bytes = readAll(fs, path);
        bytes[RECORD_HEADER_SIZE + 3] ^= 0x01;
        await writeAll(fs, path, bytes);
        return path.split('/').at(-1)!;
      }],
      ['unknown manifest version', async (fs) => {
        const path = manifestPath(fs);
        const bytes = readAll(fs, path);
        await writeAll(fs, path, frameRecord(bytes.subarray(RECORD_HEADER_SIZE), 7));
        return 'unknown record format version 7';
      }],
      ['CURRENT garbage', async (fs) => {
        await writeAll(fs, `${DIR}/CURRENT`, Buffer.from('MANIFEST-12x\n'));
        return 'CURRENT';
      }],
      ['manifest missing', async (fs) => {
        const path = manifestPath(fs);
        fs.remove(path);
        return path.split('/').at(-1)!;
      }],
      ['table missing', async (fs) => {
        const table = files(fs, DIR, /\.sst$/)[0]!;
        fs.remove(`${DIR}/${table}`);
        return table;
      }],
      ['CURRENT missing while tables exist', async (fs) => {
        fs.remove(`${DIR}/CURRENT`);
        return 'CURRENT';
      }],
    ];
    for (const [name, damage] of damages) {
      const fs = await store();
      const named = await damage(fs);
      await assert.rejects(open(DIR, { fs }), refusesNaming(named), name);
    }
  });
});

describe('flush failures', () => {
  for (const [op, pattern] of [['sync', /\.sst$/], ['append', /MANIFEST-/], ['syncDir', /^\/db$/]] as const) {
    test(`EIO on ${op} of ${pattern}: flush rejects, writes are refused, a reopen has everything`, async () => {
      const fs = new MemoryFileSystem();
      const db = await open(DIR, { fs });
      for (let i = 0; i < 50; i++) await db.put(key(i), value(i));
      fs.inject((o, path) => (o === op && pattern.test(path) ? 'EIO' : undefined));
      // (A directory sync may fail first in the WAL's round, which syncs the new WAL's name.)
      await assert.rejects(db.flush(), /failed, the database refuses further writes: .*EIO/);
      fs.inject(undefined);
      assert.match(String(db.stats().backgroundError), /refuses further writes/);
      await assert.rejects(db.put(key(99), value(99)), /refuses further writes/);
      assert.deepEqual(await db.get(key(7)), value(7));
      await db.close();
      await expectAll(fs, 50);
    });
  }
});
