// Last access times of recently used keys, for OBJECT IDLETIME. Redis keeps a 24-bit LRU clock in every object;
// we keep a bounded map in LRU order instead (the oldest entry is dropped first). A key that is not in the map
// was last touched before the latest dropped entry or before the server started, and its idle time is reported
// as the lower bound of the two, as approximate as Redis's own ("the approximated number of seconds").

/** A byte string as a JS string key, one char per byte. */
export const latin1 = (key: Uint8Array): string =>
  Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');

const MAX_ENTRIES = 65536;

export class AccessClock {
  private readonly times = new Map<string, number>();
  /** Nothing is older than this for a key outside the map: the start, or the latest dropped access. */
  private horizon = Date.now();

  touch(db: number, key: Uint8Array, now: number): void {
    const id = `${db}:${latin1(key)}`;
    this.times.delete(id);
    this.times.set(id, now);
    if (this.times.size > MAX_ENTRIES) {
      const [oldest, time] = this.times.entries().next().value!;
      this.times.delete(oldest);
      this.horizon = time;
    }
  }

  lastAccess(db: number, key: Uint8Array): number {
    return this.times.get(`${db}:${latin1(key)}`) ?? this.horizon;
  }

  clear(): void {
    this.horizon = Date.now();
    this.times.clear();
  }
}
