// Overlapping WAL sync rounds under fsync always (wal-writer.ts): a group committed while a sync is in flight
// starts its own at once, up to two; a round settles only after its own sync and every earlier one, and a
// failure of an earlier round fails the later ones even if their syncs went well.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { open, type Db } from '@strata/engine';
import { GatedFileSystem } from '../../helpers/gated-fs.js';

const DIR = '/db';
const k = (i: number): Buffer => Buffer.from(`key-${i}`);

/** Starts a put in its own turn of the event loop (its own group commit); `settled` tells how it ended. */
async function put(db: Db, i: number): Promise<{ done: Promise<void>; settled: () => string }> {
  let state = 'pending';
  const done = db.put(k(i), k(i));
  done.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return { done, settled: () => state };
}

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('WAL sync rounds', () => {
  test('two rounds overlap, a third waits; a round that ends first settles only with the earlier one', async () => {
    const fs = new GatedFileSystem();
    const db = await open(DIR, { fs, fsync: 'always' });
    fs.gating = true;
    try {
      const first = await put(db, 1);
      await fs.heldCount(1);
      const second = await put(db, 2);
      await fs.heldCount(2);
      const third = await put(db, 3);
      await turns(5);
      assert.equal(fs.held.length, 2, 'a third round started while two were in flight');
      const durableBefore = db.durableSequence;

      fs.take(1).release(); // the second round's sync ends first
      await turns(5);
      assert.equal(second.settled(), 'pending', 'settled before the earlier round');
      assert.equal(db.durableSequence, durableBefore);

      fs.take(0).release();
      await Promise.all([first.done, second.done]);
      await fs.heldCount(1); // the third group's round starts as a round ends
      assert.equal(third.settled(), 'pending');
      fs.take(0).release();
      await third.done;
      assert.equal(db.durableSequence, db.lastSequence);
    } finally {
      fs.gating = false;
      for (const held of fs.held.splice(0)) held.release();
      await db.close();
    }
  });

  test('an earlier round that fails fails the later one whose sync succeeded, and nothing after it is durable', async () => {
    const fs = new GatedFileSystem();
    const db = await open(DIR, { fs, fsync: 'always' });
    fs.gating = true;
    const durableBefore = db.durableSequence;
    const first = await put(db, 1);
    await fs.heldCount(1);
    const second = await put(db, 2);
    await fs.heldCount(2);

    fs.take(1).release();
    await turns(5);
    fs.take(0).fail('EIO');
    await assert.rejects(first.done, /write-ahead log failed/);
    await assert.rejects(second.done, /write-ahead log failed/);
    await turns(5);
    assert.equal(db.durableSequence, durableBefore, 'the later success made the failed writes durable');
    await assert.rejects(db.durable(db.lastSequence), /write-ahead log failed/);
    fs.gating = false;
    await db.close().catch(() => {});
  });
});
