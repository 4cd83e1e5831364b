// Corruption tests on real files: a store with data in two SSTables and in the WAL is damaged one region
// at a time — a flipped byte or a truncation in every block kind of a table and its footer, the manifest,
// CURRENT, WAL records — and must either refuse to open with a Corruption error naming the file, or (for a
// data block, found only when read) fail the read with Corruption; never serve wrong bytes. A torn or
// corrupt tail of the newest WAL is the one damage that is repaired: cut at the last whole record and
// reported in stats().walTailBytesDropped.
// Regions are located from the formats in engine/FORMAT.md (table footer, record framing).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, StrataError, type Db } from '@strata/engine';
import { Random, testSeed } from '../helpers/random.js';

const FOOTER_SIZE = 52;
const BLOCK_TRAILER_SIZE = 5;
const RECORD_HEADER_SIZE = 9;
/** Keys 0..599 go to two tables by flush(); 600..639 stay in the WAL, one record each. */
const TABLE_KEYS = 600;
const WAL_KEYS = 40;

const keyName = (i: number): string => `key${String(i).padStart(5, '0')}`;

let root: string;
let pristine: string;
const model = new Map<string, string>();

before(async () => {
  const random = new Random(testSeed('corruption'));
  root = mkdtempSync(join(tmpdir(), 'strata-corruption-'));
  const live = join(root, 'live');
  const db = await open(live, { blockSize: 1024, memtableSize: 4 << 20 });
  for (let i = 0; i < TABLE_KEYS + WAL_KEYS; i++) {
    const value = `value${i}:${'abcdefghij'.repeat(random.between(1, 8))}`;
    model.set(keyName(i), value);
    await db.put(Buffer.from(keyName(i)), Buffer.from(value));
    if (i === TABLE_KEYS / 2 - 1 || i === TABLE_KEYS - 1) await db.flush();
  }
  // Every write is acknowledged (fsync 'always') and nothing runs in the background: a copy now is what a
  // crash would leave, WAL included (a clean close might flush it away).
  pristine = join(root, 'pristine');
  cpSync(live, pristine, { recursive: true });
  await db.close();
  const files = readdirSync(pristine);
  assert.equal(files.filter((f) => f.endsWith('.sst')).length, 2, `two tables expected, found ${files.join(' ')}`);
  assert.ok(files.some((f) => f.endsWith('.wal')), `a WAL expected, found ${files.join(' ')}`);
});

after(() => rmSync(root, { recursive: true, force: true }));

let trials = 0;
/** A fresh copy of the pristine store. */
function copy(): string {
  const dir = join(root, `trial${trials++}`);
  cpSync(pristine, dir, { recursive: true });
  return dir;
}

const filesOf = (dir: string, pattern: RegExp): string[] => readdirSync(dir).filter((f) => pattern.test(f)).sort();

function flip(path: string, offset: number): void {
  const bytes = readFileSync(path);
  assert.ok(offset >= 0 && offset < bytes.length, `offset ${offset} outside ${path} (${bytes.length} bytes)`);
  bytes[offset] = (bytes[offset] as number) ^ 0xff;
  writeFileSync(path, bytes);
}

function isCorruptionNaming(file: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof StrataError, `expected a StrataError, got ${String(error)}`);
    assert.equal(error.kind, 'Corruption', error.message);
    assert.ok(error.message.includes(file), `the message names ${file}: ${error.message}`);
    return true;
  };
}

async function mustRefuse(dir: string, file: string): Promise<void> {
  await assert.rejects(async () => {
    const db = await open(dir, { createIfMissing: false });
    await db.close();
  }, isCorruptionNaming(file));
}

/** Either open refuses, or reads of the damaged data fail with Corruption (unless `mayBeHarmless`); whatever
 *  is returned is right. */
async function mustDetect(dir: string, file: string, mayBeHarmless = false): Promise<void> {
  let db: Db;
  try {
    db = await open(dir, { createIfMissing: false });
  } catch (error) {
    isCorruptionNaming(file)(error);
    return;
  }
  try {
    let detected = 0;
    for (const [key, value] of model) {
      try {
        const got = await db.get(Buffer.from(key));
        assert.equal(got === undefined ? undefined : Buffer.from(got).toString(), value, `get ${key} served wrong data`);
      } catch (error) {
        if (error instanceof assert.AssertionError) throw error;
        isCorruptionNaming(file)(error);
        detected++;
      }
    }
    try {
      const seen: string[] = [];
      for await (const [k, v] of db.iterator()) seen.push(`${Buffer.from(k)}=${Buffer.from(v)}`);
      assert.deepEqual(seen, [...model].map(([k, v]) => `${k}=${v}`), 'a full scan served wrong data');
    } catch (error) {
      if (error instanceof assert.AssertionError) throw error;
      isCorruptionNaming(file)(error);
      detected++;
    }
    if (!mayBeHarmless) assert.ok(detected > 0, 'the damage went unnoticed by every read');
  } finally {
    await db.close();
  }
}

/** The newest WAL must be cut to its first `keep` records' worth of data: the keys written in the
 *  dropped records are gone, all others are there, and the store goes on working. */
async function mustCutTail(dir: string, dropped: number, lostKeys: number): Promise<void> {
  let db = await open(dir, { createIfMissing: false });
  try {
    assert.equal(db.stats().walTailBytesDropped, dropped, 'stats().walTailBytesDropped');
    const total = TABLE_KEYS + WAL_KEYS;
    for (let i = 0; i < total; i++) {
      const got = await db.get(Buffer.from(keyName(i)));
      const want = i < total - lostKeys ? model.get(keyName(i)) : undefined;
      assert.equal(got === undefined ? undefined : Buffer.from(got).toString(), want, `key ${keyName(i)} after the cut`);
    }
    await db.put(Buffer.from('after-cut'), Buffer.from('ok'));
    await db.close();
    db = await open(dir, { createIfMissing: false });
    assert.equal(db.stats().walTailBytesDropped, 0, 'the cut tail does not come back');
    assert.equal(Buffer.from((await db.get(Buffer.from('after-cut'))) ?? []).toString(), 'ok', 'a write after the cut survives a reopen');
  } finally {
    await db.close();
  }
}

/** Offsets of the records of a WAL or manifest file (FORMAT.md: crc u32, length u32, version u8, payload). */
function recordOffsets(bytes: Buffer): number[] {
  const offsets: number[] = [];
  for (let at = 0; at + RECORD_HEADER_SIZE <= bytes.length; at += RECORD_HEADER_SIZE + bytes.readUInt32LE(at + 4)) offsets.push(at);
  return offsets;
}

/** Block regions of a table, from its footer (FORMAT.md: filter, index, properties handles). */
function tableRegions(bytes: Buffer): Record<'data' | 'filter' | 'index' | 'properties', { offset: number; size: number }> {
  const footer = bytes.length - FOOTER_SIZE;
  const handle = (at: number): { offset: number; size: number } => ({
    offset: bytes.readUIntLE(footer + at, 6),
    size: bytes.readUInt32LE(footer + at + 8),
  });
  const filter = handle(0);
  const index = handle(12);
  const properties = handle(24);
  return { data: { offset: 0, size: Math.min(filter.offset, index.offset, properties.offset) }, filter, index, properties };
}

describe('SSTable damage', () => {
  for (const which of [0, 1]) {
    for (const kind of ['filter', 'index', 'properties'] as const) {
      for (const where of ['first', 'middle', 'trailer'] as const) {
        test(`table ${which}: ${kind} block, ${where} byte flipped -> open refuses`, async () => {
          const dir = copy();
          const file = filesOf(dir, /\.sst$/)[which] as string;
          const path = join(dir, file);
          const region = tableRegions(readFileSync(path))[kind];
          if (kind === 'filter' && region.size === 0) return;
          const offset = where === 'first' ? region.offset : where === 'middle' ? region.offset + (region.size >> 1) : region.offset + region.size - 1;
          flip(path, offset);
          // The issue asks open to check footer, index and filter; properties may be checked later, but
          // must be checked before use.
          if (kind === 'properties') await mustDetect(dir, file);
          else await mustRefuse(dir, file);
        });
      }
    }
    for (const at of [0, 8, 12, 24, 36, 40, 47, 48, 51]) {
      test(`table ${which}: footer byte ${at} flipped -> open refuses`, async () => {
        const dir = copy();
        const file = filesOf(dir, /\.sst$/)[which] as string;
        const path = join(dir, file);
        flip(path, readFileSync(path).length - FOOTER_SIZE + at);
        await mustRefuse(dir, file);
      });
    }
  }

  for (const where of ['first block', 'a middle block', 'a block trailer', 'the last data byte']) {
    test(`data block damage (${where}) is found on read, never served`, async () => {
      const dir = copy();
      const file = filesOf(dir, /\.sst$/)[0] as string;
      const path = join(dir, file);
      const data = tableRegions(readFileSync(path)).data;
      const offsets: Record<string, number> = {
        'first block': 10,
        'a middle block': data.size >> 1,
        'a block trailer': data.size - BLOCK_TRAILER_SIZE + 1,
        'the last data byte': data.size - 1,
      };
      flip(path, offsets[where] as number);
      await mustDetect(dir, file);
    });
  }

  for (const cut of [1, FOOTER_SIZE, FOOTER_SIZE + 7, 0.5]) {
    test(`table truncated by ${cut < 1 ? 'half' : `${cut} bytes`} -> open refuses`, async () => {
      const dir = copy();
      const file = filesOf(dir, /\.sst$/)[1] as string;
      const path = join(dir, file);
      const size = readFileSync(path).length;
      truncateSync(path, cut < 1 ? Math.floor(size * cut) : size - cut);
      await mustRefuse(dir, file);
    });
  }

  test('a missing table -> open refuses, naming it', async () => {
    const dir = copy();
    const file = filesOf(dir, /\.sst$/)[0] as string;
    unlinkSync(join(dir, file));
    await assert.rejects(open(dir, { createIfMissing: false }), (error: unknown) => {
      assert.ok(error instanceof StrataError, String(error));
      assert.ok(error.kind === 'Corruption' || error.kind === 'NotFound', error.message);
      assert.ok(error.message.includes(file), `the message names ${file}: ${error.message}`);
      return true;
    });
  });
});

describe('manifest and CURRENT damage', () => {
  test('every record of the manifest: a flipped byte -> open refuses', async () => {
    const dir0 = copy();
    const file = filesOf(dir0, /^MANIFEST/).at(-1) as string;
    const offsets = recordOffsets(readFileSync(join(dir0, file)));
    assert.ok(offsets.length > 0);
    for (const [i, start] of offsets.entries()) {
      for (const delta of [0, 4, 8, RECORD_HEADER_SIZE]) {
        const dir = i === 0 && delta === 0 ? dir0 : copy();
        const path = join(dir, file);
        if (start + delta >= readFileSync(path).length) continue;
        flip(path, start + delta);
        await mustRefuse(dir, file);
      }
    }
  });

  test('a truncated manifest is refused or loses nothing', async () => {
    const dir0 = copy();
    const file = filesOf(dir0, /^MANIFEST/).at(-1) as string;
    const size = readFileSync(join(dir0, file)).length;
    for (const cut of [1, 5, size >> 1, size - 1]) {
      const dir = cut === 1 ? dir0 : copy();
      truncateSync(join(dir, file), size - cut);
      // A manifest that lost a synced edit no longer knows a table: that must not pass unnoticed.
      await mustDetect(dir, file, true);
    }
  });

  test('a damaged CURRENT -> open refuses', async () => {
    for (const damage of ['flip first', 'flip last', 'empty', 'missing'] as const) {
      const dir = copy();
      const path = join(dir, 'CURRENT');
      const bytes = readFileSync(path);
      if (damage === 'flip first') flip(path, 0);
      else if (damage === 'flip last') flip(path, bytes.length - 1);
      else if (damage === 'empty') truncateSync(path, 0);
      else unlinkSync(path);
      // A store with tables but no usable CURRENT must not be mistaken for a new one.
      await assert.rejects(open(dir), (error: unknown) => {
        assert.ok(error instanceof StrataError, String(error));
        assert.ok(['Corruption', 'NotFound'].includes(error.kind), error.message);
        assert.match(error.message, /CURRENT|MANIFEST/, `${damage}: the message names the file`);
        return true;
      }, damage);
    }
  });
});

describe('WAL damage', () => {
  const newestWal = (dir: string): { file: string; path: string; bytes: Buffer; records: number[] } => {
    const file = filesOf(dir, /\.wal$/).at(-1) as string;
    const path = join(dir, file);
    const bytes = readFileSync(path);
    return { file, path, bytes, records: recordOffsets(bytes) };
  };

  test('the WAL holds one record per acknowledged put', () => {
    const { records } = newestWal(pristine);
    assert.ok(records.length >= WAL_KEYS, `${records.length} records for ${WAL_KEYS} puts`);
  });

  for (const cut of [1, 4, RECORD_HEADER_SIZE, RECORD_HEADER_SIZE + 1, 'all but 1 byte'] as const) {
    test(`torn tail (last record cut by ${cut}) is cut and reported`, async () => {
      const dir = copy();
      const { path, bytes, records } = newestWal(dir);
      const last = records.at(-1) as number;
      const size = cut === 'all but 1 byte' ? last + 1 : bytes.length - cut;
      truncateSync(path, size);
      await mustCutTail(dir, size - last, 1);
    });
  }

  for (const delta of [0, 4, 8, RECORD_HEADER_SIZE, -1]) {
    test(`corrupt last record (byte ${delta} flipped) is cut and reported`, async () => {
      const dir = copy();
      const { path, bytes, records } = newestWal(dir);
      const last = records.at(-1) as number;
      flip(path, delta < 0 ? bytes.length + delta : last + delta);
      await mustCutTail(dir, bytes.length - last, 1);
    });
  }

  for (const delta of [0, RECORD_HEADER_SIZE + 2]) {
    test(`a damaged record followed by whole ones (byte ${delta} flipped) -> open refuses`, async () => {
      const dir = copy();
      const { file, path, records } = newestWal(dir);
      const middle = records[records.length >> 1] as number;
      flip(path, middle + delta);
      // Not a torn tail: cutting here would drop acknowledged writes that follow.
      await assert.rejects(open(dir, { createIfMissing: false }), (error: unknown) => {
        isCorruptionNaming(file)(error);
        assert.ok((error as Error).message.includes(String(middle)), `the message gives the offset ${middle}: ${(error as Error).message}`);
        return true;
      });
    });
  }
});
