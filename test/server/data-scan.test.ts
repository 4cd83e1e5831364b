// SCAN and KEYS in process: every key present for a whole scan is returned exactly once while other keys are
// inserted and deleted between calls (seeded), MATCH with a literal prefix seeks to it, TYPE filters, cursors
// that lost their table entry degrade to repeats (never to skips), and KEYS streams the matches.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Random, testSeed } from '../helpers/random.js';
import { tempDir } from '../helpers/temp-dir.js';
import { InProcessServer, type InProcessClient } from './unit/in-process.js';

/** Parses a SCAN reply (RESP2 bytes) into its cursor and keys. */
function parseScan(raw: string): { cursor: string; keys: string[] } {
  const lines = raw.split('\r\n');
  assert.equal(lines[0], '*2', raw);
  const cursor = lines[2]!;
  const n = Number(lines[3]!.slice(1));
  const keys: string[] = [];
  for (let i = 0; i < n; i++) keys.push(lines[5 + 2 * i]!);
  return { cursor, keys };
}

function scanAll(client: InProcessClient, ...options: string[]): string[] {
  const out: string[] = [];
  let cursor = '0';
  do {
    const reply = parseScan(client.run('SCAN', cursor, ...options));
    out.push(...reply.keys);
    cursor = reply.cursor;
  } while (cursor !== '0');
  return out;
}

describe('SCAN', () => {
  test('returns every key present throughout exactly once under concurrent inserts and deletes', async (t) => {
    const random = new Random(testSeed('scan exactly once'));
    const server = await InProcessServer.open(tempDir(t));
    t.after(() => server.close());
    const client = server.client();
    const writer = server.client();
    for (let round = 0; round < 5; round++) {
      writer.run('FLUSHALL');
      const present = new Set<string>();
      for (let i = 0; i < 500; i++) {
        const k = `key:${random.int(100000)}`;
        writer.run('SET', k, 'v');
        present.add(k);
      }
      const stable = new Set(present); // present at the start and never deleted
      const seen = new Map<string, number>();
      let cursor = '0';
      do {
        const reply = parseScan(client.run('SCAN', cursor, 'COUNT', String(random.between(1, 40))));
        for (const k of reply.keys) seen.set(k, (seen.get(k) ?? 0) + 1);
        cursor = reply.cursor;
        for (let i = random.int(20); i > 0; i--) {
          const k = `key:${random.int(100000)}`;
          if (random.chance(0.5)) {
            writer.run('SET', k, 'v');
          } else if (present.size > 0) {
            const victim = [...present][random.int(present.size)]!;
            writer.run('DEL', victim);
            present.delete(victim);
            stable.delete(victim);
          }
        }
      } while (cursor !== '0');
      for (const k of stable) assert.equal(seen.get(k), 1, `round ${round}: ${k} seen ${seen.get(k) ?? 0} times`);
      for (const [k, n] of seen) assert.equal(n, 1, `round ${round}: ${k} returned ${n} times`);
    }
  });

  test('COUNT bounds each call; MATCH with a literal prefix seeks to it; TYPE filters', async (t) => {
    const server = await InProcessServer.open(tempDir(t));
    t.after(() => server.close());
    const c = server.client();
    const mset = ['MSET'];
    for (let i = 0; i < 1000; i++) mset.push(`a:${String(i).padStart(4, '0')}`, 'v');
    mset.push('m:1', 'v', 'm:2', 'v', 'z', 'v');
    c.run(...mset);
    const first = parseScan(c.run('SCAN', '0', 'COUNT', '7'));
    assert.equal(first.keys.length, 7);
    assert.notEqual(first.cursor, '0');
    // The prefix is 1000 keys in: one call of COUNT 2 reaches it only by seeking, and the scan ends after it.
    assert.deepEqual(parseScan(c.run('SCAN', '0', 'MATCH', 'm:*', 'COUNT', '2')), { cursor: '0', keys: ['m:1', 'm:2'] });
    assert.equal(scanAll(c, 'MATCH', '*:02*', 'COUNT', '100').length, 100);
    assert.deepEqual(scanAll(c, 'MATCH', 'm?[12]'), ['m:1', 'm:2']);
    assert.equal(scanAll(c, 'TYPE', 'string', 'COUNT', '1000').length, 1003);
    c.plantList('a:0005');
    assert.deepEqual(scanAll(c, 'TYPE', 'LIST', 'COUNT', '50'), ['a:0005']);
    assert.equal(scanAll(c, 'TYPE', 'hash').length, 0);
    // Other dbs are not seen; each db scans its own keys.
    c.run('SELECT', '3');
    assert.deepEqual(scanAll(c), []);
  });

  test('a cursor whose table entry is gone resumes at its 4-byte prefix: repeats, no skips', async (t) => {
    const server = await InProcessServer.open(tempDir(t));
    t.after(() => server.close());
    const c = server.client();
    c.run('MSET', 'aaaa1', 'v', 'aaaa2', 'v', 'aaaa3', 'v', 'bbbb1', 'v');
    const first = parseScan(c.run('SCAN', '0', 'COUNT', '2'));
    assert.deepEqual(first.keys, ['aaaa1', 'aaaa2']);
    assert.deepEqual(parseScan(c.run('SCAN', first.cursor, 'COUNT', '10')).keys, ['aaaa3', 'bbbb1']);
    // Used once: the same cursor again falls back to the prefix "aaaa", repeating aaaa1 and aaaa2.
    assert.deepEqual(parseScan(c.run('SCAN', first.cursor, 'COUNT', '10')).keys, ['aaaa1', 'aaaa2', 'aaaa3', 'bbbb1']);
  });

  test('expired keys are skipped by SCAN, KEYS and RANDOMKEY', async (t) => {
    const server = await InProcessServer.open(tempDir(t));
    t.after(() => server.close());
    const c = server.client();
    c.run('SET', 'gone', 'v', 'PX', '1');
    c.run('SET', 'kept', 'v');
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(scanAll(c), ['kept']);
    assert.equal(c.run('KEYS', '*'), '*1\r\n$4\r\nkept\r\n');
    for (let i = 0; i < 20; i++) assert.equal(c.run('RANDOMKEY'), '$4\r\nkept\r\n');
    assert.equal(c.run('DBSIZE'), ':1\r\n');
  });
});

describe('KEYS and RANDOMKEY', () => {
  test('KEYS returns the matches in key order; RANDOMKEY reaches every key', async (t) => {
    const random = new Random(testSeed('keys'));
    const server = await InProcessServer.open(tempDir(t));
    t.after(() => server.close());
    const c = server.client();
    const names = Array.from({ length: 50 }, (_, i) => `user:${i}:${random.int(1000)}`);
    c.run('MSET', ...names.flatMap((k) => [k, 'v']), 'other', 'v');
    const expected = [...new Set(names)].sort();
    const reply = c.run('KEYS', 'user:*');
    assert.equal(reply, `*${expected.length}\r\n` + expected.map((k) => `$${k.length}\r\n${k}\r\n`).join(''));
    const seen = new Set<string>();
    for (let i = 0; i < 3000 && seen.size < 4; i++) seen.add(c.run('RANDOMKEY'));
    assert.ok(seen.size >= 4, `RANDOMKEY returned only ${[...seen].join(', ')}`);
  });
});
