// Security, limits and lifecycle of the real server process: requirepass/NOAUTH, protected mode, maxclients,
// output buffer limits, config file and command line, SIGTERM/SIGINT/SHUTDOWN, and the data directory lock.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { encodeCommand, RespClient } from './support/resp-client.js';
import { removeDir, SERVER_MAIN, startServer, tempDir } from './support/server.js';

const NOAUTH = { error: 'NOAUTH Authentication required.' };
const WRONGPASS = { error: 'WRONGPASS invalid username-password pair or user is disabled.' };

describe('requirepass', () => {
  test('NOAUTH until AUTH (both forms) or HELLO AUTH; QUIT and errors before auth as Redis', async () => {
    const server = await startServer({ args: ['--requirepass', 's3cret'] });
    try {
      const c = await RespClient.connect(server.port);
      assert.deepEqual(await c.call('ping'), NOAUTH);
      assert.deepEqual(await c.call('get', 'k'), NOAUTH);
      // Unknown commands and wrong arity are reported before the auth check, as Redis does.
      assert.deepEqual(await c.call('nosuch'), { error: "ERR unknown command 'nosuch', with args beginning with: " });
      assert.deepEqual(await c.call('hello', '3'), {
        error:
          'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
      });
      assert.deepEqual(await c.call('auth', 'wrong'), WRONGPASS);
      assert.deepEqual(await c.call('auth', 'default', 'wrong'), WRONGPASS);
      assert.equal(await c.call('auth', 's3cret'), 'OK');
      assert.equal(await c.call('ping'), 'PONG');
      // RESET logs the client out again.
      assert.equal(await c.call('reset'), 'RESET');
      assert.deepEqual(await c.call('ping'), NOAUTH);
      assert.equal(await c.call('auth', 'default', 's3cret'), 'OK');
      assert.equal(await c.call('ping'), 'PONG');
      await c.close();

      const h = await RespClient.connect(server.port);
      assert.deepEqual(await h.call('hello', '3', 'auth', 'default', 'nope'), WRONGPASS);
      const hello = (await h.call('hello', '3', 'auth', 'default', 's3cret', 'setname', 'h')) as Map<string, unknown>;
      assert.equal(hello.get('proto'), 3);
      assert.equal(await h.call('client', 'getname'), 'h');
      await h.close();

      const q = await RespClient.connect(server.port);
      assert.equal(await q.call('quit'), 'OK');
      await q.closed;
    } finally {
      await server.stop();
    }
  });
});

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

describe('protected mode', () => {
  const address = externalAddress();
  test('bound beyond loopback without a password, remote clients get DENIED', { skip: address === undefined && 'no non-loopback address' }, async () => {
    const server = await startServer({ args: ['--bind', `127.0.0.1 ${address}`] });
    try {
      const remote = await RespClient.connect(server.port, address);
      const denied = await remote.next();
      assert.match(denied.raw, /^-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user\. .*outside\.\r\n$/);
      await remote.closed;
      const local = await RespClient.connect(server.port);
      assert.equal(await local.call('ping'), 'PONG');
      // Turning protected mode off from loopback lets remote clients in.
      assert.equal(await local.call('config', 'set', 'protected-mode', 'no'), 'OK');
      const admitted = await RespClient.connect(server.port, address);
      assert.equal(await admitted.call('ping'), 'PONG');
      await Promise.all([local.close(), admitted.close()]);
    } finally {
      await server.stop();
    }
  });
});

describe('limits', () => {
  test('maxclients refuses the next client with Redis error', async () => {
    const server = await startServer({ args: ['--maxclients', '2'] });
    try {
      const a = await RespClient.connect(server.port);
      const b = await RespClient.connect(server.port);
      assert.equal(await b.call('ping'), 'PONG');
      const refused = await RespClient.connect(server.port);
      assert.equal((await refused.next()).raw, '-ERR max number of clients reached\r\n');
      await refused.closed;
      await b.close();
      // A slot is free again once a client leaves.
      await new Promise((r) => setTimeout(r, 50));
      const again = await RespClient.connect(server.port);
      assert.equal(await again.call('ping'), 'PONG');
      await Promise.all([a.close(), again.close()]);
    } finally {
      await server.stop();
    }
  });

  test('a client over the output buffer hard limit is disconnected; others go on', async () => {
    const server = await startServer({ args: ['--client-output-buffer-limit', 'normal', '256kb', '0', '0'] });
    try {
      const c = await RespClient.connect(server.port);
      assert.equal(await c.call('set', 'big', 'x'.repeat(64 * 1024)), 'OK');
      // 200 small requests read at once, whose replies (64 KiB each, about 12 MiB in all) are owed to a socket
      // that cannot take them at once. (Requests that arrive apart are paced by back-pressure instead.)
      const replies = c.pipeline(Array.from({ length: 200 }, () => ['get', 'big']));
      await assert.rejects(replies, /closed/);
      const other = await RespClient.connect(server.port);
      assert.equal(await other.call('ping'), 'PONG');
      await other.close();
      assert.match(server.output(), /closed for overcoming of output buffer limits/);
    } finally {
      await server.stop();
    }
  });

  test('timeout closes idle clients, not busy ones', async () => {
    const server = await startServer({ args: ['--timeout', '1'] });
    try {
      const idle = await RespClient.connect(server.port);
      const busy = await RespClient.connect(server.port);
      assert.equal(await idle.call('ping'), 'PONG');
      const deadline = Date.now() + 2600;
      while (Date.now() < deadline) {
        assert.equal(await busy.call('ping'), 'PONG');
        await new Promise((r) => setTimeout(r, 200));
      }
      await idle.closed;
      assert.equal(await busy.call('ping'), 'PONG');
      await busy.close();
    } finally {
      await server.stop();
    }
  });

  test('a bulk over proto-max-bulk-len is a protocol error that closes the connection', async () => {
    const server = await startServer();
    try {
      const c = await RespClient.connect(server.port);
      c.write('*2\r\n$4\r\nECHO\r\n$999999999999\r\n');
      assert.equal((await c.next()).raw, '-ERR Protocol error: invalid bulk length\r\n');
      await c.closed;
    } finally {
      await server.stop();
    }
  });
});

describe('configuration', () => {
  test('config file in redis.conf syntax; later command-line arguments win', async () => {
    const dir = tempDir();
    try {
      const conf = join(dir, 'strata.conf');
      writeFileSync(conf, '# comment\nmaxclients 77\ndatabases 4\nrequirepass "from file"\nsave 3600 1\nappendonly no\n');
      const server = await startServer({ args: [conf, '--databases', '8', '--loglevel', 'verbose'] });
      try {
        const c = await RespClient.connect(server.port);
        assert.equal(await c.call('auth', 'from file'), 'OK');
        assert.deepEqual(await c.call('config', 'get', 'maxclients', 'databases', 'loglevel'), [
          'maxclients', '77', 'databases', '8', 'loglevel', 'verbose',
        ]);
        // CONFIG REWRITE keeps comments and order, sets each line to the current value, appends the rest.
        assert.equal(await c.call('config', 'set', 'maxclients', '99', 'timeout', '30'), 'OK');
        assert.equal(await c.call('config', 'rewrite'), 'OK');
        assert.equal(
          readFileSync(conf, 'utf8'),
          '# comment\nmaxclients 99\ndatabases 8\nrequirepass "from file"\nsave ""\nappendonly yes\n' +
            `# Generated by CONFIG REWRITE\nport ${server.port}\ndir ${server.dir}\nloglevel verbose\ntimeout 30\n`,
        );
        assert.match((await c.call('info', 'server')) as string, new RegExp(`config_file:${conf}\r\n`));
        await c.close();
      } finally {
        await server.stop();
      }
    } finally {
      removeDir(dir);
    }
  });

  test('a bad directive stops the start with Redis fatal message', () => {
    const dir = tempDir();
    try {
      const conf = join(dir, 'bad.conf');
      writeFileSync(conf, 'port 7000\nport abc\n');
      const run = spawnSync(process.execPath, [SERVER_MAIN, conf, '--dir', dir], { encoding: 'utf8' });
      assert.equal(run.status, 1);
      assert.match(run.stderr, /FATAL CONFIG FILE ERROR[^\n]*\nReading the configuration file, at line 2\n>>> 'port abc'\nargument couldn't be parsed into an integer/);
      const bad = spawnSync(process.execPath, [SERVER_MAIN, '--port', '0', '--dir', dir, '--appendfsync', 'sometimes'], { encoding: 'utf8' });
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /appendfsync/);
    } finally {
      removeDir(dir);
    }
  });
});

describe('lifecycle', () => {
  for (const how of ['SIGTERM', 'SIGINT', 'SHUTDOWN'] as const) {
    test(`${how} finishes in-flight commands, closes the engine, exits 0; data survives`, async () => {
      const dir = tempDir();
      try {
        const server = await startServer({ dir });
        const c = await RespClient.connect(server.port);
        c.write(Buffer.concat([['set', 'k', 'v1'], ['debug', 'sleep', '0.3'], ['set', 'k2', 'v2']].map(encodeCommand)));
        await new Promise((r) => setTimeout(r, 100));
        let exit;
        if (how === 'SHUTDOWN') {
          const admin = await RespClient.connect(server.port);
          admin.write('*1\r\n$8\r\nSHUTDOWN\r\n');
          await admin.closed;
          exit = await server.exited;
        } else {
          exit = await server.stop(how);
        }
        assert.deepEqual(exit, { code: 0, signal: null });
        // The in-flight DEBUG SLEEP finished and was answered; the command queued behind it was not run.
        assert.equal((await c.next()).value, 'OK');
        assert.equal((await c.next()).value, 'OK');
        await assert.rejects(c.next(), /closed/);
        assert.match(server.output(), /ready to exit, bye bye/);

        const restarted = await startServer({ dir });
        const r = await RespClient.connect(restarted.port);
        assert.equal(await r.call('get', 'k'), 'v1');
        assert.equal(await r.call('get', 'k2'), null);
        await r.close();
        await restarted.stop();
      } finally {
        removeDir(dir);
      }
    });
  }

  test('SHUTDOWN while BGREWRITEAOF runs: the rewrite is abandoned quietly, the server exits 0, no data is lost', async () => {
    const dir = tempDir();
    try {
      const server = await startServer({ dir });
      const c = await RespClient.connect(server.port);
      // Five tables of overwritten keys, so that the rewrite (a merge of them) has work to do.
      for (let round = 0; round < 5; round++) {
        const pairs = Array.from({ length: 2000 }, (_, i) => [`key:${i}`, `${round}:${'v'.repeat(100)}`]).flat();
        await c.call('mset', ...pairs);
        await c.call('save');
      }
      assert.equal(await c.call('bgrewriteaof'), 'Background append only file rewriting started');
      c.write(encodeCommand(['shutdown']));
      await assert.rejects(c.next(), /closed/);
      assert.deepEqual(await server.exited, { code: 0, signal: null });
      assert.doesNotMatch(server.output(), /rewrite failed|Error closing/);
      assert.match(server.output(), /ready to exit, bye bye/);

      const restarted = await startServer({ dir });
      const r = await RespClient.connect(restarted.port);
      assert.equal(await r.call('get', 'key:1999'), `4:${'v'.repeat(100)}`);
      assert.equal(await r.call('dbsize'), 2000);
      await r.close();
      await restarted.stop();
    } finally {
      removeDir(dir);
    }
  });

  test('SHUTDOWN while a client is blocked in WAIT: that client is closed without an answer, the server exits 0', async () => {
    const server = await startServer();
    const blocked = await RespClient.connect(server.port);
    assert.equal(await blocked.call('set', 'k', 'v'), 'OK');
    blocked.write(encodeCommand(['wait', '1', '0']));
    const c = await RespClient.connect(server.port);
    for (let i = 0; i < 100 && !/blocked_clients:1/.test((await c.call('info', 'clients')) as string); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    c.write(encodeCommand(['shutdown']));
    await assert.rejects(blocked.next(), /closed/);
    await assert.rejects(c.next(), /closed/);
    assert.deepEqual(await server.exited, { code: 0, signal: null });
    assert.match(server.output(), /ready to exit, bye bye/);
    removeDir(server.dir);
  });

  test('a second server on the same --dir fails clearly', async () => {
    const dir = tempDir();
    try {
      const server = await startServer({ dir });
      try {
        const second = spawnSync(process.execPath, [SERVER_MAIN, '--port', '0', '--dir', dir], { encoding: 'utf8', timeout: 10000 });
        assert.equal(second.status, 1);
        assert.match(second.stdout + second.stderr, /LOCK is held by running process/);
        const c = await RespClient.connect(server.port);
        assert.equal(await c.call('ping'), 'PONG');
        await c.close();
      } finally {
        await server.stop();
      }
    } finally {
      removeDir(dir);
    }
  });
});
