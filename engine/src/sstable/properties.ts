// What a table holds, written in its properties block (see FORMAT.md, "Properties block") and returned
// by TableBuilder.finish.

import { ByteReader, MAX_VARINT_LENGTH, putVarint } from '../util/varint.js';

export interface TableProperties {
  entries: number;
  dataBlocks: number;
  /** Tombstones among the entries. */
  deletions: number;
  smallestKey: Buffer;
  largestKey: Buffer;
  minSequence: number;
  maxSequence: number;
  fileSize: number;
}

/** Encodes every property except fileSize (known from the file itself). */
export function encodeProperties(p: TableProperties): Buffer {
  const out = Buffer.allocUnsafeSlow(7 * MAX_VARINT_LENGTH + p.smallestKey.length + p.largestKey.length);
  let pos = putVarint(out, 0, p.entries);
  pos = putVarint(out, pos, p.dataBlocks);
  pos = putVarint(out, pos, p.deletions);
  pos = putVarint(out, pos, p.minSequence);
  pos = putVarint(out, pos, p.maxSequence);
  pos = putVarint(out, pos, p.smallestKey.length);
  pos += p.smallestKey.copy(out, pos);
  pos = putVarint(out, pos, p.largestKey.length);
  pos += p.largestKey.copy(out, pos);
  return out.subarray(0, pos);
}

/** Decodes a properties block; returns undefined if it is malformed. */
export function decodeProperties(contents: Buffer, fileSize: number): TableProperties | undefined {
  const r = new ByteReader(contents);
  const end = contents.length;
  const entries = r.varint(end);
  const dataBlocks = r.varint(end);
  const deletions = r.varint(end);
  const minSequence = r.varint(end);
  const maxSequence = r.varint(end);
  const smallestLength = r.varint(end);
  if (entries < 0 || dataBlocks < 0 || deletions < 0 || minSequence < 0 || maxSequence < 0) return undefined;
  if (smallestLength < 0 || r.pos + smallestLength > end) return undefined;
  const smallestKey = Buffer.from(contents.subarray(r.pos, r.pos + smallestLength));
  r.pos += smallestLength;
  const largestLength = r.varint(end);
  if (largestLength < 0 || r.pos + largestLength !== end) return undefined;
  const largestKey = Buffer.from(contents.subarray(r.pos, end));
  return { entries, dataBlocks, deletions, smallestKey, largestKey, minSequence, maxSequence, fileSize };
}
