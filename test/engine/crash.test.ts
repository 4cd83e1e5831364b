// Crash tests on the in-memory file system: concurrent writers with fsync 'always' and a tiny memtable (so
// flushes and manifest edits happen throughout), a power cut at every sync point and at random moments,
// with and without torn writes; then reopen the crashed image and check that the store opens, that every
// acknowledged write is there, that nothing was invented and that batches are all-or-nothing.
// Injected EIO/ENOSPC must fail the operation clearly, stop further writes after a WAL failure, and damage
// nothing that was acknowledged.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { open, MemoryFileSystem, StrataError, type BatchOp, type Db, type OpenOptions } from '@strata/engine';
import { Random, testSeed, testSeeds } from '../helpers/random.js';
import { hex } from '../helpers/sorted-model.js';

const DIR = '/db';

/** A write's effect: key (hex) to value, undefined for a delete. */
type Effect = Map<string, Uint8Array | undefined>;

/** What the writers had been told at the moment of a crash. */
interface AckState {
  /** Each key's value after its last acknowledged write (absent: never acknowledged, so undefined). */
  acked: Map<string, Uint8Array | undefined>;
  /** The write each writer had issued but not yet seen acknowledged. */
  inflight: Effect[];
}

interface Plan {
  writers: number;
  opsPerWriter: number;
  keysPerWriter: number;
  options: OpenOptions;
}

/** A store in a durable directory on a fresh file system. */
async function freshFs(): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem();
  fs.mkdir(DIR);
  await fs.syncDir('/');
  return fs;
}

/** Bytes as text, for comparisons and messages. */
const text = (v: Uint8Array | undefined): string | undefined => (v === undefined ? undefined : Buffer.from(v).toString());

const keyOf = (writer: number, index: number): Uint8Array => Buffer.from(`w${writer}/k${index}`);

/**
 * Runs `plan` on `fs`: each writer owns its keys and awaits each write before the next, so each key's
 * history is a sequence and each writer has at most one write in flight. `crashNow` is consulted at every
 * sync point and after every acknowledgement; when it says so, the crash image and the acknowledgement
 * state of that instant are returned and the writers stop.
 */
async function runWorkload(
  fs: MemoryFileSystem,
  seed: number,
  plan: Plan,
  crashNow: (syncCount: number | undefined) => { tear: boolean } | undefined,
  tearRandom: () => number,
): Promise<{ image: MemoryFileSystem; state: AckState } | undefined> {
  const random = new Random(seed);
  const acked = new Map<string, Uint8Array | undefined>();
  const inflight: Array<Effect | undefined> = new Array(plan.writers).fill(undefined);
  let crashed: { image: MemoryFileSystem; state: AckState } | undefined;
  const takeCrash = (how: { tear: boolean } | undefined): void => {
    if (how === undefined || crashed !== undefined) return;
    crashed = {
      image: fs.crash({ tear: how.tear, random: tearRandom }),
      state: { acked: new Map(acked), inflight: inflight.filter((e): e is Effect => e !== undefined) },
    };
  };
  fs.onSync = (_kind, _path, count) => takeCrash(crashNow(count));

  const db = await open(DIR, { ...plan.options, fs });
  // Writers draw from their own generators so that a run is the same however the writers interleave.
  const writer = async (w: number): Promise<void> => {
    const own = new Random(random.int(2 ** 32));
    for (let op = 0; op < plan.opsPerWriter && crashed === undefined; op++) {
      const value = (): Uint8Array => Buffer.from(`${w}:${op}:${'x'.repeat(own.between(10, 300))}`);
      const key = (): Uint8Array => keyOf(w, own.int(plan.keysPerWriter));
      const roll = own.next();
      let ops: BatchOp[];
      if (roll < 0.04) {
        await db.flush();
        continue;
      } else if (roll < 0.6) {
        ops = [{ type: 'put', key: key(), value: value() }];
      } else if (roll < 0.75) {
        ops = [{ type: 'del', key: key() }];
      } else {
        ops = Array.from({ length: own.between(2, 5) }, (_, i) =>
          own.chance(0.8) ? { type: 'put' as const, key: key(), value: value().subarray(0, 40 + i) } : { type: 'del' as const, key: key() },
        );
      }
      const effect: Effect = new Map();
      for (const o of ops) effect.set(hex(o.key), o.type === 'put' ? o.value : undefined);
      inflight[w] = effect;
      if (ops.length === 1 && ops[0]?.type === 'put') await db.put(ops[0].key, ops[0].value);
      else if (ops.length === 1 && ops[0]?.type === 'del') await db.del(ops[0].key);
      else await db.write(ops);
      if (crashed !== undefined) break;
      for (const [k, v] of effect) acked.set(k, v);
      inflight[w] = undefined;
      takeCrash(crashNow(undefined));
    }
  };
  await Promise.all(Array.from({ length: plan.writers }, (_, w) => writer(w)));
  await db.close();
  fs.onSync = undefined;
  return crashed;
}

/** Opens the crashed image and checks it against what had been acknowledged. */
async function verifyImage(image: MemoryFileSystem, state: AckState, plan: Plan, label: string): Promise<void> {
  let db: Db;
  try {
    db = await open(DIR, { ...plan.options, fs: image });
  } catch (error) {
    assert.fail(`${label}: the crashed store does not open: ${String(error)}`);
  }
  try {
    const found = new Map<string, Uint8Array>();
    for await (const [k, v] of db.iterator()) found.set(hex(k), Buffer.from(v));
    const inflightOf = new Map<string, Effect>();
    for (const effect of state.inflight) for (const k of effect.keys()) inflightOf.set(k, effect);
    const show = (v: Uint8Array | undefined): string => (v === undefined ? '(none)' : Buffer.from(v).toString().slice(0, 20));
    for (const k of found.keys()) {
      assert.ok(state.acked.has(k) || inflightOf.has(k), `${label}: key ${Buffer.from(k, 'hex')} was never acknowledged nor in flight, yet is present`);
    }
    for (const k of new Set([...state.acked.keys(), ...inflightOf.keys()])) {
      const got = found.get(k);
      const acked = state.acked.get(k);
      const allowed = [acked];
      const effect = inflightOf.get(k);
      if (effect !== undefined) allowed.push(effect.get(k));
      assert.ok(
        allowed.some((v) => (v === undefined ? got === undefined : got !== undefined && Buffer.compare(v, got) === 0)),
        `${label}: key ${Buffer.from(k, 'hex')} holds ${show(got)}, expected ${allowed.map(show).join(' or ')}`,
      );
      assert.equal(text(await db.get(Buffer.from(k, 'hex'))), text(got), `${label}: get agrees with the scan`);
    }
    // A batch in flight is all there or not at all.
    for (const effect of state.inflight) {
      const outcomes = new Set<string>();
      for (const [k, v] of effect) {
        const before = state.acked.get(k);
        const same = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
          a === undefined ? b === undefined : b !== undefined && Buffer.compare(a, b) === 0;
        if (same(before, v)) continue;
        outcomes.add(same(found.get(k), v) ? 'applied' : 'absent');
      }
      assert.ok(outcomes.size <= 1, `${label}: a batch of ${effect.size} keys was applied in part`);
    }
  } finally {
    await db.close();
  }
}

function planFor(random: Random): Plan {
  return {
    writers: random.between(2, 4),
    opsPerWriter: random.between(15, 30),
    keysPerWriter: random.between(3, 10),
    options: { fsync: 'always', memtableSize: random.pick([1024, 2048, 4096]), blockSize: 512 },
  };
}

describe('crash at sync points', () => {
  test('every sync point of a workload', async () => {
    const seed = testSeed('crash every sync point');
    const plan = planFor(new Random(seed));
    const dry = await freshFs();
    await runWorkload(dry, seed, plan, () => undefined, Math.random);
    const points = dry.syncCount;
    assert.ok(points > 5, `the workload reached only ${points} sync points`);
    // Cap the number of runs; with many sync points, crash at every stride-th one.
    const stride = Math.ceil(points / 150);
    for (let k = 1; k <= points + 1; k += stride) {
      const fs = await freshFs();
      const crashed = await runWorkload(fs, seed, plan, (count) => (count === k ? { tear: false } : undefined), Math.random);
      const image = crashed?.image ?? fs.crash();
      const state = crashed?.state ?? { acked: await everything(fs, plan), inflight: [] };
      await verifyImage(image, state, plan, `seed ${seed}, crash at sync point ${k} of ${points}`);
    }
  });

  for (const seed of testSeeds('crash random points', 6)) {
    test(`random crash points, seed ${seed}`, async () => {
      const random = new Random(seed);
      const plan = planFor(random);
      const dry = await freshFs();
      await runWorkload(dry, seed, plan, () => undefined, Math.random);
      for (let round = 0; round < 8; round++) {
        const tear = random.chance(0.6);
        const atSync = random.chance(0.5);
        const k = random.between(1, dry.syncCount);
        let acks = random.int(plan.writers * plan.opsPerWriter);
        const crashNow = (count: number | undefined): { tear: boolean } | undefined => {
          if (atSync) return count === k ? { tear } : undefined;
          return count === undefined && acks-- === 0 ? { tear } : undefined;
        };
        const fs = await freshFs();
        const crashed = await runWorkload(fs, seed, plan, crashNow, new Random(seed + round).next);
        if (crashed === undefined) continue;
        let image = crashed.image;
        let where = `${atSync ? `sync point ${k}` : 'an acknowledgement'}${tear ? ' (torn)' : ''}`;
        if (random.chance(0.5)) {
          // Crash again while recovering from the first crash.
          const again = random.between(1, 4);
          const label = `seed ${seed} round ${round}, crash at ${where}`;
          image = await crashDuringOpen(crashed.image, plan, again, random.chance(0.5), new Random(seed - round).next, label);
          where += `, then at sync point ${again} of the recovery`;
        }
        await verifyImage(image, crashed.state, plan, `seed ${seed} round ${round}, crash at ${where}`);
      }
    });
  }
});

/** Opens (recovers) `fs` and crashes at its `k`-th sync point; without that many, after a clean close. */
async function crashDuringOpen(
  fs: MemoryFileSystem,
  plan: Plan,
  k: number,
  tear: boolean,
  random: () => number,
  label: string,
): Promise<MemoryFileSystem> {
  let image: MemoryFileSystem | undefined;
  fs.onSync = (_kind, _path, count) => {
    if (count === k) image = fs.crash({ tear, random });
  };
  try {
    const db = await open(DIR, { ...plan.options, fs });
    await db.close();
  } catch (error) {
    assert.fail(`${label}: the crashed store does not open: ${String(error)}`);
  }
  fs.onSync = undefined;
  return image ?? fs.crash();
}

/** The contents of a cleanly closed store, read back, as the acknowledged state. */
async function everything(fs: MemoryFileSystem, plan: Plan): Promise<Map<string, Uint8Array | undefined>> {
  const db = await open(DIR, { ...plan.options, fs });
  const all = new Map<string, Uint8Array | undefined>();
  for await (const [k, v] of db.iterator()) all.set(hex(k), Buffer.from(v));
  await db.close();
  return all;
}

describe('crash of a new store', () => {
  test('a store created by open survives a crash right after its first write', async () => {
    const fs = new MemoryFileSystem();
    const db = await open('/fresh/db', { fs });
    await db.put(Buffer.from('k'), Buffer.from('v'));
    const image = fs.crash();
    await db.close();
    const reopened = await open('/fresh/db', { fs: image });
    try {
      assert.equal(text(await reopened.get(Buffer.from('k'))), 'v');
    } finally {
      await reopened.close();
    }
  });
});

/** Asserts `error` is a StrataError of kind IOError carrying the system code. */
function ioError(code: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof StrataError, `expected a StrataError, got ${String(error)}`);
    assert.equal(error.kind, 'IOError', error.message);
    assert.equal(error.code, code, error.message);
    return true;
  };
}

describe('injected faults', () => {
  const key = (i: number): Uint8Array => Buffer.from(`key${String(i).padStart(4, '0')}`);
  const value = (i: number): Uint8Array => Buffer.from(`value-${i}-${'v'.repeat(i % 50)}`);
  const options: OpenOptions = { fsync: 'always', memtableSize: 1 << 20 };

  /** A store on `fs` holding keys 0..n-1, acknowledged. */
  async function seeded(n: number): Promise<{ fs: MemoryFileSystem; db: Db }> {
    const fs = await freshFs();
    const db = await open(DIR, { ...options, fs });
    for (let i = 0; i < n; i += 10) await Promise.all(Array.from({ length: 10 }, (_, j) => db.put(key(i + j), value(i + j))));
    return { fs, db };
  }

  /** Reopens `fs` and checks keys 0..n-1 are present; keys from n on may be present only with their value. */
  async function assertIntact(fs: MemoryFileSystem, n: number, label: string): Promise<void> {
    const db = await open(DIR, { ...options, fs });
    try {
      for await (const [k, v] of db.iterator()) {
        const i = Number(Buffer.from(k).toString().slice(3));
        assert.deepEqual(Buffer.from(v), Buffer.from(value(i)), `${label}: ${Buffer.from(k)} holds the wrong value`);
      }
      for (let i = 0; i < n; i++) assert.equal(text(await db.get(key(i))), text(value(i)), `${label}: acknowledged ${Buffer.from(key(i))} lost`);
    } finally {
      await db.close();
    }
  }

  for (const [op, code] of [
    ['sync', 'EIO'],
    ['append', 'EIO'],
    ['append', 'ENOSPC'],
  ] as const) {
    test(`${code} on WAL ${op}: writes fail, the store refuses more, nothing acknowledged is lost`, async () => {
      const { fs, db } = await seeded(50);
      fs.inject((o) => (o === op ? code : undefined));
      const [first, ...rest] = Array.from({ length: 5 }, (_, j) => db.put(key(50 + j), value(50 + j)));
      await assert.rejects(first as Promise<void>, ioError(code));
      for (const write of rest) await assert.rejects(write, StrataError);
      fs.inject(undefined);
      assert.equal(typeof db.stats().backgroundError, 'string', 'stats().backgroundError is set');
      await assert.rejects(db.put(key(60), value(60)), 'writes are refused after a WAL failure');
      assert.throws(() => db.applySync([{ type: 'put', key: key(61), value: value(61) }]));
      assert.equal(text(await db.get(key(3))), text(value(3)), 'reads still work');
      const torn = fs.crash({ tear: true, random: new Random(testSeed(`fault ${code} ${op}`)).next });
      await db.close().catch(() => undefined);
      await assertIntact(torn, 50, 'after a crash');
      await assertIntact(fs, 50, 'after close, without a crash');
    });
  }

  for (const [op, code] of [
    ['open', 'EIO'],
    ['append', 'ENOSPC'],
    ['sync', 'EIO'],
    ['syncDir', 'EIO'],
    ['rename', 'EIO'],
  ] as const) {
    test(`${code} on ${op} during a flush: the flush fails clearly, nothing acknowledged is lost`, async () => {
      const { fs, db } = await seeded(100);
      fs.inject((o) => (o === op ? code : undefined));
      const flushed = await db.flush().then(
        () => undefined,
        (error: unknown) => error,
      );
      fs.inject(undefined);
      // A flush that needs no call of this kind may succeed; one that does must say why it failed.
      if (flushed !== undefined) ioError(code)(flushed);
      const image = fs.crash();
      await db.close().catch(() => undefined);
      await assertIntact(image, 100, 'after a crash');
      await assertIntact(fs, 100, 'after close, without a crash');
    });
  }

  test('EIO while opening: open fails clearly and a later open works', async () => {
    const { fs, db } = await seeded(30);
    await db.close();
    let failures = 0;
    for (const op of ['open', 'read', 'list', 'lock'] as const) {
      fs.inject((o) => (o === op ? 'EIO' : undefined));
      // Open may not need every kind of call; those it makes must fail it clearly.
      const opened = await open(DIR, { ...options, fs }).then(
        (db) => db,
        (error: unknown) => error,
      );
      fs.inject(undefined);
      if (opened instanceof Error) {
        ioError('EIO')(opened);
        failures++;
      } else {
        await (opened as Db).close();
      }
      await assertIntact(fs, 30, `after EIO on ${op} during open`);
    }
    assert.ok(failures >= 2, 'open reads and locks, so EIO there must fail it');
  });

  test('a second open of the same directory is refused while the first holds it', async () => {
    const { fs, db } = await seeded(10);
    try {
      await assert.rejects(open(DIR, { ...options, fs }), (error: unknown) => {
        assert.ok(error instanceof StrataError);
        assert.equal(error.kind, 'Busy');
        return true;
      });
    } finally {
      await db.close();
    }
  });
});
