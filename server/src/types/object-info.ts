// What Redis's object.c would say about a value: its encoding (OBJECT ENCODING), its refcount (OBJECT
// REFCOUNT) and the length of its RDB serialisation (DEBUG OBJECT). Strata stores every string the same way;
// these are computed from the value and the encoding hint in its metadata (FORMAT.md).

import { KeyType, StringEncoding, type Meta } from './layout.js';
import { isIntEncodable, parseI64 } from './numbers.js';

/** Redis's string encodings: "int" for canonical 64-bit integers, "embstr" up to 44 bytes, else "raw". */
const EMBSTR_LIMIT = 44;
/** Redis shares the integers 0..9999 (OBJ_SHARED_INTEGERS) and reports their refcount as INT_MAX. */
const SHARED_INTEGERS = 10000n;
const INT_MAX = 2147483647;

/** OBJECT ENCODING of a key; collections (not stored yet) are 'unknown'. */
export function encodingName(meta: Meta): string {
  if (meta.type !== KeyType.String) return 'unknown';
  const { value, encoding } = meta;
  if (encoding === StringEncoding.Auto && isIntEncodable(value)) return 'int';
  if (encoding !== StringEncoding.Raw && value.length <= EMBSTR_LIMIT) return 'embstr';
  return 'raw';
}

/** OBJECT REFCOUNT: the shared small integers are INT_MAX, everything else 1. */
export function refcount(meta: Meta): number {
  const n = meta.type === KeyType.String && meta.encoding === StringEncoding.Auto ? parseI64(meta.value) : undefined;
  return n !== undefined && n >= 0n && n < SHARED_INTEGERS ? INT_MAX : 1;
}

/** DEBUG OBJECT's serializedlength: the bytes of the value's RDB encoding (rdbSaveStringObject). An integer
 *  (int-encoded, or a string of up to 11 bytes that reads back as the same integer) takes its smallest
 *  RDB_ENC_INT form when it fits 32 bits; anything else is a length then the bytes. Redis would LZF-compress
 *  strings over 20 bytes when that saves space; that is not modelled, so such a value reports its plain
 *  length. */
export function serializedLength(meta: Meta): number {
  const { value } = meta;
  const n = value.length <= 11 || encodingName(meta) === 'int' ? parseI64(value) : undefined;
  if (n !== undefined) {
    if (n >= -128n && n <= 127n) return 2;
    if (n >= -32768n && n <= 32767n) return 3;
    if (n >= -2147483648n && n <= 2147483647n) return 5;
  }
  return lengthSize(value.length) + value.length;
}

/** Bytes of an RDB length prefix (rdbSaveLen). */
function lengthSize(n: number): number {
  if (n < 1 << 6) return 1;
  if (n < 1 << 14) return 2;
  return n <= 0xffffffff ? 5 : 9;
}
