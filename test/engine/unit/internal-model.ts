// A reference model of internal entries (a sorted array) and a checker that drives any InternalIterator
// against it: full scans both ways, random seeks and seekForPrevs followed by random steps.

import assert from 'node:assert/strict';
import type { InternalIterator, ValueKind } from './internals.js';
import type { Random } from '../../helpers/random.js';

export interface ModelEntry {
  key: Buffer;
  sequence: number;
  kind: ValueKind;
  value: Buffer;
}

export function compareEntries(a: { key: Uint8Array; sequence: number }, b: { key: Uint8Array; sequence: number }): number {
  return Buffer.compare(a.key, b.key) || b.sequence - a.sequence;
}

/** Distinct random internal entries in internal order: `keys` user keys with 1-3 versions each. */
export function randomEntries(rnd: Random, keys: number, maxKeyLength: number, maxValueLength: number): ModelEntry[] {
  const byKey = new Map<string, Buffer>();
  while (byKey.size < keys) {
    const key = Buffer.from(rnd.bytes(rnd.between(0, maxKeyLength)));
    byKey.set(key.toString('hex'), key);
  }
  const entries: ModelEntry[] = [];
  let sequence = 1;
  for (const key of byKey.values()) {
    const versions = rnd.between(1, 3);
    for (let v = 0; v < versions; v++) {
      const kind = (rnd.chance(0.2) ? 0 : 1) as ValueKind;
      const value = kind === 1 ? Buffer.from(rnd.bytes(rnd.between(0, maxValueLength))) : Buffer.alloc(0);
      entries.push({ key, sequence: sequence++, kind, value });
    }
  }
  return entries.sort(compareEntries);
}

/** Expected answer of get(key, snapshot): the newest version with sequence <= snapshot. */
export function modelGet(entries: readonly ModelEntry[], key: Uint8Array, snapshot: number): ModelEntry | undefined {
  return entries.find((e) => Buffer.compare(e.key, key) === 0 && e.sequence <= snapshot);
}

function assertAt(it: InternalIterator, expected: ModelEntry | undefined, what: string): void {
  if (expected === undefined) {
    assert.equal(it.valid, false, `${what}: expected the end, got ${it.valid ? it.key.toString('hex') : ''}`);
    return;
  }
  assert.equal(it.valid, true, `${what}: expected ${expected.key.toString('hex')}@${expected.sequence}, got the end`);
  assert.deepEqual(
    [it.key.toString('hex'), it.sequence, it.kind, it.value.toString('hex')],
    [expected.key.toString('hex'), expected.sequence, expected.kind, expected.value.toString('hex')],
    what,
  );
}

/** First index whose key is >= target (entries.length if none). */
function firstAtOrAfter(entries: readonly ModelEntry[], target: Uint8Array): number {
  let i = 0;
  while (i < entries.length && Buffer.compare(entries[i]!.key, target) < 0) i++;
  return i;
}

/** Seek targets: existing keys, their neighbours, and random bytes. */
function seekTarget(rnd: Random, entries: readonly ModelEntry[]): Buffer {
  if (entries.length === 0 || rnd.chance(0.3)) return Buffer.from(rnd.bytes(rnd.between(0, 6)));
  const key = rnd.pick(entries).key;
  if (rnd.chance(0.5)) return key;
  return Buffer.concat([key, Buffer.from([rnd.int(256)])]);
}

export function checkIterator(it: InternalIterator, entries: readonly ModelEntry[], rnd: Random, seeks = 200): void {
  let i = 0;
  for (it.seekToFirst(); it.valid; it.next()) assertAt(it, entries[i++], `forward scan at ${i}`);
  assert.equal(i, entries.length, 'forward scan length');
  i = entries.length - 1;
  for (it.seekToLast(); it.valid; it.prev()) assertAt(it, entries[i--], `backward scan at ${i}`);
  assert.equal(i, -1, 'backward scan length');

  for (let s = 0; s < seeks; s++) {
    const target = seekTarget(rnd, entries);
    let at: number;
    if (rnd.chance(0.5)) {
      it.seek(target);
      at = firstAtOrAfter(entries, target);
    } else {
      it.seekForPrev(target);
      let j = firstAtOrAfter(entries, target);
      while (j < entries.length && Buffer.compare(entries[j]!.key, target) === 0) j++;
      at = j - 1;
    }
    assertAt(it, entries[at], `seek to ${target.toString('hex')}`);
    for (let step = 0; step < 5 && it.valid; step++) {
      if (rnd.chance(0.5)) {
        it.next();
        at++;
      } else {
        it.prev();
        at--;
      }
      assertAt(it, at < 0 ? undefined : entries[at], `step ${step} after seek to ${target.toString('hex')}`);
    }
  }
}
