// Builds one block: prefix-compressed entries, then the restart array (see FORMAT.md, "Data block").
// One builder is reused for every block of a table: its buffer only grows.

import type { ValueKind } from '../iterator/internal-iterator.js';
import { copyBytes } from '../util/bytes.js';
import { MAX_VARINT_LENGTH, putVarint } from '../util/varint.js';

export class BlockBuilder {
  private buf = Buffer.allocUnsafe(8192);
  private pos = 0;
  private restarts: number[] = [0];
  private sinceRestart = 0;
  private lastKey = Buffer.allocUnsafe(64);
  private lastKeyLength = 0;
  private count = 0;

  constructor(private readonly restartInterval: number) {}

  get empty(): boolean {
    return this.count === 0;
  }

  /** Bytes the finished block would have (without the trailer). */
  get estimatedSize(): number {
    return this.pos + this.restarts.length * 4 + 4;
  }

  /** Appends an entry; entries must come in internal order (the caller checks). */
  add(key: Uint8Array, sequence: number, kind: ValueKind, value: Uint8Array): void {
    let shared = 0;
    if (this.sinceRestart === this.restartInterval) {
      this.restarts.push(this.pos);
      this.sinceRestart = 0;
    } else {
      const limit = Math.min(this.lastKeyLength, key.length);
      const last = this.lastKey;
      while (shared < limit && last[shared] === key[shared]) shared++;
    }
    const unshared = key.length - shared;
    this.reserve(4 * MAX_VARINT_LENGTH + 1 + unshared + value.length);
    const buf = this.buf;
    let pos = putVarint(buf, this.pos, shared);
    pos = putVarint(buf, pos, unshared);
    pos = putVarint(buf, pos, value.length);
    copyBytes(key, shared, key.length, buf, pos);
    pos += unshared;
    pos = putVarint(buf, pos, sequence);
    buf[pos++] = kind;
    buf.set(value, pos);
    this.pos = pos + value.length;

    if (this.lastKey.length < key.length) this.lastKey = Buffer.allocUnsafe(key.length * 2);
    this.lastKey.set(key);
    this.lastKeyLength = key.length;
    this.sinceRestart++;
    this.count++;
  }

  /** The finished block contents (a fresh buffer with `reserveAfter` spare bytes at the end), then reset. */
  finish(reserveAfter: number): Buffer {
    const restarts = this.restarts;
    const size = this.pos + restarts.length * 4 + 4;
    const out = Buffer.allocUnsafeSlow(size + reserveAfter);
    this.buf.copy(out, 0, 0, this.pos);
    let pos = this.pos;
    for (let i = 0; i < restarts.length; i++, pos += 4) out.writeUInt32LE(restarts[i]!, pos);
    out.writeUInt32LE(restarts.length, pos);
    this.pos = 0;
    this.restarts = [0];
    this.sinceRestart = 0;
    this.lastKeyLength = 0;
    this.count = 0;
    return out;
  }

  private reserve(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}
