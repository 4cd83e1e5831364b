// Last access times for OBJECT IDLETIME. Redis keeps a 24-bit LRU clock (seconds) in every object; we keep a
// fixed table of 2^20 clocks indexed by a hash of (db, key): O(1) and allocation-free per access, 4 MB in all.
// Keys sharing a slot share its clock, so an idle time can come out too low, never too high; a key touched
// by nobody since the start reports the time since the server started. Approximate, as Redis's own is ("the
// approximated number of seconds").

const SLOT_BITS = 20;

export class AccessClock {
  /** Seconds since `start` (+1, so 0 means never touched) of the last access per slot. */
  private readonly slots = new Uint32Array(1 << SLOT_BITS);
  private start = Date.now();

  touch(db: number, key: Uint8Array, now: number): void {
    this.slots[slot(db, key)] = Math.floor((now - this.start) / 1000) + 1;
  }

  /** Milliseconds since the last access (at one-second resolution). */
  idle(db: number, key: Uint8Array, now: number): number {
    const seconds = this.slots[slot(db, key)]!;
    const last = seconds === 0 ? this.start : this.start + (seconds - 1) * 1000;
    return Math.max(0, now - last);
  }

  /** Forgets everything (SWAPDB: slots are per db number). */
  clear(): void {
    this.slots.fill(0);
    this.start = Date.now();
  }
}

/** FNV-1a over the db number and the key bytes. */
function slot(db: number, key: Uint8Array): number {
  let h = Math.imul(0x811c9dc5 ^ db, 0x01000193);
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key[i]!, 0x01000193);
  return (h >>> 0) >>> (32 - SLOT_BITS);
}
