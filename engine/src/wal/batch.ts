// The payload of a WAL record: one write batch (FORMAT.md, "Write-ahead log"). The first sequence number
// is stored; the i-th operation has sequence first + i.

import type { BatchOp } from '../api.js';
import { corruption } from '../errors.js';
import { ValueKind } from '../iterator/internal-iterator.js';

const BATCH_HEADER_SIZE = 12;
const TWO_32 = 0x1_0000_0000;

/** Bytes `encodeBatch` writes for `ops`. */
export function encodedBatchSize(ops: readonly BatchOp[]): number {
  let size = BATCH_HEADER_SIZE;
  for (const op of ops) size += op.type === 'put' ? 9 + op.key.length + op.value.length : 5 + op.key.length;
  return size;
}

/** Writes the batch at `pos`; returns the end offset. `buf` must have `encodedBatchSize(ops)` bytes free. */
export function encodeBatch(buf: Buffer, pos: number, ops: readonly BatchOp[], firstSequence: number): number {
  buf.writeUInt32LE(firstSequence % TWO_32, pos);
  buf.writeUInt32LE(Math.floor(firstSequence / TWO_32), pos + 4);
  buf.writeUInt32LE(ops.length, pos + 8);
  pos += BATCH_HEADER_SIZE;
  for (const op of ops) {
    buf[pos] = op.type === 'put' ? ValueKind.Value : ValueKind.Deletion;
    buf.writeUInt32LE(op.key.length, pos + 1);
    buf.set(op.key, pos + 5);
    pos += 5 + op.key.length;
    if (op.type === 'put') {
      buf.writeUInt32LE(op.value.length, pos);
      buf.set(op.value, pos + 4);
      pos += 4 + op.value.length;
    }
  }
  return pos;
}

/** Receives the operations of decoded batches as ranges of the record's bytes: no view or copy is made
 *  per operation (a MemTable is one). A deletion's value range is empty. */
export interface BatchSink {
  addFrom(sequence: number, kind: ValueKind, data: Buffer, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number): void;
}

/** Passes each operation of the batch in `data[start..end)` to `sink`; returns the batch's last sequence.
 *  The record's checksum held, so a malformed batch is corruption (or a bug), not a torn write. */
export function decodeBatch(data: Buffer, start: number, end: number, file: string, sink: BatchSink): number {
  const bad = (what: string): Error => corruption(file, start, `malformed write batch: ${what}`);
  if (end - start < BATCH_HEADER_SIZE) throw bad('shorter than its header');
  let sequence = data.readUInt32LE(start) + data.readUInt32LE(start + 4) * TWO_32;
  const count = data.readUInt32LE(start + 8);
  if (count === 0) throw bad('no operations');
  let pos = start + BATCH_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    if (pos + 5 > end) throw bad(`operation ${i} is cut off`);
    const kind = data[pos];
    const keyStart = pos + 5;
    const keyEnd = keyStart + readU32(data, pos + 1);
    if (keyEnd > end) throw bad(`key of operation ${i} is cut off`);
    if (kind === ValueKind.Value) {
      if (keyEnd + 4 > end) throw bad(`value of operation ${i} is cut off`);
      const valueStart = keyEnd + 4;
      pos = valueStart + readU32(data, keyEnd);
      if (pos > end) throw bad(`value of operation ${i} is cut off`);
      sink.addFrom(sequence, ValueKind.Value, data, keyStart, keyEnd, valueStart, pos);
    } else if (kind === ValueKind.Deletion) {
      pos = keyEnd;
      sink.addFrom(sequence, ValueKind.Deletion, data, keyStart, keyEnd, keyEnd, keyEnd);
    } else {
      throw bad(`unknown operation kind ${kind}`);
    }
    sequence++;
  }
  if (pos !== end) throw bad(`${end - pos} trailing bytes`);
  return sequence - 1;
}

/** A little-endian u32 by hand: Buffer.readUInt32LE's argument checks cost more than the read. */
function readU32(data: Buffer, pos: number): number {
  return (data[pos]! | (data[pos + 1]! << 8) | (data[pos + 2]! << 16)) + data[pos + 3]! * 0x1000000;
}
