// Record framing shared by the WAL and the manifest (FORMAT.md, "Write-ahead log"): each record is a
// 9-byte header — CRC32 of everything after the CRC field, payload length, format version — then the
// payload. A reader stops at the first record that is incomplete or fails its checksum.

import { corruption } from '../errors.js';
import { crc32Range } from '../util/crc32.js';
import type { FileHandle } from '../vfs/file-system.js';

export const RECORD_HEADER_SIZE = 9;
export const RECORD_VERSION = 1;

/** Fills in the header of the record whose payload was written at `start + RECORD_HEADER_SIZE .. end`. */
export function sealRecord(buf: Buffer, start: number, end: number): void {
  buf.writeUInt32LE(end - start - RECORD_HEADER_SIZE, start + 4);
  buf[start + 8] = RECORD_VERSION;
  buf.writeUInt32LE(crc32Range(buf, start + 4, end), start);
}

/** Walks the records of a whole file image. After `next()` returns false, `problem` says why the scan
 *  stopped early (undefined at a clean end) and `offset` is where the last whole record ended. */
export class RecordReader {
  /** Start of the next record: after a stop, the end of the last whole record. */
  offset = 0;
  payloadStart = 0;
  payloadEnd = 0;
  problem: string | undefined;

  constructor(
    private readonly data: Buffer,
    private readonly file: string,
  ) {}

  next(): boolean {
    const data = this.data;
    const start = this.offset;
    if (start === data.length) return false;
    if (data.length - start < RECORD_HEADER_SIZE) {
      this.problem = `incomplete record header (${data.length - start} bytes)`;
      return false;
    }
    const length = data.readUInt32LE(start + 4);
    const end = start + RECORD_HEADER_SIZE + length;
    if (end > data.length) {
      this.problem = `record of ${length} bytes extends past the end of the file (${data.length} bytes)`;
      return false;
    }
    if (crc32Range(data, start + 4, end) !== data.readUInt32LE(start)) {
      this.problem = 'record checksum mismatch';
      return false;
    }
    const version = data[start + 8];
    if (version !== RECORD_VERSION) {
      // A whole, checksummed record of another version: written by a newer Strata, not torn.
      throw corruption(this.file, start, `unknown record format version ${version} (this build reads ${RECORD_VERSION})`);
    }
    this.payloadStart = start + RECORD_HEADER_SIZE;
    this.payloadEnd = end;
    this.offset = end;
    return true;
  }
}

/** Offset of the first whole, checksummed record starting after `from`, or -1. Used after a bad record:
 *  a torn write leaves nothing valid behind it, so a valid record there means the damage is not a tear. */
export function findRecordAfter(data: Buffer, from: number): number {
  for (let o = from + 1; o + RECORD_HEADER_SIZE <= data.length; o++) {
    const end = o + RECORD_HEADER_SIZE + data.readUInt32LE(o + 4);
    if (end <= data.length && data[o + 8] === RECORD_VERSION && crc32Range(data, o + 4, end) === data.readUInt32LE(o)) {
      return o;
    }
  }
  return -1;
}

/** The whole contents of a file, read through the seam. */
export function readWholeFile(handle: FileHandle): Buffer {
  const size = handle.size();
  const data = Buffer.allocUnsafe(size);
  let done = 0;
  while (done < size) {
    const n = handle.read(data, done, size - done, done);
    if (n <= 0) break;
    done += n;
  }
  return done === size ? data : data.subarray(0, done);
}
