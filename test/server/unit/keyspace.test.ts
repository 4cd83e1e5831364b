// The keyspace on a real engine in a temp dir: exact counts against a model under random operations (and
// after reopening), expiry (lazy and active), O(1) FLUSHDB/SWAPDB with background reclamation that survives a
// restart, the layout version check, and corruption reported rather than served.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { open, type Db } from '@strata/engine';
import { Keyspace, KeyType, StringEncoding, metaKey, stringMeta } from '@strata/server';
import { Random, testSeed } from '../../helpers/random.js';
import { tempDir } from '../../helpers/temp-dir.js';

const DBS = 4;
const key = (s: string): Buffer => Buffer.from(s);

async function openKeyspace(dir: string): Promise<{ engine: Db; keyspace: Keyspace }> {
  const engine = await open(dir, { fsync: 'no', memtableSize: 64 * 1024 });
  return { engine, keyspace: await Keyspace.open(engine, { databases: DBS }) };
}

/** Every live key of a db, by scanning it whole. */
function liveKeys(keyspace: Keyspace, db: number): string[] {
  const out: string[] = [];
  keyspace.scan(db, undefined, undefined, Infinity, (k) => out.push(Buffer.from(k).toString()));
  return out;
}

/** Engine entries under the metadata and expire-index tags (live and garbage alike). */
function engineEntries(engine: Db, tag: number): number {
  const cursor = engine.cursor({ gte: Buffer.from([tag]), lt: Buffer.from([tag + 1]) });
  let n = 0;
  for (; cursor.valid; cursor.next()) n++;
  cursor.close();
  return n;
}

describe('Keyspace', () => {
  test('counts, keys and expiries match a model under random operations, also after reopening', async (t) => {
    const random = new Random(testSeed('keyspace model'));
    const dir = tempDir(t);
    let { engine, keyspace } = await openKeyspace(dir);
    // db -> key -> has TTL (all TTLs are far in the future, so nothing expires during the test)
    let model: Array<Map<string, boolean>> = Array.from({ length: DBS }, () => new Map());
    const far = Date.now() + 3_600_000;
    for (let step = 0; step < 3000; step++) {
      const db = random.int(DBS);
      const k = `k${random.int(200)}`;
      const roll = random.next();
      if (roll < 0.5) {
        const ttl = random.chance(0.3);
        const batch = keyspace.batch();
        batch.set(db, key(k), stringMeta(key(`v${step}`), ttl ? far + random.int(1000) : 0));
        if (random.chance(0.2)) batch.set(db, key(k), stringMeta(key('again'), ttl ? far : 0)); // same key twice
        batch.commit();
        model[db]!.set(k, ttl);
      } else if (roll < 0.8) {
        const batch = keyspace.batch();
        assert.equal(batch.delete(db, key(k)), model[db]!.has(k));
        batch.commit();
        model[db]!.delete(k);
      } else if (roll < 0.85) {
        keyspace.flushdb(db);
        model[db] = new Map();
      } else if (roll < 0.9) {
        const other = random.int(DBS);
        keyspace.swapdb(db, other);
        [model[db], model[other]] = [model[other]!, model[db]!];
      } else if (roll < 0.92) {
        keyspace.flushall();
        model = Array.from({ length: DBS }, () => new Map());
      } else {
        keyspace.activeExpireCycle(); // reclaims flushed namespaces; must not touch live keys
      }
      if (step % 500 === 499) {
        // Alternately a clean shutdown (counts saved, used once by the next open) and a stop without it.
        const clean = step % 1000 === 499;
        if (clean) {
          await keyspace.close();
          const late = keyspace.batch();
          late.set(0, key('late'), stringMeta(key('v')));
          assert.throws(() => late.commit(), /closed/);
        }
        await engine.close();
        ({ engine, keyspace } = await openKeyspace(dir));
        assert.equal(engine.getSync(Buffer.from([0, 0x63])), undefined, 'saved counts are consumed at open');
      }
      for (let d = 0; d < DBS; d++) assert.equal(keyspace.dbsize(d), model[d]!.size, `step ${step} db ${d}`);
    }
    for (let d = 0; d < DBS; d++) {
      assert.deepEqual(liveKeys(keyspace, d), [...model[d]!.keys()].sort());
      const info = keyspace.keyspaceInfo().find((i) => i.db === d);
      const expires = [...model[d]!.values()].filter(Boolean).length;
      assert.deepEqual(info && { keys: info.keys, expires: info.expires }, model[d]!.size ? { keys: model[d]!.size, expires } : undefined);
    }
    // Reclamation finishes: only live entries remain in the engine, metadata and expire index alike.
    for (let i = 0; i < 1000 && engineEntries(engine, 1) > model.reduce((n, m) => n + m.size, 0); i++) {
      keyspace.activeExpireCycle();
    }
    assert.equal(engineEntries(engine, 1), model.reduce((n, m) => n + m.size, 0));
    assert.equal(engineEntries(engine, 3), model.reduce((n, m) => n + [...m.values()].filter(Boolean).length, 0));
    await engine.close();
  });

  test('expired keys are invisible at once and deleted by lookup or by the active cycle', async (t) => {
    const { engine, keyspace } = await openKeyspace(tempDir(t));
    const now = Date.now();
    const batch = keyspace.batch();
    for (let i = 0; i < 300; i++) batch.set(0, key(`e${i}`), stringMeta(key('v'), now + 60_000));
    batch.set(0, key('stays'), stringMeta(key('v'), now + 3_600_000));
    batch.commit();
    assert.equal(keyspace.dbsize(0, now), 301);
    const later = now + 120_000;
    assert.equal(keyspace.dbsize(0, later), 1, 'due keys are not counted');
    assert.deepEqual(keyspace.keyspaceInfo(later), [{ db: 0, keys: 1, expires: 1, avgTtl: 0 }]);
    assert.equal(keyspace.lookup(0, key('e0'), later), undefined);
    assert.equal(engine.getSync(metaKey(0, key('e0'))), undefined, 'lookup deleted the expired key');
    for (let i = 0; i < 100 && engineEntries(engine, 3) > 1; i++) keyspace.activeExpireCycle(later);
    assert.equal(engineEntries(engine, 1), 1);
    assert.equal(engineEntries(engine, 3), 1);
    assert.equal(keyspace.dbsize(0, later), 1);
    assert.ok(keyspace.keyspaceInfo(later)[0]!.avgTtl > 3_000_000, 'the cycle estimates the average TTL');
    await engine.close();
  });

  test('the active cycle keeps sweeping as new keys expire after earlier sweeps', async (t) => {
    const { engine, keyspace } = await openKeyspace(tempDir(t));
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    for (let round = 0; round < 3; round++) {
      const batch = keyspace.batch();
      for (let i = 0; i < 400; i++) batch.set(1, key(`r${round}:${i}`), stringMeta(key('v'), Date.now() + 20));
      batch.set(1, key(`keep${round}`), stringMeta(key('v'), Date.now() + 3_600_000));
      batch.commit();
      await sleep(40);
      assert.equal(keyspace.dbsize(1), round + 1, 'due keys are not counted, before and after sweeps');
      for (let i = 0; i < 200 && engineEntries(engine, 3) > round + 1; i++) keyspace.activeExpireCycle();
      assert.equal(engineEntries(engine, 3), round + 1);
      assert.equal(engineEntries(engine, 1), round + 1);
      assert.equal(keyspace.dbsize(1), round + 1);
    }
    await engine.close();
  });

  test('writing an expiry already past deletes the key and leaves no index entry', async (t) => {
    const { engine, keyspace } = await openKeyspace(tempDir(t));
    const batch = keyspace.batch();
    batch.set(0, key('k'), stringMeta(key('v'), Date.now() + 3_600_000));
    batch.set(0, key('k'), stringMeta(key('v'), Date.now() - 1));
    batch.set(0, key('new'), stringMeta(key('v'), 1));
    batch.commit();
    assert.equal(keyspace.dbsize(0), 0);
    assert.equal(engineEntries(engine, 1), 0);
    assert.equal(engineEntries(engine, 3), 0);
    await engine.close();
  });

  test('a stale expire index entry is dropped without expiring the live key it names', async (t) => {
    const { engine, keyspace } = await openKeyspace(tempDir(t));
    const batch = keyspace.batch();
    batch.set(0, key('live'), stringMeta(key('v'), Date.now() + 3_600_000));
    batch.commit();
    // 0x03, namespace 0, expireAt 1 ms, key: an index entry no metadata accounts for.
    const stale = Buffer.concat([Buffer.from([3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), key('live')]);
    await engine.put(stale, new Uint8Array(0));
    keyspace.activeExpireCycle();
    assert.equal(engine.getSync(stale), undefined);
    assert.equal(keyspace.lookup(0, key('live'))?.value.toString(), 'v');
    assert.equal(keyspace.dbsize(0), 1);
    await engine.close();
  });

  test('an unknown layout version is refused with a clear message', async (t) => {
    const dir = tempDir(t);
    const engine = await open(dir, { fsync: 'no' });
    await engine.put(Buffer.from([0, 0x76]), Uint8Array.of(9));
    await assert.rejects(Keyspace.open(engine, { databases: 16 }), /layout version 9 is not supported/);
    await engine.close();
  });

  test('a corrupt metadata entry is reported, never served', async (t) => {
    const { engine, keyspace } = await openKeyspace(tempDir(t));
    await engine.put(metaKey(0, key('bad')), Uint8Array.of(1, 0, 0x80));
    await engine.put(metaKey(0, key('old')), Uint8Array.of(7, 0, 0));
    await engine.put(metaKey(0, key('short')), Uint8Array.of(1, 0, 1, 0));
    for (const k of ['bad', 'old', 'short']) assert.throws(() => keyspace.lookup(0, key(k)), /Corruption/);
    await engine.close();
  });

  test('metadata keeps type, encoding hint, expiry and value', async (t) => {
    const { engine, keyspace } = await openKeyspace(tempDir(t));
    const batch = keyspace.batch();
    batch.set(2, key('s'), stringMeta(key('12'), 0, StringEncoding.Raw));
    batch.set(2, key('l'), { type: KeyType.List, expireAt: 4_102_444_800_000, encoding: StringEncoding.Auto, value: new Uint8Array(0) });
    batch.commit();
    assert.deepEqual(keyspace.lookup(2, key('s')), { type: KeyType.String, expireAt: 0, encoding: StringEncoding.Raw, value: key('12') });
    assert.equal(keyspace.lookup(2, key('l'))!.expireAt, 4_102_444_800_000);
    assert.equal(keyspace.lookup(1, key('s')), undefined);
    await engine.close();
  });
});
