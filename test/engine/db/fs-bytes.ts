// Reading and rewriting whole files on a FileSystem, and walking the record framing of FORMAT.md
// (crc u32, length u32, version u8, payload), for tests that damage WALs and manifests on purpose.

import { crc32 } from 'node:zlib';
import type { FileSystem } from '@strata/engine';

export const RECORD_HEADER_SIZE = 9;

export function readAll(fs: FileSystem, path: string): Buffer {
  const handle = fs.open(path, 'read');
  try {
    const out = Buffer.alloc(handle.size());
    handle.read(out, 0, out.length, 0);
    return out;
  } finally {
    handle.close();
  }
}

/** Replaces the file's contents, durably (as if the damage had happened on disk). */
export async function writeAll(fs: FileSystem, path: string, bytes: Uint8Array): Promise<void> {
  const handle = fs.open(path, 'create');
  try {
    handle.append(bytes);
    await handle.sync();
  } finally {
    handle.close();
  }
}

/** Start offsets of the records of a WAL or manifest image. */
export function recordOffsets(bytes: Buffer): number[] {
  const out: number[] = [];
  for (let o = 0; o + RECORD_HEADER_SIZE <= bytes.length; o += RECORD_HEADER_SIZE + bytes.readUInt32LE(o + 4)) out.push(o);
  return out;
}

/** A whole record with a valid checksum around `payload`, in format `version`. */
export function frameRecord(payload: Uint8Array, version = 1): Buffer {
  const out = Buffer.alloc(RECORD_HEADER_SIZE + payload.length);
  out.writeUInt32LE(payload.length, 4);
  out[8] = version;
  out.set(payload, RECORD_HEADER_SIZE);
  out.writeUInt32LE(crc32(out.subarray(4)) >>> 0, 0);
  return out;
}

export const files = (fs: FileSystem, dir: string, pattern: RegExp): string[] => fs.list(dir).filter((n) => pattern.test(n));
