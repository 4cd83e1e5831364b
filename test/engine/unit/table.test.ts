import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { BlockCache, StrataError, FOOTER_SIZE, decodeFooter, TableBuilder, TableReader, bloomHash, crc32, DiskFileSystem } from './internals.js';
import type { Footer, TableProperties } from './internals.js';
import { Random, testSeed } from '../../helpers/random.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { checkIterator, modelGet, randomEntries, type ModelEntry } from './internal-model.js';

const fs = new DiskFileSystem();

function buildTable(path: string, entries: readonly ModelEntry[], blockSize = 4096, bloomBitsPerKey = 10): TableProperties {
  const file = fs.open(path, 'create');
  const builder = new TableBuilder(file, { blockSize, bloomBitsPerKey });
  let estimate = 0;
  for (const e of entries) {
    builder.add(e.key, e.sequence, e.kind, e.value);
    assert.ok(builder.estimatedFileSize >= estimate, 'the size estimate (for splitting outputs) never shrinks');
    estimate = builder.estimatedFileSize;
  }
  const props = builder.finish();
  assert.ok(estimate <= props.fileSize);
  file.close();
  return props;
}

function checkGets(reader: TableReader, entries: readonly ModelEntry[], rnd: Random): void {
  for (let n = 0; n < 300; n++) {
    const key = entries.length > 0 && rnd.chance(0.8) ? rnd.pick(entries).key : Buffer.from(rnd.bytes(rnd.between(0, 5)));
    const snapshot = rnd.chance(0.3) ? Number.MAX_SAFE_INTEGER : rnd.int(entries.length + 2);
    const want = modelGet(entries, key, snapshot);
    // Half the lookups pass a plain Uint8Array, half the key's bloom hash precomputed (as a caller probing
    // many tables does).
    const got = rnd.chance(0.5) ? reader.get(new Uint8Array(key), snapshot) : reader.get(key, snapshot, bloomHash(key));
    assert.deepEqual(
      got && [got.sequence, got.kind, got.value.toString('hex')],
      want && [want.sequence, want.kind, want.value.toString('hex')],
      `get ${key.toString('hex')} at ${snapshot}`,
    );
  }
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Asserts that `fn` throws a Corruption error naming `path` and an offset. */
function assertCorruption(fn: () => unknown, path: string, what: string): void {
  assert.throws(
    fn,
    (err: unknown) => {
      assert.ok(err instanceof StrataError, `${what}: not a StrataError: ${String(err)}`);
      assert.equal(err.kind, 'Corruption', `${what}: ${err.message}`);
      assert.match(err.message, new RegExp(`${escape(path)} at offset \\d+`), what);
      return true;
    },
    what,
  );
}

describe('SSTable', () => {
  test('round trips: gets at snapshots, iterators both ways, properties, verify (randomised)', (t) => {
    const dir = tempDir(t);
    const rnd = new Random(testSeed('table round trip'));
    const cases = [
      { keys: 0, maxKey: 8, maxValue: 10, blockSize: 4096, bloom: 10 },
      { keys: 1, maxKey: 0, maxValue: 0, blockSize: 4096, bloom: 10 },
      { keys: 300, maxKey: 6, maxValue: 0, blockSize: 64, bloom: 0 },
      { keys: 2000, maxKey: 16, maxValue: 100, blockSize: 4096, bloom: 10 },
      { keys: 200, maxKey: 16, maxValue: 9000, blockSize: 1024, bloom: 5 },
    ];
    for (const [i, c] of cases.entries()) {
      const entries = randomEntries(rnd, c.keys, c.maxKey, c.maxValue);
      const path = join(dir, `${i}.sst`);
      const props = buildTable(path, entries, c.blockSize, c.bloom);
      assert.equal(props.entries, entries.length);
      assert.equal(props.fileSize, statSync(path).size);
      assert.equal(props.deletions, entries.filter((e) => e.kind === 0).length);
      if (entries.length > 0) {
        assert.ok(props.smallestKey.equals(entries[0]!.key));
        assert.ok(props.largestKey.equals(entries.at(-1)!.key));
        assert.equal(props.minSequence, Math.min(...entries.map((e) => e.sequence)));
        assert.equal(props.maxSequence, Math.max(...entries.map((e) => e.sequence)));
      }
      for (const cache of [undefined, new BlockCache(64 * 1024)]) {
        const reader = TableReader.open(fs, path, { fileNumber: i, ...(cache ? { cache } : {}) });
        try {
          assert.deepEqual(reader.properties, props);
          assert.ok(reader.memoryBytes > 0);
          checkGets(reader, entries, rnd);
          checkIterator(reader.iterator(), entries, rnd, 150);
          reader.verify();
          if (cache && entries.length > 0) assert.ok(cache.stats().hits > 0);
        } finally {
          reader.close();
        }
      }
    }
  });

  test('values far larger than a block, and a key with thousands of versions spanning blocks', (t) => {
    const dir = tempDir(t);
    const entries: ModelEntry[] = [];
    for (let s = 3000; s >= 1; s--) entries.push({ key: Buffer.from('hot'), sequence: s, kind: 1, value: Buffer.from(`v${s}`) });
    entries.push({ key: Buffer.from('huge'), sequence: 5000, kind: 1, value: Buffer.alloc(200_000, 9) });
    const path = join(dir, 'big.sst');
    const props = buildTable(path, entries, 512, 10);
    assert.ok(props.dataBlocks > 10);
    const reader = TableReader.open(fs, path, { fileNumber: 1 });
    for (const snapshot of [1, 2, 1500, 2999, 3000, 9999]) {
      assert.equal(reader.get(Buffer.from('hot'), snapshot)!.value.toString(), `v${Math.min(snapshot, 3000)}`);
    }
    assert.equal(reader.get(Buffer.from('hot'), 0), undefined);
    assert.ok(reader.get(Buffer.from('huge'), 5000)!.value.equals(entries.at(-1)!.value));
    checkIterator(reader.iterator(), entries, new Random(7), 50);
    reader.close();
  });

  test('an iterator with fillCache false reads through the cache without filling it', (t) => {
    const path = join(tempDir(t), 'scan.sst');
    const entries = randomEntries(new Random(3), 500, 16, 100);
    buildTable(path, entries, 1024, 10);
    const cache = new BlockCache(1 << 20);
    const reader = TableReader.open(fs, path, { fileNumber: 1, cache });
    let n = 0;
    const it = reader.iterator({ fillCache: false });
    for (it.seekToFirst(); it.valid; it.next()) n++;
    assert.equal(n, entries.length);
    assert.equal(cache.stats().blocks, 0);
    reader.get(entries[0]!.key, Number.MAX_SAFE_INTEGER);
    assert.equal(cache.stats().blocks, 1);
    reader.close();
  });

  test('releaseFile closes the descriptor; the next block read reopens it; close is final', (t) => {
    const path = join(tempDir(t), 'fd.sst');
    const entries = randomEntries(new Random(5), 300, 16, 100);
    buildTable(path, entries, 512, 10);
    const reader = TableReader.open(fs, path, { fileNumber: 1 });
    assert.equal(reader.holdsFile, true);
    reader.releaseFile();
    assert.equal(reader.holdsFile, false);
    assert.equal(reader.get(entries.at(-1)!.key, Number.MAX_SAFE_INTEGER)?.sequence, entries.at(-1)!.sequence);
    assert.equal(reader.holdsFile, true);
    reader.close();
    assert.equal(reader.holdsFile, false);
    assert.throws(() => reader.get(entries[0]!.key, Number.MAX_SAFE_INTEGER), /Closed/);
  });

  test('entries out of internal order are refused', (t) => {
    const file = fs.open(join(tempDir(t), 'bad.sst'), 'create');
    const builder = new TableBuilder(file, { blockSize: 4096, bloomBitsPerKey: 10 });
    builder.add(Buffer.from('b'), 5, 1, Buffer.from('x'));
    assert.throws(() => builder.add(Buffer.from('a'), 9, 1, Buffer.from('x')), /InvalidArgument/);
    assert.throws(() => builder.add(Buffer.from('b'), 6, 1, Buffer.from('x')), /InvalidArgument/);
    assert.throws(() => builder.add(Buffer.from('b'), 5, 1, Buffer.from('x')), /InvalidArgument/);
    builder.add(Buffer.from('b'), 4, 1, Buffer.from('x'));
    file.close();
  });

  describe('corruption', () => {
    const entries = randomEntries(new Random(42), 1500, 16, 60);

    /** Builds a pristine table, applies `damage` to a copy, and returns the copy's path and the footer. */
    function damaged(dir: string, name: string, damage: (bytes: Buffer, footer: Footer) => Buffer): string {
      const pristine = join(dir, 'pristine.sst');
      buildTable(pristine, entries, 1024, 10);
      const bytes = readFileSync(pristine);
      const footer = decodeFooter(bytes.subarray(bytes.length - FOOTER_SIZE)) as Footer;
      const path = join(dir, name);
      writeFileSync(path, damage(Buffer.from(bytes), footer));
      return path;
    }
    const flip = (at: number) => (bytes: Buffer): Buffer => {
      bytes[at]! ^= 0x40;
      return bytes;
    };

    test('a flipped byte in a data block: open succeeds, reads of that block and verify fail', (t) => {
      const dir = tempDir(t);
      for (const at of [3, 1500, 20_000]) {
        const path = damaged(dir, `data-${at}.sst`, flip(at));
        const reader = TableReader.open(fs, path, { fileNumber: 1, cache: new BlockCache(1 << 20) });
        assertCorruption(() => reader.verify(), path, `verify with byte ${at} flipped`);
        assertCorruption(() => {
          const it = reader.iterator();
          for (it.seekToFirst(); it.valid; it.next());
        }, path, `scan with byte ${at} flipped`);
        assertCorruption(() => {
          for (const e of entries) reader.get(e.key, Number.MAX_SAFE_INTEGER);
        }, path, `gets with byte ${at} flipped`);
        reader.close();
      }
    });

    test('a flipped byte in the filter, index, properties or footer fails open', (t) => {
      const dir = tempDir(t);
      const regions: [string, (f: Footer, size: number) => number][] = [
        ['filter start', (f) => f.filter.offset],
        ['filter end', (f) => f.filter.offset + f.filter.size - 6],
        ['filter trailer kind', (f) => f.filter.offset + f.filter.size - 5],
        ['filter crc', (f) => f.filter.offset + f.filter.size - 1],
        ['index start', (f) => f.index.offset],
        ['index middle', (f) => f.index.offset + (f.index.size >> 1)],
        ['index restarts', (f) => f.index.offset + f.index.size - 7],
        ['properties', (f) => f.properties.offset + 1],
        ['footer filter handle', (_f, size) => size - FOOTER_SIZE],
        ['footer index handle', (_f, size) => size - FOOTER_SIZE + 12],
        ['footer properties handle', (_f, size) => size - FOOTER_SIZE + 24 + 8],
        ['footer version', (_f, size) => size - FOOTER_SIZE + 36],
        ['footer magic', (_f, size) => size - FOOTER_SIZE + 44],
        ['footer crc', (_f, size) => size - 2],
      ];
      for (const [name, where] of regions) {
        const path = damaged(dir, `${name.replace(/ /g, '-')}.sst`, (bytes, footer) => flip(where(footer, bytes.length))(bytes));
        assertCorruption(() => TableReader.open(fs, path, { fileNumber: 1 }).close(), path, name);
      }
    });

    test('an index restart point off its entry fails open, even with a valid checksum', (t) => {
      // A lookup takes an index entry's restart number for its block number: every entry must be one.
      const dir = tempDir(t);
      const path = damaged(dir, 'index-restart.sst', (bytes, footer) => {
        const contentEnd = footer.index.offset + footer.index.size - 5;
        const restarts = bytes.readUInt32LE(contentEnd - 4);
        const second = contentEnd - 4 - 4 * restarts + 4;
        bytes.writeUInt32LE(bytes.readUInt32LE(second) + 1, second);
        bytes.writeUInt32LE(crc32(bytes.subarray(footer.index.offset, contentEnd + 1)), contentEnd + 1);
        return bytes;
      });
      assertCorruption(() => TableReader.open(fs, path, { fileNumber: 1 }).close(), path, 'restart moved off its entry');
    });

    test('truncation at any point fails open', (t) => {
      const dir = tempDir(t);
      const size = statSync(damaged(dir, 'probe.sst', (b) => b)).size;
      for (const keep of [0, 1, 100, size >> 1, size - FOOTER_SIZE - 1, size - FOOTER_SIZE, size - 10, size - 1]) {
        const path = damaged(dir, `cut-${keep}.sst`, (b) => b);
        truncateSync(path, keep);
        assertCorruption(() => TableReader.open(fs, path, { fileNumber: 1 }).close(), path, `truncated to ${keep}`);
      }
    });

    test('another format version (an older bloom layout, or a newer build) is refused by name, even with a valid checksum', (t) => {
      const dir = tempDir(t);
      for (const version of [1, 3]) {
        const path = damaged(dir, `v${version}.sst`, (bytes) => {
          const footer = bytes.subarray(bytes.length - FOOTER_SIZE);
          footer.writeUInt32LE(version, 36);
          footer.writeUInt32LE(crc32(footer.subarray(0, 48)), 48);
          return bytes;
        });
        assert.throws(() => TableReader.open(fs, path, { fileNumber: 1 }), new RegExp(`unsupported table format version ${version} \\(this build reads 2\\)`));
      }
    });

    test('a flip anywhere is detected by open or verify, and no read answers wrongly (randomised)', (t) => {
      const dir = tempDir(t);
      const rnd = new Random(testSeed('table random flips'));
      const pristine = readFileSync(damaged(dir, 'base.sst', (b) => b));
      const model = new Map(entries.map((e) => [e.key.toString('hex'), modelGet(entries, e.key, Number.MAX_SAFE_INTEGER)!]));
      for (let n = 0; n < 40; n++) {
        const at = rnd.int(pristine.length);
        const path = join(dir, `flip-${n}.sst`);
        const bytes = Buffer.from(pristine);
        bytes[at]! ^= 1 << rnd.int(8);
        writeFileSync(path, bytes);
        let reader: TableReader;
        try {
          reader = TableReader.open(fs, path, { fileNumber: n });
        } catch (err) {
          assertCorruption(() => { throw err; }, path, `open with byte ${at} flipped`);
          continue;
        }
        for (const [hex, want] of model) {
          try {
            const got = reader.get(Buffer.from(hex, 'hex'), Number.MAX_SAFE_INTEGER);
            assert.deepEqual(got && [got.sequence, got.value.toString('hex')], [want.sequence, want.value.toString('hex')], `byte ${at}`);
          } catch (err) {
            if (err instanceof assert.AssertionError) throw err;
            assertCorruption(() => { throw err; }, path, `get with byte ${at} flipped`);
          }
        }
        // Every byte is under some CRC: what open did not catch, verify must.
        assertCorruption(() => reader.verify(), path, `verify with byte ${at} flipped`);
        reader.close();
      }
    });

    test('copying is not corruption: a pristine copy opens and verifies', (t) => {
      const dir = tempDir(t);
      const path = damaged(dir, 'same.sst', (b) => b);
      const copy = join(dir, 'copy.sst');
      copyFileSync(path, copy);
      const reader = TableReader.open(fs, copy, { fileNumber: 1 });
      reader.verify();
      reader.close();
    });
  });
});
