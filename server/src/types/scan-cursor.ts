// SCAN cursors. Clients treat the cursor as an unsigned 64-bit decimal (redis-cli parses it with strtoull), so
// it cannot hold an arbitrary resume key. A cursor is therefore [first 4 bytes of the resume key : u32 id],
// and the server keeps id -> exact resume key in a bounded table (an entry is used once, the oldest are
// dropped first). With the entry, the scan resumes exactly at the key: every key present for the whole scan
// is returned exactly once. Without it (reused, evicted, or after a restart), the scan resumes at the 4-byte
// prefix: keys may repeat, as Redis allows, but none present throughout is skipped. '0' starts and ends a scan.

const MAX_ENTRIES = 16384;
const U64_MAX = 2n ** 64n - 1n;

export class ScanCursors {
  private readonly positions = new Map<bigint, { db: number; key: Buffer }>();
  private nextId = 1;

  /** A cursor that resumes a scan of `db` at `key` (inclusive). Never "0". */
  issue(db: number, key: Buffer): string {
    const id = this.nextId;
    this.nextId = this.nextId === 0xffffffff ? 1 : this.nextId + 1;
    const cursor = (BigInt(prefix32(key)) << 32n) | BigInt(id);
    this.positions.delete(cursor);
    this.positions.set(cursor, { db, key });
    if (this.positions.size > MAX_ENTRIES) this.positions.delete(this.positions.keys().next().value!);
    return cursor.toString();
  }

  /** A cursor argument as Redis's strtoul reads it (a negative number wraps), or undefined if invalid. */
  static parse(arg: Uint8Array): bigint | undefined {
    const text = Buffer.from(arg).toString('latin1');
    if (!/^[+-]?\d{1,20}$/.test(text)) return undefined;
    const value = BigInt(text);
    if (value > U64_MAX || value < -U64_MAX) return undefined;
    return value < 0n ? value + U64_MAX + 1n : value;
  }

  /** The position a parsed cursor stands for: undefined to start from the first key, else the resume key. */
  resolve(db: number, value: bigint): Buffer | undefined {
    if (value === 0n) return undefined;
    const entry = this.positions.get(value);
    if (entry !== undefined && entry.db === db) {
      this.positions.delete(value);
      return entry.key;
    }
    // Degraded resume: the 4-byte prefix without its zero padding is never after the exact resume key.
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(Number(value >> 32n), 0);
    let end = 4;
    while (end > 0 && prefix[end - 1] === 0) end--;
    return prefix.subarray(0, end);
  }
}

function prefix32(key: Uint8Array): number {
  return ((key[0] ?? 0) * 0x1000000 + ((key[1] ?? 0) << 16) + ((key[2] ?? 0) << 8) + (key[3] ?? 0)) >>> 0;
}
