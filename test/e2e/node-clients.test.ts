// Real Node clients against the real server: ioredis 6 and node-redis 6 (both speak RESP3 via HELLO 3 and
// ioredis waits for INFO's loading:0) — strings, pipelines, SCAN streams, TTLs, and reconnecting after the
// server restarts on the same port and data directory.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { removeDir, startServer, tempDir, type RunningServer } from '../server/support/server.js';

let dir: string;
let server: RunningServer;
before(async () => {
  dir = tempDir();
  server = await startServer({ dir });
});
after(async () => {
  await server.stop();
  removeDir(dir);
});

describe('ioredis', () => {
  test('strings, errors, pipeline, TTLs, scanStream', async () => {
    const redis = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true });
    await redis.connect();
    try {
      assert.equal(await redis.set('io:a', '1'), 'OK');
      assert.equal(await redis.get('io:a'), '1');
      assert.equal(await redis.incrby('io:a', 41), 42);
      assert.equal(await redis.set('io:a', 'x', 'NX'), null);
      await redis.set('io:text', 'abc');
      await assert.rejects(redis.incr('io:text'), /ERR value is not an integer or out of range/);
      assert.deepEqual(await redis.mget('io:a', 'io:missing'), ['42', null]);

      const results = await redis
        .pipeline()
        .set('io:p1', 'v1')
        .set('io:p2', 'v2', 'EX', 100)
        .get('io:p1')
        .ttl('io:p2')
        .del('io:p1', 'io:p2')
        .exec();
      assert.deepEqual(results, [[null, 'OK'], [null, 'OK'], [null, 'v1'], [null, 100], [null, 2]]);

      await redis.set('io:ttl', 'v', 'PX', 150);
      assert.ok((await redis.pttl('io:ttl')) > 0);
      await new Promise((r) => setTimeout(r, 250));
      assert.equal(await redis.get('io:ttl'), null);
      assert.equal(await redis.ttl('io:ttl'), -2);

      const keys = Array.from({ length: 300 }, (_, i) => `io:scan:${i}`);
      await redis.mset(...keys.flatMap((k) => [k, 'v']));
      const seen: string[] = [];
      for await (const batch of redis.scanStream({ match: 'io:scan:*', count: 50 })) seen.push(...(batch as string[]));
      assert.deepEqual(seen.sort(), [...keys].sort());
    } finally {
      redis.disconnect();
    }
  });
});

describe('node-redis', () => {
  test('strings, multi-key, pipelines, scanIterator, TTLs', async () => {
    const client = createClient({ socket: { port: server.port, host: '127.0.0.1' } });
    await client.connect();
    try {
      assert.equal(await client.set('nr:a', 'hello'), 'OK');
      assert.equal(await client.get('nr:a'), 'hello');
      assert.equal(await client.append('nr:a', ' world'), 11);
      assert.equal(await client.getRange('nr:a', 0, 4), 'hello');
      assert.equal(await client.get('nr:missing'), null);
      assert.equal(String(await client.incrByFloat('nr:f', 1.5)), '1.5');
      await assert.rejects(client.sendCommand(['NOSUCH']), /unknown command/);

      const replies = await Promise.all([client.set('nr:p1', '1'), client.incr('nr:p1'), client.get('nr:p1')]);
      assert.deepEqual(replies, ['OK', 2, '2']);
      const multi = await client.multi().set('nr:m', 'x').get('nr:m').execAsPipeline();
      assert.deepEqual(multi, ['OK', 'x']);

      assert.equal(await client.set('nr:ttl', 'v', { EX: 100 }), 'OK');
      const ttl = await client.ttl('nr:ttl');
      assert.ok(ttl > 95 && ttl <= 100);
      assert.equal(await client.persist('nr:ttl'), 1);
      assert.equal(await client.ttl('nr:ttl'), -1);

      await client.mSet(Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`nr:scan:${i}`, 'v'])));
      const seen: string[] = [];
      for await (const keys of client.scanIterator({ MATCH: 'nr:scan:*', COUNT: 30 })) {
        seen.push(...(Array.isArray(keys) ? keys : [keys]));
      }
      assert.equal(new Set(seen).size, 120);
    } finally {
      client.destroy();
    }
  });
});

describe('restart', () => {
  test('both clients reconnect after the server restarts, and acknowledged data is still there', async () => {
    const redis = new Redis({ port: server.port, host: '127.0.0.1', retryStrategy: () => 50, maxRetriesPerRequest: null });
    const client = createClient({ socket: { port: server.port, host: '127.0.0.1', reconnectStrategy: () => 50 } });
    // Connection errors while the server is down are expected: both clients retry.
    redis.on('error', () => {});
    client.on('error', () => {});
    await client.connect();
    try {
      assert.equal(await redis.set('rs:io', 'before'), 'OK');
      assert.equal(await client.set('rs:nr', 'before'), 'OK');
      const port = server.port;
      await server.stop();
      server = await startServer({ dir, args: ['--port', String(port)] });
      assert.equal(await redis.get('rs:io'), 'before');
      assert.equal(await client.get('rs:nr'), 'before');
      assert.equal(await redis.set('rs:io', 'after'), 'OK');
      assert.equal(await client.get('rs:io'), 'after');
    } finally {
      redis.disconnect();
      client.destroy();
    }
  });
});
