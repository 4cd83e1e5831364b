// The fixed-size footer at the end of every table (see FORMAT.md, "Footer").

import { crc32 } from '../util/crc32.js';
import { FORMAT_VERSION, MAGIC, type BlockHandle } from './format.js';

export const FOOTER_SIZE = 52;

export interface Footer {
  filter: BlockHandle;
  index: BlockHandle;
  properties: BlockHandle;
}

const putHandle = (buf: Buffer, pos: number, h: BlockHandle): void => {
  buf.writeUIntLE(h.offset, pos, 6);
  buf.writeUInt16LE(0, pos + 6);
  buf.writeUInt32LE(h.size, pos + 8);
};

const getHandle = (buf: Buffer, pos: number): BlockHandle | undefined => {
  if (buf.readUInt16LE(pos + 6) !== 0) return undefined;
  return { offset: buf.readUIntLE(pos, 6), size: buf.readUInt32LE(pos + 8) };
};

export function encodeFooter(f: Footer): Buffer {
  const out = Buffer.allocUnsafeSlow(FOOTER_SIZE);
  putHandle(out, 0, f.filter);
  putHandle(out, 12, f.index);
  putHandle(out, 24, f.properties);
  out.writeUInt32LE(FORMAT_VERSION, 36);
  MAGIC.copy(out, 40);
  out.writeUInt32LE(crc32(out.subarray(0, 48)), 48);
  return out;
}

/** Decodes the footer or returns why it is unusable. */
export function decodeFooter(buf: Buffer): Footer | string {
  if (buf.length !== FOOTER_SIZE) return `footer of ${buf.length} bytes, expected ${FOOTER_SIZE}`;
  if (!buf.subarray(40, 48).equals(MAGIC)) return 'bad magic number (not a Strata table, or truncated)';
  const stored = buf.readUInt32LE(48);
  const actual = crc32(buf.subarray(0, 48));
  if (stored !== actual) return `footer checksum mismatch (stored ${stored}, computed ${actual})`;
  const version = buf.readUInt32LE(36);
  if (version !== FORMAT_VERSION) return `unsupported table format version ${version} (this build reads ${FORMAT_VERSION})`;
  const filter = getHandle(buf, 0);
  const index = getHandle(buf, 12);
  const properties = getHandle(buf, 24);
  if (!filter || !index || !properties) return 'block handle offset beyond 2^48';
  return { filter, index, properties };
}
