// Connection commands and the command table's errors, against the real server process, byte for byte where
// Redis's exact wire format matters.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeCommand, RespClient } from './support/resp-client.js';
import { startServer, type RunningServer } from './support/server.js';

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

async function withClient(fn: (c: RespClient) => Promise<void>): Promise<void> {
  const client = await RespClient.connect(server.port);
  try {
    await fn(client);
  } finally {
    await client.close();
  }
}

describe('command table errors', () => {
  test('unknown command quotes the name and arguments as Redis does', () =>
    withClient(async (c) => {
      assert.equal(await c.raw('foo', 'a', 'b'), "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n");
      assert.equal(await c.raw('foo'), "-ERR unknown command 'foo', with args beginning with: \r\n");
      // Arguments are quoted up to 128 characters in all; line breaks never reach the wire.
      const long = await c.raw('foo', 'x'.repeat(200), 'y');
      assert.equal(long, `-ERR unknown command 'foo', with args beginning with: '${'x'.repeat(128)}' \r\n`);
      assert.equal(await c.raw('fo\r\no'), "-ERR unknown command 'fo  o', with args beginning with: \r\n");
    }));

  test('wrong arity, for commands and subcommands', () =>
    withClient(async (c) => {
      assert.equal(await c.raw('echo'), "-ERR wrong number of arguments for 'echo' command\r\n");
      assert.equal(await c.raw('ECHO', 'a', 'b'), "-ERR wrong number of arguments for 'echo' command\r\n");
      assert.equal(await c.raw('ping', 'a', 'b'), "-ERR wrong number of arguments for 'ping' command\r\n");
      assert.equal(await c.raw('config'), "-ERR wrong number of arguments for 'config' command\r\n");
      assert.equal(await c.raw('config', 'get'), "-ERR wrong number of arguments for 'config|get' command\r\n");
      assert.equal(await c.raw('client', 'setname'), "-ERR wrong number of arguments for 'client|setname' command\r\n");
    }));

  test('unknown subcommand points at HELP, and HELP lists the subcommands', () =>
    withClient(async (c) => {
      assert.equal(await c.raw('config', 'xyz'), "-ERR unknown subcommand 'xyz'. Try CONFIG HELP.\r\n");
      assert.equal(await c.raw('CLIENT', 'foo', '1'), "-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n");
      const help = (await c.call('client', 'help')) as string[];
      assert.equal(help[0], 'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
      assert.ok(help.includes('SETNAME <name>')); // Redis 7.0.15's text
      assert.equal(help.at(-2), 'HELP');
    }));
});

describe('PING ECHO QUIT', () => {
  test('replies in RESP2 and RESP3', () =>
    withClient(async (c) => {
      assert.equal(await c.raw('PING'), '+PONG\r\n');
      assert.equal(await c.raw('ping', 'héllo'), '$6\r\nh\xc3\xa9llo\r\n');
      assert.equal(await c.raw('echo', ''), '$0\r\n\r\n');
      await c.call('hello', '3');
      assert.equal(await c.raw('PING'), '+PONG\r\n');
      assert.equal(await c.raw('echo', 'x'), '$1\r\nx\r\n');
    }));

  test('inline commands, as typed by hand and sent by PING_INLINE', () =>
    withClient(async (c) => {
      c.write('PING\r\n');
      assert.equal((await c.next()).raw, '+PONG\r\n');
      c.write('echo "a b"\n');
      assert.equal((await c.next()).raw, '$3\r\na b\r\n');
    }));

  test('QUIT replies OK, then the server closes the connection; later commands are not run', async () => {
    const c = await RespClient.connect(server.port);
    c.write('*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n');
    assert.equal((await c.next()).raw, '+OK\r\n');
    await c.closed;
    await assert.rejects(c.next(), /closed/);
  });

  test('a protocol error is answered, then the connection is closed', async () => {
    const c = await RespClient.connect(server.port);
    c.write('*1\r\n$4\r\nPING\r\n*x\r\n');
    assert.equal((await c.next()).raw, '+PONG\r\n');
    assert.equal((await c.next()).raw, "-ERR Protocol error: invalid multibulk length\r\n");
    await c.closed;
  });

  test('pipelines of any length keep their order', () =>
    withClient(async (c) => {
      const commands = Array.from({ length: 2000 }, (_, i) => ['echo', `m${i}`]);
      const replies = await c.pipeline(commands);
      assert.deepEqual(replies, commands.map(([, m]) => m));
    }));
});

describe('HELLO', () => {
  test('HELLO 3 answers the map Redis 7 sends and switches to RESP3', () =>
    withClient(async (c) => {
      const id = (await c.call('client', 'id')) as number;
      const raw = await c.raw('HELLO', '3');
      assert.equal(
        raw,
        `%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n` +
          `$2\r\nid\r\n:${id}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n`,
      );
      assert.equal(await c.raw('client', 'getname'), '_\r\n');
      const reply = (await c.call('HELLO', '2', 'SETNAME', 'conn1')) as string[];
      assert.deepEqual(reply.slice(0, 6), ['server', 'redis', 'version', '7.0.15', 'proto', 2]);
      assert.equal(await c.raw('client', 'getname'), '$5\r\nconn1\r\n');
      const bare = (await c.call('HELLO')) as unknown[];
      assert.equal(bare[5], 2);
    }));

  test('bad versions and options get Redis errors', () =>
    withClient(async (c) => {
      assert.deepEqual(await c.call('hello', '4'), { error: 'NOPROTO unsupported protocol version' });
      assert.deepEqual(await c.call('hello', '1'), { error: 'NOPROTO unsupported protocol version' });
      assert.deepEqual(await c.call('hello', 'x'), { error: 'ERR Protocol version is not an integer or out of range' });
      assert.deepEqual(await c.call('hello', '3', 'foo'), { error: "ERR Syntax error in HELLO option 'foo'" });
      assert.deepEqual(await c.call('hello', '3', 'auth', 'a'), { error: "ERR Syntax error in HELLO option 'auth'" });
      assert.deepEqual(await c.call('hello', '3', 'setname', 'a b'), {
        error: 'ERR Client names cannot contain spaces, newlines or special characters.',
      });
      // Nothing changed: still RESP2.
      assert.equal(await c.raw('client', 'getname'), '$-1\r\n');
    }));
});

describe('AUTH without a password configured', () => {
  test('one argument is refused with Redis message; the default user accepts any password', () =>
    withClient(async (c) => {
      assert.deepEqual(await c.call('auth', 'x'), {
        error:
          'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
      });
      assert.equal(await c.call('auth', 'default', 'anything'), 'OK');
      assert.deepEqual(await c.call('auth', 'bob', 'x'), {
        error: 'WRONGPASS invalid username-password pair or user is disabled.',
      });
      assert.deepEqual(await c.call('auth', 'a', 'b', 'c'), { error: 'ERR syntax error' });
    }));
});

describe('WAIT and CLIENT UNBLOCK', () => {
  test('WAIT answers 0 (no replica ever acknowledges): at once for no replicas, after the timeout otherwise', () =>
    withClient(async (c) => {
      assert.equal(await c.call('config', 'resetstat'), 'OK');
      assert.equal(await c.call('slowlog', 'reset'), 'OK');
      assert.equal(await c.call('wait', '0', '0'), 0);
      assert.equal(await c.call('wait', '-1', '0'), 0);
      const started = Date.now();
      assert.equal(await c.call('wait', '1', '150'), 0);
      assert.ok(Date.now() - started >= 140, `WAIT 1 150 returned after ${Date.now() - started} ms`);
      // As in Redis, the time spent blocked is not the command's: not in commandstats, not in SLOWLOG.
      const usec = Number(/cmdstat_wait:calls=3,usec=(\d+),/.exec((await c.call('info', 'commandstats')) as string)?.[1]);
      assert.ok(usec < 100_000, `WAIT's usec ${usec}`);
      assert.deepEqual(await c.call('slowlog', 'get'), []);
      assert.equal(await c.raw('wait', 'a', '0'), '-ERR value is not an integer or out of range\r\n');
      assert.equal(await c.raw('wait', '1', '1.5'), '-ERR timeout is not an integer or out of range\r\n');
      assert.equal(await c.raw('wait', '1', '-1'), '-ERR timeout is negative\r\n');
      assert.equal(await c.raw('wait', '1'), "-ERR wrong number of arguments for 'wait' command\r\n");
    }));

  test('a client blocked in WAIT is listed (flags=b, INFO counts), holds its later commands, and CLIENT UNBLOCK ends the wait', async () => {
    const blocked = await RespClient.connect(server.port);
    const timed = await RespClient.connect(server.port);
    try {
      const id = (await blocked.call('client', 'id')) as number;
      const timedId = (await timed.call('client', 'id')) as number;
      blocked.write(encodeCommand(['wait', '1', '0']));
      blocked.write(encodeCommand(['ping', 'after']));
      // 30 days: past setTimeout's 2^31 - 1 ms, which would fire at once without the server's re-arming timer.
      timed.write(encodeCommand(['wait', '2', String(30 * 24 * 3600 * 1000)]));
      await withClient(async (c) => {
        for (let i = 0; i < 100 && !/blocked_clients:2/.test((await c.call('info', 'clients')) as string); i++) await sleep(10);
        const info = (await c.call('info', 'clients')) as string;
        assert.match(info, /blocked_clients:2\r\n/);
        assert.match(info, /clients_in_timeout_table:1\r\n/);
        assert.match((await c.call('client', 'list', 'id', String(id))) as string, / flags=b .* cmd=wait /);
        assert.equal(await c.call('client', 'unblock', String(id)), 1);
        assert.equal((await blocked.next()).value, 0, 'unblocked as by its timeout');
        assert.equal((await blocked.next()).value, 'after', 'the command sent after WAIT runs once it is unblocked');
        assert.equal(await c.call('client', 'unblock', String(id)), 0, 'no longer blocked');
        assert.deepEqual(await c.call('client', 'unblock', String(timedId), 'nope'), { error: 'ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR' });
        assert.equal(await c.call('client', 'unblock', String(timedId), 'ERROR'), 1);
        assert.deepEqual((await timed.next()).value, { error: 'UNBLOCKED client unblocked via CLIENT UNBLOCK' });
        const after = (await c.call('info', 'clients')) as string;
        assert.match(after, /blocked_clients:0\r\n/);
        assert.match(after, /clients_in_timeout_table:0\r\n/);
      });
    } finally {
      await blocked.close();
      await timed.close();
    }
  });

  test('a blocked client that disconnects is no longer counted', async () => {
    const blocked = await RespClient.connect(server.port);
    blocked.write(encodeCommand(['wait', '1', '0']));
    await withClient(async (c) => {
      for (let i = 0; i < 100 && !/blocked_clients:1/.test((await c.call('info', 'clients')) as string); i++) await sleep(10);
      assert.match((await c.call('info', 'clients')) as string, /blocked_clients:1\r\n/);
      await blocked.close();
      for (let i = 0; i < 100 && !/blocked_clients:0/.test((await c.call('info', 'clients')) as string); i++) await sleep(10);
      assert.match((await c.call('info', 'clients')) as string, /blocked_clients:0\r\n/);
    });
  });
});

describe('CLIENT', () => {
  test('ID SETNAME GETNAME INFO LIST', () =>
    withClient(async (c) => {
      const id = (await c.call('client', 'id')) as number;
      assert.ok(id > 0);
      assert.equal(await c.call('client', 'setname', 'worker-1'), 'OK');
      assert.equal(await c.call('client', 'getname'), 'worker-1');
      assert.deepEqual(await c.call('client', 'setname', 'a b'), {
        error: 'ERR Client names cannot contain spaces, newlines or special characters.',
      });
      const info = (await c.call('client', 'info')) as string;
      assert.match(info, new RegExp(`^id=${id} addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:${server.port} fd=\\d+ name=worker-1 age=\\d+ idle=\\d+ flags=N db=0 .* cmd=client\\|info user=default redir=-1 resp=2\\n$`));
      const list = (await c.call('client', 'list')) as string;
      assert.ok(list.split('\n').some((line) => line.startsWith(`id=${id} `)));
      assert.equal(await c.call('client', 'list', 'type', 'pubsub'), '');
      assert.deepEqual(await c.call('client', 'list', 'type', 'foo'), { error: "ERR Unknown client type 'foo'" });
      assert.deepEqual(await c.call('client', 'list', 'id', 'abc'), { error: 'ERR Invalid client ID' });
      assert.match((await c.call('client', 'list', 'id', String(id))) as string, new RegExp(`^id=${id} .*\\n$`));
      await c.call('hello', '3');
      assert.match((await c.raw('client', 'info')), /^=\d+\r\ntxt:id=/);
    }));

  test('KILL by address, by id, and SKIPME', async () => {
    const victim = await RespClient.connect(server.port);
    const victimId = (await victim.call('client', 'id')) as number;
    const addr = ((await victim.call('client', 'info')) as string).match(/addr=(\S+)/)![1]!;
    await withClient(async (c) => {
      assert.deepEqual(await c.call('client', 'kill', '1.2.3.4:5'), { error: 'ERR No such client' });
      assert.equal(await c.call('client', 'kill', addr), 'OK');
      await victim.closed;
      const other = await RespClient.connect(server.port);
      const otherId = (await other.call('client', 'id')) as number;
      assert.equal(await c.call('client', 'kill', 'id', String(victimId)), 0);
      assert.equal(await c.call('client', 'kill', 'id', String(otherId)), 1);
      await other.closed;
      assert.deepEqual(await c.call('client', 'kill', 'id', '0'), { error: 'ERR client-id should be greater than 0' });
      assert.deepEqual(await c.call('client', 'kill', 'foo', 'bar'), { error: 'ERR syntax error' });
      const myId = String(await c.call('client', 'id'));
      assert.equal(await c.call('client', 'kill', 'id', myId), 0); // SKIPME yes by default
      assert.equal(await c.call('client', 'kill', 'id', myId, 'skipme', 'no'), 1);
      await c.closed;
    });
  });

  test('REPLY OFF, SKIP and ON', () =>
    withClient(async (c) => {
      c.write('CLIENT REPLY SKIP\r\nECHO skipped\r\nECHO shown\r\nCLIENT REPLY OFF\r\nECHO a\r\nNOSUCH\r\nECHO b\r\nCLIENT REPLY ON\r\nECHO c\r\n');
      assert.equal((await c.next()).value, 'shown');
      assert.equal((await c.next()).value, 'OK');
      assert.equal((await c.next()).value, 'c');
      assert.deepEqual(await c.call('client', 'reply', 'maybe'), { error: 'ERR syntax error' });
      assert.equal(await c.call('client', 'no-evict', 'on'), 'OK');
      assert.deepEqual(await c.call('client', 'no-evict', 'maybe'), { error: 'ERR syntax error' });
    }));

  test('RESET goes back to RESP2, no name, replies on', () =>
    withClient(async (c) => {
      await c.call('hello', '3', 'setname', 'n');
      assert.equal(await c.raw('reset'), '+RESET\r\n');
      assert.equal(await c.raw('client', 'getname'), '$-1\r\n');
    }));
});
