// Ordering of internal entries: user key ascending (bytewise), then sequence descending (newest first).

import { compareBytes } from './bytes.js';

/** Negative, zero or positive as (aKey, aSeq) sorts before, equal to, or after (bKey, bSeq). */
export function compareInternal(aKey: Uint8Array, aSeq: number, bKey: Uint8Array, bSeq: number): number {
  const c = compareBytes(aKey, 0, aKey.length, bKey, 0, bKey.length);
  if (c !== 0) return c;
  return aSeq > bSeq ? -1 : aSeq < bSeq ? 1 : 0;
}

/** A sequence above every real one: (key, SEQ_NEWEST) sorts before every version of key. */
export const SEQ_NEWEST = Number.MAX_SAFE_INTEGER;
/** A sequence below every real one: (key, SEQ_OLDEST) sorts after every version of key. */
export const SEQ_OLDEST = -1;
