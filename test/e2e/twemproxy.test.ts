// Strata behind twemproxy (Debian's `nutcracker`), the way users shard across machines: two real servers, one
// proxy hashing keys onto them, real clients through the proxy. Skipped only where nutcracker is missing.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RespClient } from '../server/support/resp-client.js';
import { connectWhenListening, freePort, removeDir, startServer, tempDir, type RunningServer } from '../server/support/server.js';

const NUTCRACKER = ['/usr/sbin/nutcracker', '/usr/bin/nutcracker'].find(
  (path) => spawnSync(path, ['--version']).status === 0,
);

describe('behind twemproxy (nutcracker)', { skip: NUTCRACKER === undefined && 'nutcracker is not installed' }, () => {
  const servers: RunningServer[] = [];
  let proxy: ChildProcess;
  let dir: string;
  let client: RespClient;

  before(async () => {
    servers.push(await startServer(), await startServer());
    dir = tempDir('strata-twemproxy-');
    const port = await freePort();
    const config = join(dir, 'nutcracker.yml');
    writeFileSync(
      config,
      [
        'strata:',
        `  listen: 127.0.0.1:${port}`,
        '  hash: fnv1a_64',
        '  distribution: ketama',
        '  redis: true',
        '  auto_eject_hosts: false',
        '  servers:',
        ...servers.map((s, i) => `   - 127.0.0.1:${s.port}:1 strata-${i}`),
        '',
      ].join('\n'),
    );
    proxy = spawn(NUTCRACKER!, ['-c', config, '-p', join(dir, 'nutcracker.pid'), '-o', join(dir, 'nutcracker.log')], {
      stdio: 'ignore',
    });
    client = await connectWhenListening(port);
  });

  after(async () => {
    await client?.close();
    proxy?.kill('SIGTERM');
    await Promise.all(servers.map((s) => s.stop()));
    if (dir !== undefined) removeDir(dir);
  });

  test('keys are spread over both servers and every command answers as from one Redis', async () => {
    const keys = Array.from({ length: 200 }, (_, i) => `user:${i}`);
    const replies = await client.pipeline(keys.map((k) => ['SET', k, `value-of-${k}`]));
    assert.ok(replies.every((r) => r === 'OK'), 'every SET through the proxy got +OK');

    assert.equal(await client.call('GET', 'user:42'), 'value-of-user:42');
    assert.deepEqual(await client.call('MGET', 'user:1', 'user:2', 'missing'), ['value-of-user:1', 'value-of-user:2', null]);
    assert.equal(await client.call('INCRBY', 'counter', 5), 5);
    assert.equal(await client.call('EXPIRE', 'user:7', 100), 1);
    const ttl = await client.call('TTL', 'user:7');
    assert.ok(typeof ttl === 'number' && ttl > 90 && ttl <= 100, `TTL ${String(ttl)}`);
    assert.equal(await client.call('DEL', 'user:1', 'user:2', 'missing'), 2);
    assert.equal(await client.call('EXISTS', 'user:1'), 0);

    const sizes: number[] = [];
    for (const server of servers) {
      const direct = await RespClient.connect(server.port);
      sizes.push((await direct.call('DBSIZE')) as number);
      await direct.close();
    }
    // 198 user keys + the counter, split by the proxy's hash: each server holds a real share.
    assert.equal(sizes[0]! + sizes[1]!, 199);
    assert.ok(sizes.every((n) => n > 40), `keys per server: ${sizes.join(', ')}`);
  });
});
