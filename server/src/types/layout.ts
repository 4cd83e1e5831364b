// The key layout: how Redis keys, their metadata and the server's own records map onto ordered engine keys.
// Every byte of it is described in server/FORMAT.md; nothing outside this module builds or parses engine keys,
// so a later cluster mode (a hash-slot prefix after the namespace) changes this file only.
//
//   0x00 'v'                      -> [LAYOUT_VERSION]                  layout format version
//   0x00 'n'                      -> u32 next namespace id
//   0x00 'd' db:u16               -> u32 namespace of logical db
//   0x00 'g' ns:u32               -> []                                 namespace awaiting reclamation
//   0x00 'c'                      -> counts at a clean shutdown (see encodeCounts)
//   0x01 ns:u32 key               -> metadata (see encodeMeta)          one entry per Redis key
//   0x02 version:u64 member       -> member value                      collections (next issue)
//   0x03 ns:u32 expireAt:u64 key  -> []                                 expire index, in expiry order

import { StrataError } from '@strata/engine';

export const LAYOUT_VERSION = 1;

const SYSTEM = 0x00;
const META = 0x01;
const EXPIRES = 0x03;

export const KeyType = { String: 0, List: 1, Set: 2, ZSet: 3, Hash: 4 } as const;
export type KeyType = (typeof KeyType)[keyof typeof KeyType];

export const TYPE_NAMES: readonly string[] = ['string', 'list', 'set', 'zset', 'hash'];

/** How OBJECT ENCODING reports a string: Redis decides by the value, except after APPEND/SETRANGE (raw) and
 *  INCRBYFLOAT (never int). */
export const StringEncoding = { Auto: 0, NoInt: 1, Raw: 2 } as const;
export type StringEncoding = (typeof StringEncoding)[keyof typeof StringEncoding];

/** The decoded metadata entry of one Redis key. */
export interface Meta {
  type: KeyType;
  /** Absolute expiry in unix ms; 0 = no expiry. */
  expireAt: number;
  encoding: StringEncoding;
  /** A string's value (empty for collections). */
  value: Uint8Array;
}

// ---- system records

export const versionKey = (): Buffer => Buffer.from([SYSTEM, 0x76]);
export const nextNamespaceKey = (): Buffer => Buffer.from([SYSTEM, 0x6e]);

export function dbNamespaceKey(db: number): Buffer {
  const key = Buffer.allocUnsafe(4);
  key[0] = SYSTEM;
  key[1] = 0x64;
  key.writeUInt16BE(db, 2);
  return key;
}

export function garbageKey(ns: number): Buffer {
  const key = Buffer.allocUnsafe(6);
  key[0] = SYSTEM;
  key[1] = 0x67;
  key.writeUInt32BE(ns, 2);
  return key;
}

export const garbagePrefix = (): Buffer => Buffer.from([SYSTEM, 0x67]);

export const countsKey = (): Buffer => Buffer.from([SYSTEM, 0x63]);

/** Per-db counts at a clean shutdown: [u16 dbs] then per db [ns:u32][keys:u64][expires:u64]. */
export interface DbCounts {
  ns: number;
  keys: number;
  expires: number;
}

export function encodeCounts(counts: readonly DbCounts[]): Buffer {
  const out = Buffer.allocUnsafe(2 + counts.length * 20);
  out.writeUInt16BE(counts.length, 0);
  counts.forEach((c, i) => {
    out.writeUInt32BE(c.ns, 2 + i * 20);
    writeU64(out, 6 + i * 20, c.keys);
    writeU64(out, 14 + i * 20, c.expires);
  });
  return out;
}

export function decodeCounts(bytes: Uint8Array): DbCounts[] {
  if (bytes.length < 2) throw corrupt('truncated counts record');
  const n = (bytes[0]! << 8) | bytes[1]!;
  if (bytes.length !== 2 + n * 20) throw corrupt(`counts record of ${bytes.length} bytes for ${n} dbs`);
  return Array.from({ length: n }, (_, i) => ({
    ns: decodeU32(bytes, 2 + i * 20),
    keys: readU64(bytes, 6 + i * 20),
    expires: readU64(bytes, 14 + i * 20),
  }));
}

export const encodeU32 = (n: number): Buffer => {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n, 0);
  return b;
};

export function decodeU32(bytes: Uint8Array, offset = 0): number {
  if (bytes.length < offset + 4) throw corrupt('truncated u32 record');
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

// ---- metadata keys: 0x01 ns key

export function metaKey(ns: number, key: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + key.length);
  out[0] = META;
  out.writeUInt32BE(ns, 1);
  out.set(key, 5);
  return out;
}

/** The metadata key range of one namespace: [start, end). */
export function metaRange(ns: number): { start: Buffer; end: Buffer } {
  return { start: metaKey(ns, EMPTY), end: nsBound(META, ns) };
}

/** The user key inside a metadata key (a view, valid as long as the engine key bytes are). */
export const userKeyOf = (engineKey: Uint8Array): Uint8Array => engineKey.subarray(5);

// ---- expire index: 0x03 ns expireAt key

export function expireKey(ns: number, expireAt: number, key: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(13 + key.length);
  out[0] = EXPIRES;
  out.writeUInt32BE(ns, 1);
  writeU64(out, 5, expireAt);
  out.set(key, 13);
  return out;
}

/** Index entries of one namespace that expire at or before `until`: [start, end). */
export function expireRange(ns: number, until: number): { start: Buffer; end: Buffer } {
  return { start: expireKey(ns, 0, EMPTY), end: expireKey(ns, until + 1, EMPTY) };
}

/** The whole expire index of one namespace: [start, end). */
export function expireNsRange(ns: number): { start: Buffer; end: Buffer } {
  return { start: expireKey(ns, 0, EMPTY), end: nsBound(EXPIRES, ns) };
}

export function parseExpireKey(engineKey: Uint8Array): { expireAt: number; key: Uint8Array } {
  return { expireAt: readU64(engineKey, 5), key: engineKey.subarray(13) };
}

// ---- metadata values: [LAYOUT_VERSION][type][flags][expireAt:u64 if flags&1][string value | collection fields]

const HAS_EXPIRE = 1;
const ENCODING_SHIFT = 1;

export function encodeMeta(meta: Meta): Buffer {
  const header = meta.expireAt > 0 ? 11 : 3;
  const out = Buffer.allocUnsafe(header + meta.value.length);
  out[0] = LAYOUT_VERSION;
  out[1] = meta.type;
  out[2] = (meta.expireAt > 0 ? HAS_EXPIRE : 0) | (meta.encoding << ENCODING_SHIFT);
  if (meta.expireAt > 0) writeU64(out, 3, meta.expireAt);
  out.set(meta.value, header);
  return out;
}

/** Decodes a metadata value; `value` is a view into `bytes` (copy it if the bytes may change). */
export function decodeMeta(bytes: Uint8Array): Meta {
  if (bytes.length < 3) throw corrupt(`metadata entry of ${bytes.length} bytes`);
  if (bytes[0] !== LAYOUT_VERSION) throw corrupt(`metadata entry of unknown layout version ${bytes[0]}`);
  const type = bytes[1]!;
  if (type > KeyType.Hash) throw corrupt(`metadata entry of unknown type ${type}`);
  const flags = bytes[2]!;
  const encoding = (flags >> ENCODING_SHIFT) & 3;
  if (flags >> 3 !== 0 || encoding > StringEncoding.Raw) throw corrupt(`metadata entry with flags ${flags}`);
  let expireAt = 0;
  let offset = 3;
  if (flags & HAS_EXPIRE) {
    if (bytes.length < 11) throw corrupt('metadata entry truncated in its expiry');
    expireAt = readU64(bytes, 3);
    offset = 11;
  }
  return { type: type as KeyType, expireAt, encoding: encoding as StringEncoding, value: bytes.subarray(offset) };
}

/** Only the expiry of a metadata value, without decoding the rest (the open-time count pass). */
export function metaExpireAt(bytes: Uint8Array): number {
  if (bytes.length < 3 || bytes[0] !== LAYOUT_VERSION) throw corrupt('metadata entry of unknown layout version');
  return bytes[2]! & HAS_EXPIRE ? readU64(bytes, 3) : 0;
}

// ---- helpers

const EMPTY = new Uint8Array(0);

/** The first key after every key starting with [tag, ns]. */
function nsBound(tag: number, ns: number): Buffer {
  const out = Buffer.allocUnsafe(5);
  out[0] = tag;
  out.writeUInt32BE(ns, 1);
  // ns+1 (or the next tag after the last namespace) bounds the range from above.
  if (ns === 0xffffffff) return Buffer.from([tag + 1]);
  out.writeUInt32BE(ns + 1, 1);
  return out;
}

// Millisecond timestamps fit in 53 bits; the u64 is stored as two big-endian u32 halves.
function writeU64(out: Buffer, offset: number, n: number): void {
  out.writeUInt32BE(Math.floor(n / 0x100000000), offset);
  out.writeUInt32BE(n >>> 0, offset + 4);
}

function readU64(bytes: Uint8Array, offset: number): number {
  return decodeU32(bytes, offset) * 0x100000000 + decodeU32(bytes, offset + 4);
}

/** The smallest key greater than every key starting with `prefix` (undefined if there is none). */
export function prefixEnd(prefix: Uint8Array): Buffer | undefined {
  const out = Buffer.from(prefix);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i] = out[i]! + 1;
      return out.subarray(0, i + 1);
    }
  }
  return undefined;
}

const corrupt = (what: string): StrataError => new StrataError('Corruption', `server key layout: ${what}`);
