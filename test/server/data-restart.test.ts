// Data semantics on the real server process, across restarts on the same directory: values, TTLs, per-db
// counts, SWAPDB and FLUSHDB survive (and flushed data never comes back); the active expire cycle removes keys
// nobody reads; RESP3 forms over the wire.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RespClient } from './support/resp-client.js';
import { removeDir, startServer, tempDir } from './support/server.js';

test('values, TTLs, counts, SWAPDB and FLUSHDB survive a restart; flushed keys never return', async () => {
  const dir = tempDir();
  try {
    let server = await startServer({ dir });
    let c = await RespClient.connect(server.port);
    const mset = ['MSET'];
    for (let i = 0; i < 200; i++) mset.push(`k${i}`, `v${i}`);
    assert.equal(await c.call(...mset), 'OK');
    assert.equal(await c.call('SET', 'ttl', 'v', 'EX', '1000'), 'OK');
    assert.equal(await c.call('SELECT', '1'), 'OK');
    assert.equal(await c.call('SET', 'one', '1'), 'OK');
    assert.equal(await c.call('SELECT', '2'), 'OK');
    assert.equal(await c.call('SET', 'doomed', 'x'), 'OK');
    assert.equal(await c.call('FLUSHDB'), 'OK');
    assert.equal(await c.call('SET', 'after', 'y'), 'OK');
    assert.equal(await c.call('SWAPDB', '0', '3'), 'OK');
    await c.close();
    await server.stop();

    server = await startServer({ dir });
    c = await RespClient.connect(server.port);
    assert.equal(await c.call('DBSIZE'), 0);
    assert.equal(await c.call('SELECT', '3'), 'OK');
    assert.equal(await c.call('DBSIZE'), 201);
    assert.equal(await c.call('GET', 'k199'), 'v199');
    const ttl = (await c.call('TTL', 'ttl')) as number;
    assert.ok(ttl > 990 && ttl <= 1000, `TTL ${ttl}`);
    assert.equal(await c.call('SELECT', '2'), 'OK');
    assert.deepEqual(await c.call('KEYS', '*'), ['after']);
    assert.equal(await c.call('EXISTS', 'doomed'), 0);
    const info = (await c.call('INFO', 'keyspace')) as string;
    assert.match(info, /db1:keys=1,expires=0,avg_ttl=\d+/);
    assert.match(info, /db2:keys=1,expires=0/);
    assert.match(info, /db3:keys=201,expires=1,avg_ttl=\d+/);
    assert.doesNotMatch(info, /db0:/);
    await c.close();
    await server.stop();
  } finally {
    removeDir(dir);
  }
});

test('the active expire cycle deletes keys that nobody reads', async () => {
  const server = await startServer();
  try {
    const c = await RespClient.connect(server.port);
    for (let i = 0; i < 50; i++) await c.call('SET', `e${i}`, 'v', 'PX', '30');
    await c.call('SET', 'stays', 'v');
    // INFO keyspace counts only live keys either way; the cycle must also free them: poll for expires=0.
    let info = '';
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 50));
      info = (await c.call('INFO', 'keyspace')) as string;
      if (/db0:keys=1,expires=0,/.test(info)) break;
    }
    assert.match(info, /db0:keys=1,expires=0,/);
    assert.equal(await c.call('DBSIZE'), 1);
    await c.close();
  } finally {
    await server.stop();
  }
});

test('RESP3 nulls and RESP2 nulls on the wire', async () => {
  const server = await startServer();
  try {
    const c = await RespClient.connect(server.port);
    assert.equal(await c.raw('GET', 'missing'), '$-1\r\n');
    assert.equal(await c.raw('MGET', 'a', 'b'), '*2\r\n$-1\r\n$-1\r\n');
    await c.call('HELLO', '3');
    assert.equal(await c.raw('GET', 'missing'), '_\r\n');
    assert.equal(await c.raw('MGET', 'a', 'b'), '*2\r\n_\r\n_\r\n');
    assert.equal(await c.raw('SET', 'a', '1', 'XX'), '_\r\n');
    assert.equal(await c.raw('INCRBYFLOAT', 'f', '1.5'), '$3\r\n1.5\r\n');
    assert.equal(await c.raw('SCAN', '0'), '*2\r\n$1\r\n0\r\n*1\r\n$1\r\nf\r\n');
    await c.close();
  } finally {
    await server.stop();
  }
});
