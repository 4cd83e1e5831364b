// Writes one SSTable, streaming: data blocks go to the file as they fill (through a small write buffer),
// and only the index, the bloom hashes (4 bytes per key) and the current block stay in memory.
// finish() writes filter, index, properties and footer; it does not sync (the caller does).

import { StrataError } from '../errors.js';
import { ValueKind } from '../iterator/internal-iterator.js';
import { compareBytes } from '../util/bytes.js';
import { crc32 } from '../util/crc32.js';
import { MAX_VARINT_LENGTH, putVarint } from '../util/varint.js';
import type { FileHandle } from '../vfs/file-system.js';
import { BlockBuilder } from './block-builder.js';
import { BloomFilterBuilder } from './bloom.js';
import { encodeFooter } from './footer.js';
import { BLOCK_TRAILER_SIZE, BlockKind, RESTART_INTERVAL, type BlockHandle } from './format.js';
import { encodeProperties, type TableProperties } from './properties.js';

export interface TableBuilderOptions {
  /** Target size of a data block's contents, in bytes. */
  blockSize: number;
  /** Bloom filter bits per user key; 0 writes no filter. */
  bloomBitsPerKey: number;
}

/** Blocks are gathered up to this many bytes before one append, to save system calls. */
const WRITE_BUFFER_SIZE = 64 * 1024;

export class TableBuilder {
  private readonly file: FileHandle;
  private readonly blockSize: number;
  private readonly data = new BlockBuilder(RESTART_INTERVAL);
  private readonly index = new BlockBuilder(1);
  private readonly bloom: BloomFilterBuilder | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes handed to the file plus bytes pending. */
  private offset = 0;
  private lastKey = Buffer.alloc(0);
  private lastSequence = 0;
  private entries = 0;
  private dataBlocks = 0;
  private deletions = 0;
  private smallestKey: Buffer | undefined;
  private minSequence = Number.MAX_SAFE_INTEGER;
  private maxSequence = 0;
  private finished = false;
  private readonly handleScratch = Buffer.allocUnsafe(2 * MAX_VARINT_LENGTH);

  constructor(file: FileHandle, options: TableBuilderOptions) {
    if (!(options.blockSize >= 64)) throw new StrataError('InvalidArgument', `block size ${options.blockSize} is below 64 bytes`);
    if (!(options.bloomBitsPerKey >= 0)) throw new StrataError('InvalidArgument', `bloom bits per key ${options.bloomBitsPerKey} is negative`);
    this.file = file;
    this.blockSize = options.blockSize;
    this.bloom = options.bloomBitsPerKey > 0 ? new BloomFilterBuilder(options.bloomBitsPerKey) : undefined;
  }

  /** Bytes the file will have if finished now, without filter, index and footer: for splitting outputs. */
  get estimatedFileSize(): number {
    return this.offset + this.data.estimatedSize;
  }

  /** Adds an entry; entries must come in internal order (key ascending, sequence descending). */
  add(key: Uint8Array, sequence: number, kind: ValueKind, value: Uint8Array): void {
    if (this.finished) throw new StrataError('InvalidArgument', 'add after finish');
    let sameKey = false;
    if (this.entries > 0) {
      const c = compareBytes(this.lastKey, 0, this.lastKey.length, key, 0, key.length);
      sameKey = c === 0;
      if (c > 0 || (sameKey && sequence >= this.lastSequence)) {
        throw new StrataError('InvalidArgument', 'table entries added out of internal order');
      }
    } else {
      this.smallestKey = Buffer.from(key);
    }
    if (!sameKey) this.bloom?.addKey(key);

    this.data.add(key, sequence, kind, value);
    if (!sameKey) {
      if (this.lastKey.length !== key.length) this.lastKey = Buffer.allocUnsafe(key.length);
      this.lastKey.set(key);
    }
    this.lastSequence = sequence;
    this.entries++;
    if (kind === ValueKind.Deletion) this.deletions++;
    if (sequence < this.minSequence) this.minSequence = sequence;
    if (sequence > this.maxSequence) this.maxSequence = sequence;
    if (this.data.estimatedSize >= this.blockSize) this.flushDataBlock();
  }

  /** Writes the rest of the table; returns its properties. The caller syncs and closes the file. */
  finish(): TableProperties {
    if (this.finished) throw new StrataError('InvalidArgument', 'finish called twice');
    this.finished = true;
    if (!this.data.empty) this.flushDataBlock();
    const filter = this.bloom ? this.writeBlock(this.bloom.finish(), BlockKind.Filter, true) : { offset: this.offset, size: 0 };
    const index = this.writeBlock(this.index.finish(BLOCK_TRAILER_SIZE), BlockKind.Index, false);
    const props: TableProperties = {
      entries: this.entries,
      dataBlocks: this.dataBlocks,
      deletions: this.deletions,
      smallestKey: this.smallestKey ?? Buffer.alloc(0),
      largestKey: Buffer.from(this.lastKey),
      minSequence: this.entries > 0 ? this.minSequence : 0,
      maxSequence: this.maxSequence,
      fileSize: 0,
    };
    const properties = this.writeBlock(encodeProperties(props), BlockKind.Properties, true);
    this.queue(encodeFooter({ filter, index, properties }));
    this.drain();
    props.fileSize = this.offset;
    return props;
  }

  private flushDataBlock(): void {
    const handle = this.writeBlock(this.data.finish(BLOCK_TRAILER_SIZE), BlockKind.Data, false);
    this.dataBlocks++;
    // Index entry: the block's last internal key -> its handle.
    let pos = putVarint(this.handleScratch, 0, handle.offset);
    pos = putVarint(this.handleScratch, pos, handle.size);
    this.index.add(this.lastKey, this.lastSequence, ValueKind.Value, this.handleScratch.subarray(0, pos));
  }

  /** Appends the trailer (kind, CRC) to `contents` and queues the block; `copy` if there is no room for it. */
  private writeBlock(contents: Buffer, kind: BlockKind, copy: boolean): BlockHandle {
    const size = copy ? contents.length : contents.length - BLOCK_TRAILER_SIZE;
    let block = contents;
    if (copy) {
      block = Buffer.allocUnsafeSlow(size + BLOCK_TRAILER_SIZE);
      contents.copy(block);
    }
    block[size] = kind;
    block.writeUInt32LE(crc32(block.subarray(0, size + 1)), size + 1);
    const handle = { offset: this.offset, size: block.length };
    this.queue(block);
    return handle;
  }

  private queue(block: Buffer): void {
    this.pending.push(block);
    this.pendingBytes += block.length;
    this.offset += block.length;
    if (this.pendingBytes >= WRITE_BUFFER_SIZE) this.drain();
  }

  private drain(): void {
    if (this.pendingBytes === 0) return;
    const out = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.file.append(out);
  }
}
