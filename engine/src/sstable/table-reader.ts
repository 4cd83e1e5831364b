// Opens an SSTable: footer, index, filter and properties are read and verified once and held in memory;
// data blocks are read on demand with pread, CRC-checked before any use, and shared through the block
// cache. Any mismatch throws Corruption naming the file and the offset.

import type { BlockCache, FileBlocks } from '../cache/block-cache.js';
import type { OpenFileBudget } from '../cache/open-file-budget.js';
import { StrataError, corruption } from '../errors.js';
import { FoundVersion } from '../iterator/found-version.js';
import type { InternalIterator } from '../iterator/internal-iterator.js';
import { bloomHash } from '../util/bloom-hash.js';
import { compareBytes } from '../util/bytes.js';
import { compareInternal } from '../util/compare.js';
import { crc32 } from '../util/crc32.js';
import { headsOf, keyHead } from '../util/key-heads.js';
import { ByteReader } from '../util/varint.js';
import type { FileHandle, FileSystem } from '../vfs/file-system.js';
import { Block, BlockIterator } from './block.js';
import { BloomFilter } from './bloom.js';
import { FOOTER_SIZE, decodeFooter, type Footer } from './footer.js';
import { BLOCK_TRAILER_SIZE, BlockKind, type BlockHandle } from './format.js';
import { decodeProperties, type TableProperties } from './properties.js';
import { TableIterator } from './table-iterator.js';

export interface TableReaderOptions {
  /** Shared cache for data blocks; without one every block is read from the file. */
  cache?: BlockCache;
  /** Identifies the table in the cache. */
  fileNumber: number;
  /** Bound on open table files shared by the tables of a database. */
  files?: OpenFileBudget;
}

/** Order of `key` (whose heads are h0, h1) against `bound` (whose heads are `boundHeads`): by the heads,
 *  and by the bytes only when they are equal. */
function compareWithBound(key: Uint8Array, h0: number, h1: number, bound: Uint8Array, boundHeads: Float64Array): number {
  if (h0 !== boundHeads[0]) return h0 - boundHeads[0]!;
  if (h1 !== boundHeads[1]) return h1 - boundHeads[1]!;
  return compareBytes(key, 0, key.length, bound, 0, bound.length);
}

export class TableReader {
  readonly path: string;
  readonly fileNumber: number;
  readonly properties: TableProperties;
  /** The index block: one entry per data block, its last internal key -> varint offset, varint size. */
  readonly index: Block;
  private readonly fs: FileSystem;
  /** Open while blocks may be read; releaseFile() closes it and the next read reopens it. */
  private file: FileHandle | undefined;
  private closed = false;
  private readonly filter: BloomFilter | undefined;
  private readonly cache: BlockCache | undefined;
  /** This table's blocks in the cache, by block number (= index entry number). */
  private readonly cached: FileBlocks | undefined;
  private readonly files: OpenFileBudget | undefined;
  /** End of the data blocks region. */
  private readonly dataEnd: number;
  /** The heads (util/key-heads.ts) of the smallest and of the largest key. */
  private readonly lowHeads: Float64Array;
  private readonly highHeads: Float64Array;
  // Scratch state for get() and block(): lookups are synchronous, so one set per table serves them all.
  private readonly indexCursor = new BlockIterator();
  private readonly dataCursor = new BlockIterator();
  private readonly handleReader: ByteReader;
  private handleOffset = 0;
  private handleSize = 0;
  private readonly found = new FoundVersion();

  static open(fs: FileSystem, path: string, options: TableReaderOptions): TableReader {
    const file = fs.open(path, 'read');
    try {
      return new TableReader(fs, file, path, options);
    } catch (err) {
      file.close();
      throw err;
    }
  }

  private constructor(fs: FileSystem, file: FileHandle, path: string, options: TableReaderOptions) {
    this.fs = fs;
    this.file = file;
    this.path = path;
    this.fileNumber = options.fileNumber;
    this.cache = options.cache;
    this.files = options.files;

    const fileSize = file.size();
    if (fileSize < FOOTER_SIZE) throw corruption(path, 0, `file of ${fileSize} bytes is shorter than a table footer`);
    const footerOffset = fileSize - FOOTER_SIZE;
    const footer = decodeFooter(this.readExactly(footerOffset, FOOTER_SIZE));
    if (typeof footer === 'string') throw corruption(path, footerOffset, footer);
    this.checkLayout(footer, footerOffset);
    this.dataEnd = footer.filter.offset;

    const props = decodeProperties(this.readBlock(footer.properties, BlockKind.Properties), fileSize);
    if (props === undefined) throw corruption(path, footer.properties.offset, 'malformed properties block');
    this.properties = props;
    this.lowHeads = headsOf(props.smallestKey);
    this.highHeads = headsOf(props.largestKey);

    if (footer.filter.size > 0) {
      this.filter = BloomFilter.parse(this.readBlock(footer.filter, BlockKind.Filter));
      if (this.filter === undefined) throw corruption(path, footer.filter.offset, 'malformed bloom filter');
    }

    this.index = new Block(this.readBlock(footer.index, BlockKind.Index), path, footer.index.offset);
    this.handleReader = new ByteReader(this.index.bytes);
    this.checkIndex();
    this.indexCursor.reset(this.index);
    this.cached = this.cache?.blocksOf(this.fileNumber, props.dataBlocks);
    this.files?.opened(this);
  }

  /** Bytes held in memory for as long as the table is open (index, filter, and its slots in the cache). */
  get memoryBytes(): number {
    return this.index.byteLength + (this.filter?.byteLength ?? 0) + (this.cached?.byteLength ?? 0);
  }

  /** The newest version of `key` with sequence <= snapshotSequence, or undefined if the table has none
   *  (the table's FoundVersion, overwritten by its next lookup). A caller probing many tables for one key
   *  can compute its bloom hash (`bloomHash(key)`) and its heads (`keyHead(key, 0, key.length, 0)` and
   *  `..., 6)`) once and pass them. */
  get(key: Uint8Array, snapshotSequence: number, keyHash?: number, head0?: number, head1?: number): FoundVersion | undefined {
    // The key range first: of the tables of a sorted run only one can hold the key, and comparing with
    // its bounds (in cache) spares the others a bloom probe (random reads in a large array). By the heads
    // first: two number comparisons instead of byte loops over a shared prefix, for every table probed.
    const h0 = head0 ?? keyHead(key, 0, key.length, 0);
    const h1 = head1 ?? keyHead(key, 0, key.length, 6);
    if (this.outsideRange(key, h0, h1)) return undefined;
    if (this.filter !== undefined && !this.filter.mayContainHash(keyHash ?? bloomHash(key))) return undefined;
    // The first block whose last entry is at or after (key, snapshot) holds the answer if there is one.
    // The index restarts at every entry, so its restart number is the block number.
    const blockNumber = this.indexCursor.restartAtOrAfter(key, snapshotSequence);
    if (blockNumber >= this.properties.dataBlocks) return undefined;
    const data = this.dataCursor;
    const block = this.block(blockNumber, true);
    data.reset(block);
    if (!data.seekVersion(key, snapshotSequence)) return undefined;
    return this.found.set(data.kind, data.sequence, block.bytes, data.valueOffset, data.valueLimit);
  }

  /** True if `key` (whose heads are h0, h1) sorts before the table's smallest key or after its largest. */
  private outsideRange(key: Uint8Array, h0: number, h1: number): boolean {
    const { smallestKey, largestKey } = this.properties;
    return compareWithBound(key, h0, h1, smallestKey, this.lowHeads) < 0 || compareWithBound(key, h0, h1, largestKey, this.highHeads) > 0;
  }

  /** A two-level iterator. `fillCache: false` (for compaction and scans that read each block once) still
   *  uses cached blocks but does not add the ones it reads. */
  iterator(options?: { fillCache?: boolean }): InternalIterator {
    return new TableIterator(this, options?.fillCache ?? true);
  }

  /** Reads every data block from the file (not the cache) and checks CRCs, structure, order and counts. */
  verify(): void {
    const index = new BlockIterator();
    index.reset(this.index);
    const data = new BlockIterator();
    let previousKey: Buffer | undefined;
    let previousSequence = 0;
    let entries = 0;
    for (index.seekToFirst(); index.valid; index.next()) {
      this.decodeHandle(index);
      const offset = this.handleOffset;
      const block = new Block(this.readBlock({ offset, size: this.handleSize }, BlockKind.Data), this.path, offset);
      data.reset(block);
      for (data.seekToFirst(); data.valid; data.next()) {
        if (previousKey !== undefined && compareInternal(previousKey, previousSequence, data.key, data.sequence) >= 0) {
          throw corruption(this.path, offset, 'entries out of order');
        }
        previousKey = Buffer.from(data.key);
        previousSequence = data.sequence;
        entries++;
      }
      if (previousKey === undefined || compareInternal(previousKey, previousSequence, index.key, index.sequence) !== 0) {
        throw corruption(this.path, offset, 'last entry of the block differs from its index entry');
      }
    }
    if (entries !== this.properties.entries) {
      throw corruption(this.path, 0, `${entries} entries found, properties say ${this.properties.entries}`);
    }
  }

  /** Closes the file descriptor but keeps the table usable (index and filter stay in memory; the next
   *  block read reopens the file), so a store of many tables can bound its open descriptors. */
  releaseFile(): void {
    const file = this.file;
    this.file = undefined;
    if (file === undefined) return;
    this.files?.released(this);
    file.close();
  }

  /** True while the table holds an open file descriptor. */
  get holdsFile(): boolean {
    return this.file !== undefined;
  }

  close(): void {
    this.closed = true;
    this.releaseFile();
  }

  /** The verified data block that the index entry under `indexCursor` points at, through the cache. */
  blockAt(indexCursor: BlockIterator, fillCache = true): Block {
    // The index restarts at every entry (checked on open), so the restart index is the block number.
    return this.block(indexCursor.restartIndex, fillCache);
  }

  /** Data block `blockNumber`, verified, through the cache. */
  private block(blockNumber: number, fillCache: boolean): Block {
    const cache = this.cache;
    const cached = cache?.get(this.cached!, blockNumber);
    if (cached !== undefined) return cached;
    const index = this.indexCursor;
    index.seekToRestart(blockNumber);
    this.decodeHandle(index);
    const offset = this.handleOffset;
    const size = this.handleSize;
    // A block for the cache is read straight into the cache's memory.
    const into = fillCache ? cache?.allocate(size) : undefined;
    const block = new Block(this.readBlock({ offset, size }, BlockKind.Data, into), this.path, offset);
    if (fillCache) cache?.set(this.cached!, blockNumber, block);
    return block;
  }

  /** Decodes the data block handle in the index entry under `cursor` into handleOffset/handleSize. */
  private decodeHandle(cursor: BlockIterator): void {
    const r = this.handleReader;
    const end = cursor.valueLimit;
    r.pos = cursor.valueOffset;
    const offset = r.varint(end);
    const size = r.varint(end);
    if (offset < 0 || size < BLOCK_TRAILER_SIZE + 4 || r.pos !== end || offset + size > this.dataEnd) {
      throw corruption(this.path, this.index.fileOffset, `bad data block handle in the index (offset ${offset}, size ${size})`);
    }
    this.handleOffset = offset;
    this.handleSize = size;
  }

  /** Reads a block (into `into`, of `size` bytes, if given), checks its trailer (kind and CRC) and returns
   *  its contents. */
  private readBlock(handle: BlockHandle, kind: BlockKind, into?: Buffer): Buffer {
    const { offset, size } = handle;
    if (size < BLOCK_TRAILER_SIZE) throw corruption(this.path, offset, `block of ${size} bytes is shorter than its trailer`);
    const buf = this.readExactly(offset, size, into);
    const contentSize = size - BLOCK_TRAILER_SIZE;
    const stored = buf.readUInt32LE(contentSize + 1);
    const actual = crc32(buf.subarray(0, contentSize + 1));
    if (stored !== actual) {
      throw corruption(this.path, offset, `block checksum mismatch (stored ${stored}, computed ${actual}, ${size} bytes)`);
    }
    if (buf[contentSize] !== kind) {
      throw corruption(this.path, offset, `block kind ${buf[contentSize]} where kind ${kind} was expected`);
    }
    return buf.subarray(0, contentSize);
  }

  private readExactly(offset: number, size: number, into?: Buffer): Buffer {
    if (this.closed) throw new StrataError('Closed', `${this.path}: table is closed`);
    let file = this.file;
    if (file === undefined) {
      file = this.file = this.fs.open(this.path, 'read');
      this.files?.opened(this);
    }
    const buf = into ?? Buffer.allocUnsafeSlow(size);
    let done = 0;
    while (done < size) {
      const n = file.read(buf, done, size - done, offset + done);
      if (n <= 0) throw corruption(this.path, offset, `short read: ${done} of ${size} bytes (file truncated?)`);
      done += n;
    }
    return buf;
  }

  /** The file is: data blocks, filter, index, properties, footer, back to back. */
  private checkLayout(f: Footer, footerOffset: number): void {
    const { filter, index, properties } = f;
    if (
      filter.offset + filter.size !== index.offset ||
      index.offset + index.size !== properties.offset ||
      properties.offset + properties.size !== footerOffset
    ) {
      throw corruption(this.path, footerOffset, 'footer block handles do not tile the file');
    }
  }

  /** The index must restart at every entry (and nowhere else), and its handles must tile the data region
   *  exactly. (Key order is checked by verify(): it costs a comparison per block, and open time matters
   *  for stores of many tables.) */
  private checkIndex(): void {
    const cursor = new BlockIterator();
    cursor.reset(this.index);
    let expectedOffset = 0;
    let count = 0;
    for (cursor.seekToFirst(); cursor.valid; cursor.next()) {
      if (cursor.restartIndex !== count) {
        throw corruption(this.path, this.index.fileOffset, `index entry ${count} is not at a restart point`);
      }
      this.decodeHandle(cursor);
      if (this.handleOffset !== expectedOffset) {
        throw corruption(this.path, this.index.fileOffset, `index entry ${count} points at ${this.handleOffset}, expected ${expectedOffset}`);
      }
      expectedOffset += this.handleSize;
      count++;
    }
    // (An empty block has one restart point, at 0.)
    if (this.index.numRestarts !== Math.max(count, 1)) {
      throw corruption(this.path, this.index.fileOffset, `index has ${this.index.numRestarts} restart points for ${count} entries`);
    }
    if (expectedOffset !== this.dataEnd || count !== this.properties.dataBlocks) {
      throw corruption(this.path, this.index.fileOffset, `index covers ${count} blocks / ${expectedOffset} bytes, expected ${this.properties.dataBlocks} / ${this.dataEnd}`);
    }
  }
}
