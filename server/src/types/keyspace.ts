// The keyspace: Redis's databases of typed keys on the engine, with expiry, O(1) per-db counts, O(1) FLUSHDB
// and SWAPDB (each logical db points at a namespace; flushing switches to a fresh one and the old one is
// reclaimed in the background), and the active expire cycle. Every method is synchronous: a command runs
// atomically between two turns of the event loop, and every multi-key change is one engine batch.

import type { BatchOp, Cursor, Db } from '@strata/engine';
import { StrataError } from '@strata/engine';
import {
  LAYOUT_VERSION,
  KeyType,
  decodeMeta,
  decodeU32,
  encodeMeta,
  encodeU32,
  dbNamespaceKey,
  expireKey,
  expireNsRange,
  expireRange,
  countsKey,
  decodeCounts,
  encodeCounts,
  garbageKey,
  garbagePrefix,
  type DbCounts,
  metaExpireAt,
  metaKey,
  metaRange,
  nextNamespaceKey,
  parseExpireKey,
  userKeyOf,
  versionKey,
  type Meta,
} from './layout.js';
import { AccessClock } from './access-clock.js';
import { ScanCursors } from './scan-cursor.js';

export interface KeyspaceOptions {
  databases: number;
}

/** INFO stats counters kept by the keyspace, as Redis counts them. */
export interface KeyspaceStats {
  /** Reads (Keyspace.read) that found a live key, and those that did not. */
  hits: number;
  misses: number;
  /** Keys deleted because their time was up: on access or by the active expire cycle. */
  expired: number;
}

export interface KeyspaceInfo {
  db: number;
  keys: number;
  expires: number;
  avgTtl: number;
}

/** Time budget of one active expire cycle (ms), as Redis's ACTIVE_EXPIRE_CYCLE_FAST_DURATION order. */
const CYCLE_BUDGET_MS = 1;
/** Engine ops per batch when the background cycle deletes expired keys or reclaims a namespace. */
const CYCLE_BATCH = 64;
/** Entries read to refresh the average TTL estimate of a db per cycle. */
const TTL_SAMPLE = 16;

export class Keyspace {
  readonly databases: number;
  private readonly engine: Db;
  /** Logical db -> namespace id of its keys. */
  private readonly namespaces: number[];
  private nextNamespace: number;
  /** Metadata entries present per db (expired ones included until deleted) and those with a TTL. */
  private readonly keyCounts: number[];
  private readonly expireCounts: number[];
  /** Estimated average remaining TTL per db (ms), refreshed by the active expire cycle. */
  private readonly avgTtls: number[];
  /** Per db, where the live part of the expire index starts: every entry before it is gone, so seeks start
   *  there instead of stepping over the tombstones the cycle left (until compaction drops them). */
  private readonly swept: Array<Buffer | undefined>;
  /** Where the reclamation of garbage[0] stopped, for the same reason. */
  private reclaimed: Buffer | undefined;
  /** Set by close(): no more writes. */
  private closed = false;
  /** The db the next active expire cycle starts with. */
  private nextExpireDb = 0;
  /** Namespaces left behind by FLUSHDB/FLUSHALL, reclaimed by the background cycle. */
  private readonly garbage: number[];
  private spareBatch: KeyspaceBatch | undefined;
  /** The last durability promise given a rejection handler (one serves a whole group commit). */
  private observed: Promise<void> | undefined;
  /** @internal Last access times for OBJECT IDLETIME. */
  readonly access = new AccessClock();
  /** Positions of SCANs in progress. */
  readonly cursors = new ScanCursors();
  readonly stats: KeyspaceStats = { hits: 0, misses: 0, expired: 0 };

  private constructor(engine: Db, databases: number, namespaces: number[], nextNamespace: number, garbage: number[]) {
    this.engine = engine;
    this.databases = databases;
    this.namespaces = namespaces;
    this.nextNamespace = nextNamespace;
    this.garbage = garbage;
    this.keyCounts = new Array<number>(databases).fill(0);
    this.expireCounts = new Array<number>(databases).fill(0);
    this.avgTtls = new Array<number>(databases).fill(0);
    this.swept = new Array<Buffer | undefined>(databases).fill(undefined);
  }

  /** Opens the keyspace on an engine: checks the layout version, maps dbs to namespaces (creating them on a
   *  new database), and counts each db's keys and expiries by one streaming pass over the metadata. */
  static async open(engine: Db, options: KeyspaceOptions): Promise<Keyspace> {
    const { databases } = options;
    if (!Number.isInteger(databases) || databases < 1 || databases > 0xffff) {
      throw new StrataError('InvalidArgument', `databases must be an integer in 1..65535, got ${databases}`);
    }
    const init: BatchOp[] = [];
    const version = engine.getSync(versionKey());
    if (version === undefined) {
      init.push({ type: 'put', key: versionKey(), value: Uint8Array.of(LAYOUT_VERSION) });
    } else if (version.length !== 1 || version[0] !== LAYOUT_VERSION) {
      throw new StrataError(
        'Corruption',
        `server key layout version ${version.length === 1 ? version[0] : '(malformed)'} is not supported ` +
          `(this server reads version ${LAYOUT_VERSION})`,
      );
    }
    const nextRaw = engine.getSync(nextNamespaceKey());
    let nextNamespace = nextRaw === undefined ? 0 : decodeU32(nextRaw);
    const namespaces: number[] = [];
    for (let db = 0; db < databases; db++) {
      const raw = engine.getSync(dbNamespaceKey(db));
      if (raw !== undefined) {
        namespaces.push(decodeU32(raw));
      } else {
        namespaces.push(nextNamespace);
        init.push({ type: 'put', key: dbNamespaceKey(db), value: encodeU32(nextNamespace++) });
      }
    }
    const garbage = listGarbage(engine);
    if (init.length > 0) init.push({ type: 'put', key: nextNamespaceKey(), value: encodeU32(nextNamespace) });
    const keyspace = new Keyspace(engine, databases, namespaces, nextNamespace, garbage);
    // Counts saved by a clean shutdown are used once: the record is deleted (durably) before any write, so
    // after a crash the next open finds none and counts by a pass over the metadata instead.
    const saved = engine.getSync(countsKey());
    if (saved === undefined || !keyspace.restoreCounts(decodeCounts(saved))) keyspace.countAll();
    if (saved !== undefined) init.push({ type: 'del', key: countsKey() });
    if (init.length > 0) await engine.applySync(init);
    return keyspace;
  }

  /** Saves the exact counts for the next open (which then needs no counting pass). Call after the last
   *  command and before closing the engine: the keyspace takes no writes afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const counts = this.namespaces.map((ns, db) => ({
      ns,
      keys: this.keyCounts[db]!,
      expires: this.expireCounts[db]!,
    }));
    await this.engine.applySync([{ type: 'put', key: countsKey(), value: encodeCounts(counts) }]);
  }

  // ---- reads

  /** The live metadata of `key` in `db`, or undefined. A key found expired is deleted (a write), as Redis's
   *  lookupKey does. `value` of the result is a view into engine bytes: copy it before keeping it. */
  lookup(db: number, key: Uint8Array, now = Date.now(), noTouch = false): Meta | undefined {
    const raw = this.engine.getSync(metaKey(this.namespaces[db]!, key));
    if (raw === undefined) return undefined;
    if (!noTouch) this.access.touch(db, key, now);
    const meta = decodeMeta(raw);
    if (meta.expireAt !== 0 && meta.expireAt <= now) {
      const batch = this.batch();
      batch.delete(db, key);
      batch.commit();
      this.stats.expired++;
      return undefined;
    }
    return meta;
  }

  /** lookup() for a command that reads the key (Redis's lookupKeyRead): counted as a keyspace hit or miss. */
  read(db: number, key: Uint8Array, now = Date.now(), noTouch = false): Meta | undefined {
    const meta = this.lookup(db, key, now, noTouch);
    if (meta === undefined) this.stats.misses++;
    else this.stats.hits++;
    return meta;
  }

  /** Milliseconds since `key` was last read or written (OBJECT IDLETIME). */
  idleTime(db: number, key: Uint8Array, now = Date.now()): number {
    return this.access.idle(db, key, now);
  }

  /** Keys in `db` not counting expired ones that are still awaiting deletion. O(1) unless the background
   *  cycle has fallen behind (then proportional to the backlog of due keys). */
  dbsize(db: number, now = Date.now()): number {
    return this.keyCounts[db]! - this.dueCount(db, now);
  }

  /** INFO keyspace: the non-empty dbs. */
  keyspaceInfo(now = Date.now()): KeyspaceInfo[] {
    const out: KeyspaceInfo[] = [];
    for (let db = 0; db < this.databases; db++) {
      const due = this.dueCount(db, now);
      const keys = this.keyCounts[db]! - due;
      if (keys > 0) out.push({ db, keys, expires: this.expireCounts[db]! - due, avgTtl: this.avgTtls[db]! });
    }
    return out;
  }

  /** Visits live keys of `db` in key order from `start` (inclusive; undefined = the first key) while they are
   *  below `end`, examining at most `limit` metadata entries (expired ones count but are not visited).
   *  Returns a copy of the key to resume at, or undefined when the range is exhausted. The key and meta passed
   *  to `visit` are views valid only during the call. */
  scan(
    db: number,
    start: Uint8Array | undefined,
    end: Uint8Array | undefined,
    limit: number,
    visit: (key: Uint8Array, meta: Meta) => void,
    now = Date.now(),
  ): Buffer | undefined {
    const ns = this.namespaces[db]!;
    const range = metaRange(ns);
    const cursor = this.engine.cursor({
      gte: start === undefined ? range.start : metaKey(ns, start),
      lt: end === undefined ? range.end : metaKey(ns, end),
    });
    try {
      for (let examined = 0; cursor.valid; cursor.next(), examined++) {
        if (examined === limit) return Buffer.from(userKeyOf(cursor.key));
        const meta = decodeMeta(cursor.value);
        if (meta.expireAt === 0 || meta.expireAt > now) visit(userKeyOf(cursor.key), meta);
      }
      return undefined;
    } finally {
      cursor.close();
    }
  }

  /** A random live key of `db`, or undefined if the db has none. Without ranks in the engine, the choice is a
   *  random bisection of the key range: at each step pick, by a fair coin, the keys below or at/above the
   *  byte-wise midpoint (both halves known non-empty), until one key is left. Every key can come out; the
   *  odds are even when keys spread evenly around midpoints, as RANDOMKEY's users need no more. */
  randomKey(db: number, now = Date.now()): Buffer | undefined {
    if (this.dbsize(db, now) === 0) return undefined;
    const range = metaRange(this.namespaces[db]!);
    const cursor = this.engine.cursor({ gte: range.start, lt: range.end });
    try {
      if (!cursor.valid) return undefined;
      let low = Buffer.from(cursor.key); // a key, the first of the interval
      let high = range.end; // bound after the interval
      for (let step = 0; step < RANDOM_KEY_STEPS; step++) {
        cursor.seek(low);
        cursor.next();
        if (!cursor.valid || Buffer.compare(cursor.key, high) >= 0) break; // one key left
        const mid = midpoint(low, high);
        if (Buffer.compare(mid, low) <= 0) break;
        cursor.seek(mid);
        const upper = cursor.valid && Buffer.compare(cursor.key, high) < 0 ? Buffer.from(cursor.key) : undefined;
        if (upper === undefined || Math.random() < 0.5) high = mid;
        else low = upper;
      }
      // The first live key from there on, wrapping around once.
      for (const from of [low, range.start]) {
        for (cursor.seek(from); cursor.valid; cursor.next()) {
          const expireAt = metaExpireAt(cursor.value);
          if (expireAt === 0 || expireAt > now) return Buffer.from(userKeyOf(cursor.key));
        }
      }
      return undefined;
    } finally {
      cursor.close();
    }
  }

  // ---- writes

  /** A write batch: collect changes to any keys of any dbs, then `commit()` them as one atomic engine batch.
   *  Commands mostly write one batch at a time, so one batch object serves them again and again; another is
   *  made while it is in use (or was left uncommitted). */
  batch(): KeyspaceBatch {
    let batch = this.spareBatch;
    if (batch === undefined) batch = this.spareBatch = new KeyspaceBatch(this, this.engine);
    else if (batch.inUse) batch = new KeyspaceBatch(this, this.engine);
    batch.inUse = true;
    return batch;
  }

  /** Empties `db` in O(1): it moves to a fresh namespace and the old one is reclaimed in the background. */
  flushdb(db: number): void {
    this.flush([db]);
  }

  flushall(): void {
    this.flush(Array.from({ length: this.databases }, (_, db) => db));
  }

  /** Exchanges the contents of two dbs in O(1) by swapping their namespaces. */
  swapdb(a: number, b: number): void {
    if (a === b) return;
    const [nsA, nsB] = [this.namespaces[a]!, this.namespaces[b]!];
    this.apply([
      { type: 'put', key: dbNamespaceKey(a), value: encodeU32(nsB) },
      { type: 'put', key: dbNamespaceKey(b), value: encodeU32(nsA) },
    ]);
    this.namespaces[a] = nsB;
    this.namespaces[b] = nsA;
    this.access.clear(); // its entries are per db number
    for (const counts of [this.keyCounts, this.expireCounts, this.avgTtls]) {
      [counts[a], counts[b]] = [counts[b]!, counts[a]!];
    }
    [this.swept[a], this.swept[b]] = [this.swept[b], this.swept[a]];
  }

  /** Called ~10 times a second: deletes due keys (oldest expiry first, from the expire index) and reclaims
   *  flushed namespaces, within a small time budget so the event loop is never held for long. */
  activeExpireCycle(now = Date.now()): void {
    if (this.closed) return;
    const deadline = performance.now() + CYCLE_BUDGET_MS;
    // Start where the last cycle stopped, so a backlog in one db does not starve the others.
    for (let i = 0; i < this.databases && performance.now() < deadline; i++) {
      const db = this.nextExpireDb;
      this.nextExpireDb = (db + 1) % this.databases;
      if (this.expireCounts[db]! > 0) this.expireDb(db, now, deadline);
    }
    while (this.garbage.length > 0 && performance.now() < deadline) {
      if (this.reclaimStep(this.garbage[0]!)) this.garbage.shift();
    }
  }

  // ---- internals shared with KeyspaceBatch

  /** @internal */
  namespaceOf(db: number): number {
    return this.namespaces[db]!;
  }

  /** @internal Writes go through here, so none slips in after close() saved the counts. */
  apply(ops: readonly BatchOp[]): void {
    if (this.closed) throw new StrataError('Closed', 'the keyspace is closed');
    // Durability is awaited by the connection (engine.durable), which also sees a WAL failure, so the
    // batch's own promise is only kept from being reported as an unhandled rejection.
    const durable = this.engine.applySync(ops);
    if (durable !== this.observed) {
      this.observed = durable;
      durable.catch(IGNORE);
    }
  }

  /** @internal Applied after a batch's engine write succeeded. */
  adjustCounts(db: number, keys: number, expires: number): void {
    this.keyCounts[db]! += keys;
    this.expireCounts[db]! += expires;
  }

  // ---- private

  private flush(dbs: number[]): void {
    const ops: BatchOp[] = [];
    const retired: number[] = [];
    const fresh: number[] = [];
    let next = this.nextNamespace;
    for (const db of dbs) {
      if (this.keyCounts[db] === 0) continue; // the counts are exact: nothing to flush
      retired.push(this.namespaces[db]!);
      fresh.push(next);
      ops.push({ type: 'put', key: dbNamespaceKey(db), value: encodeU32(next) });
      ops.push({ type: 'put', key: garbageKey(this.namespaces[db]!), value: EMPTY });
      next++;
    }
    if (ops.length === 0) return;
    ops.push({ type: 'put', key: nextNamespaceKey(), value: encodeU32(next) });
    this.apply(ops);
    this.nextNamespace = next;
    this.garbage.push(...retired);
    let i = 0;
    for (const db of dbs) {
      if (this.keyCounts[db] === 0) continue;
      this.namespaces[db] = fresh[i++]!;
      this.keyCounts[db] = 0;
      this.expireCounts[db] = 0;
      this.avgTtls[db] = 0;
      this.swept[db] = undefined;
    }
  }

  /** Number of keys in `db` whose expiry has passed but which are still present. */
  private dueCount(db: number, now: number): number {
    if (this.expireCounts[db] === 0) return 0;
    const cursor = this.expireCursor(db, expireRange(this.namespaces[db]!, now).end);
    let due = 0;
    try {
      for (; cursor.valid; cursor.next()) due++;
    } finally {
      cursor.close();
    }
    return due;
  }

  /** A cursor over `db`'s expire index from after the swept entries up to `end`. */
  private expireCursor(db: number, end: Buffer): Cursor {
    return this.engine.cursor({ gte: this.swept[db] ?? expireNsRange(this.namespaces[db]!).start, lt: end });
  }

  private expireDb(db: number, now: number, deadline: number): void {
    const ns = this.namespaces[db]!;
    for (;;) {
      const cursor = this.expireCursor(db, expireNsRange(ns).end);
      const batch = this.batch();
      let deleted = 0;
      let expired = 0;
      let last: Buffer | undefined;
      let complete = false;
      try {
        for (; cursor.valid && deleted < CYCLE_BATCH; cursor.next()) {
          const { expireAt, key } = parseExpireKey(cursor.key);
          if (expireAt > now) {
            complete = true;
            break;
          }
          const raw = this.engine.getSync(metaKey(ns, key));
          last = Buffer.from(cursor.key);
          if (raw !== undefined && metaExpireAt(raw) === expireAt) {
            batch.delete(db, Buffer.from(key));
            expired++;
          } else {
            batch.dropIndexEntry(last); // no metadata accounts for it: never expire a live key
          }
          deleted++;
        }
        complete ||= !cursor.valid;
        if (complete) this.sampleTtl(db, cursor, now);
      } finally {
        cursor.close();
      }
      batch.commit();
      this.stats.expired += expired;
      // Everything due is gone: no entry due by now can appear again (a past expiry deletes instead), so the
      // live index starts at the next millisecond; otherwise it starts right after the last entry deleted.
      if (complete) this.sweptTo(db, expireKey(ns, Math.min(now, Date.now()) + 1, EMPTY));
      else if (last !== undefined) this.sweptTo(db, Buffer.concat([last, ZERO_BYTE]));
      if (complete || performance.now() >= deadline) return;
    }
  }

  private sweptTo(db: number, from: Buffer): void {
    const current = this.swept[db];
    if (current === undefined || Buffer.compare(from, current) > 0) this.swept[db] = from;
  }

  /** Refreshes the average TTL estimate from the entries after the due ones (Redis keeps a running average). */
  private sampleTtl(db: number, cursor: Cursor, now: number): void {
    let sum = 0;
    let n = 0;
    for (; cursor.valid && n < TTL_SAMPLE; cursor.next(), n++) sum += parseExpireKey(cursor.key).expireAt - now;
    if (n === 0) {
      this.avgTtls[db] = 0;
      return;
    }
    const sample = sum / n;
    const previous = this.avgTtls[db]!;
    this.avgTtls[db] = Math.round(previous === 0 ? sample : (previous / 50) * 49 + sample / 50);
  }

  /** Deletes one batch of a retired namespace's entries, resuming where the last batch stopped; true once the
   *  namespace is gone entirely. */
  private reclaimStep(ns: number): boolean {
    const ops: BatchOp[] = [];
    const from = this.reclaimed;
    for (const range of [metaRange(ns), expireNsRange(ns)]) {
      if (from !== undefined && Buffer.compare(from, range.end) >= 0) continue;
      const resume = from !== undefined && Buffer.compare(from, range.start) >= 0;
      const cursor = this.engine.cursor(resume ? { gt: from, lt: range.end } : { gte: range.start, lt: range.end });
      try {
        for (; cursor.valid && ops.length < CYCLE_BATCH; cursor.next()) {
          this.reclaimed = Buffer.from(cursor.key);
          ops.push({ type: 'del', key: this.reclaimed });
        }
      } finally {
        cursor.close();
      }
    }
    const done = ops.length < CYCLE_BATCH;
    if (done) {
      ops.push({ type: 'del', key: garbageKey(ns) });
      this.reclaimed = undefined;
    }
    this.apply(ops);
    return done;
  }

  /** Takes saved counts if they describe exactly this keyspace's dbs; false if not (then count instead). */
  private restoreCounts(saved: DbCounts[]): boolean {
    if (saved.length !== this.databases || saved.some((c, db) => c.ns !== this.namespaces[db])) return false;
    saved.forEach((c, db) => {
      this.keyCounts[db] = c.keys;
      this.expireCounts[db] = c.expires;
    });
    return true;
  }

  /** One streaming pass over each db's metadata: the exact key and expiry counts. */
  private countAll(): void {
    for (let db = 0; db < this.databases; db++) {
      const range = metaRange(this.namespaces[db]!);
      const cursor = this.engine.cursor({ gte: range.start, lt: range.end });
      let keys = 0;
      let expires = 0;
      try {
        for (; cursor.valid; cursor.next()) {
          keys++;
          if (metaExpireAt(cursor.value) !== 0) expires++;
        }
      } finally {
        cursor.close();
      }
      this.keyCounts[db] = keys;
      this.expireCounts[db] = expires;
    }
  }
}

/** Changes to keys, applied as one atomic engine batch by `commit()`. Reads of keys already changed in the
 *  batch see the pending change, so counts and the expire index stay exact when a batch touches a key twice. */
export class KeyspaceBatch {
  /** A fresh array per commit: emptying one by `length = 0` is a runtime call and frees its storage, which
   *  the next push allocates again. */
  private ops: BatchOp[] = [];
  /** Pending state per (db, key): the expiry of the entry the batch leaves, or null if it deletes it. */
  private readonly pending = new PendingKeys();
  /** Count changes per db, applied once the engine took the batch; `touched[0, touchedCount)` lists the dbs
   *  changed (the array is kept: db numbers pin nothing). */
  private readonly keyDeltas: Float64Array;
  private readonly expireDeltas: Float64Array;
  private readonly touched: number[] = [];
  private touchedCount = 0;
  /** @internal Handed out by Keyspace.batch() and not yet committed. */
  inUse = false;

  constructor(
    private readonly keyspace: Keyspace,
    private readonly engine: Db,
  ) {
    this.keyDeltas = new Float64Array(keyspace.databases);
    this.expireDeltas = new Float64Array(keyspace.databases);
  }

  /** Writes `meta` as the new metadata of `key`, replacing whatever was there (type, value and expiry). An
   *  expiry already past deletes the key instead (as Redis's checkAlreadyExpired): the expire index then only
   *  ever gains entries after the ones the active cycle has swept. */
  set(db: number, key: Uint8Array, meta: Meta, now = Date.now()): void {
    if (meta.expireAt !== 0 && meta.expireAt <= now) {
      this.delete(db, key);
      return;
    }
    const ns = this.keyspace.namespaceOf(db);
    const mkey = metaKey(ns, key);
    const previous = this.previousExpiry(db, key, mkey);
    if (previous !== null && previous !== meta.expireAt && previous !== 0) {
      this.ops.push({ type: 'del', key: expireKey(ns, previous, key) });
    }
    this.ops.push({ type: 'put', key: mkey, value: encodeMeta(meta) });
    if (meta.expireAt !== 0 && previous !== meta.expireAt) {
      this.ops.push({ type: 'put', key: expireKey(ns, meta.expireAt, key), value: EMPTY });
    }
    this.count(db, previous === null ? 1 : 0, (meta.expireAt !== 0 ? 1 : 0) - (previous ? 1 : 0));
    this.pending.set(db, key, meta.expireAt);
    this.keyspace.access.touch(db, key, now);
  }

  /** Deletes `key` if present (even if expired); returns whether an entry was there. */
  delete(db: number, key: Uint8Array): boolean {
    const ns = this.keyspace.namespaceOf(db);
    const mkey = metaKey(ns, key);
    const previous = this.previousExpiry(db, key, mkey);
    if (previous === null) return false;
    this.ops.push({ type: 'del', key: mkey });
    if (previous !== 0) this.ops.push({ type: 'del', key: expireKey(ns, previous, key) });
    this.count(db, -1, previous !== 0 ? -1 : 0);
    this.pending.set(db, key, null);
    return true;
  }

  /** @internal Deletes an expire index entry that no metadata accounts for. */
  dropIndexEntry(engineKey: Uint8Array): void {
    this.ops.push({ type: 'del', key: engineKey });
  }

  /** Applies the batch (nothing if empty). Throws if the engine refuses writes; the counts then stay as they
   *  were. Either way the batch is empty afterwards. */
  commit(): void {
    try {
      if (this.ops.length === 0) return;
      this.keyspace.apply(this.ops);
      for (let i = 0; i < this.touchedCount; i++) {
        const db = this.touched[i]!;
        this.keyspace.adjustCounts(db, this.keyDeltas[db]!, this.expireDeltas[db]!);
      }
    } finally {
      this.ops = [];
      for (let i = 0; i < this.touchedCount; i++) this.keyDeltas[this.touched[i]!] = this.expireDeltas[this.touched[i]!] = 0;
      this.touchedCount = 0;
      this.pending.clear();
      this.inUse = false;
    }
  }

  /** The expiry of the entry present before this change (0 = none), or null if there is no entry. */
  private previousExpiry(db: number, key: Uint8Array, mkey: Uint8Array): number | null {
    const pending = this.pending.get(db, key);
    if (pending !== undefined) return pending;
    const raw = this.engine.getSync(mkey);
    return raw === undefined ? null : metaExpireAt(raw);
  }

  private count(db: number, keys: number, expires: number): void {
    let i = 0;
    while (i < this.touchedCount && this.touched[i] !== db) i++;
    if (i === this.touchedCount) this.touched[this.touchedCount++] = db;
    this.keyDeltas[db]! += keys;
    this.expireDeltas[db]! += expires;
  }
}

/** A metadata entry for a string value. */
export const stringMeta = (value: Uint8Array, expireAt = 0, encoding: Meta['encoding'] = 0): Meta => ({
  type: KeyType.String,
  expireAt,
  encoding,
  value,
});

/** (db, key) -> value for the keys a batch changed. Most batches change one key or a few: those are found by
 *  a linear search with no allocation; a map takes over for large batches (MSET of many keys). */
class PendingKeys {
  private few: Array<{ db: number; key: Uint8Array; value: number | null }> = [];
  private many: Map<string, number | null> | undefined;

  get(db: number, key: Uint8Array): number | null | undefined {
    if (this.many !== undefined) return this.many.get(mapKey(db, key));
    return this.findFew(db, key)?.value;
  }

  set(db: number, key: Uint8Array, value: number | null): void {
    if (this.many !== undefined) {
      this.many.set(mapKey(db, key), value);
      return;
    }
    const entry = this.findFew(db, key);
    if (entry !== undefined) entry.value = value;
    else if (this.few.length < FEW) this.few.push({ db, key, value });
    else {
      this.many = new Map(this.few.map((e) => [mapKey(e.db, e.key), e.value]));
      this.many.set(mapKey(db, key), value);
    }
  }

  clear(): void {
    this.few = [];
    this.many = undefined;
  }

  private findFew(db: number, key: Uint8Array): { db: number; key: Uint8Array; value: number | null } | undefined {
    for (const entry of this.few) if (entry.db === db && Buffer.compare(entry.key, key) === 0) return entry;
    return undefined;
  }
}

const FEW = 8;

const mapKey = (db: number, key: Uint8Array): string =>
  `${db}:${Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1')}`;

const IGNORE = (): void => {};

function listGarbage(engine: Db): number[] {
  const prefix = garbagePrefix();
  const cursor = engine.cursor({ gte: prefix, lt: Buffer.from([prefix[0]!, prefix[1]! + 1]) });
  const out: number[] = [];
  try {
    for (; cursor.valid; cursor.next()) out.push(decodeU32(cursor.key, 2));
  } finally {
    cursor.close();
  }
  return out;
}

/** Bisection steps of RANDOMKEY at most (each halves the interval, so this is plenty for real keyspaces). */
const RANDOM_KEY_STEPS = 96;

/** The byte string halfway between `low` and `high`, read as base-256 fractions (two bytes of extra
 *  precision, so it lies strictly between them unless they are adjacent). */
function midpoint(low: Uint8Array, high: Uint8Array): Buffer {
  const width = Math.max(low.length, high.length) + 2;
  const number = (b: Uint8Array): bigint => BigInt('0x' + Buffer.from(b).toString('hex').padEnd(width * 2, '0'));
  const mid = (number(low) + number(high)) >> 1n;
  return Buffer.from(mid.toString(16).padStart(width * 2, '0'), 'hex');
}

const EMPTY = new Uint8Array(0);
/** Appended to a key, the smallest key after it. */
const ZERO_BYTE = Uint8Array.of(0);
