// The Redis command-line tools and redis-py against the real server: redis-cli (commands from stdin, --scan,
// -x, --pipe mass insertion of 100k keys), redis-benchmark (no error replies), python3-redis round trip.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { encodeCommand } from '../server/support/resp-client.js';
import { serverForFile } from '../server/support/server.js';

const shared = serverForFile();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a program with `input` on stdin; resolves when it exits. */
function run(program: string, args: string[], input: string | Buffer = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const cli = (args: string[], input?: string | Buffer): Promise<Run> =>
  run('redis-cli', ['-p', String(shared.server.port), ...args], input);

describe('redis-cli', () => {
  test('commands from stdin, one per line, with replies formatted as Redis', async () => {
    const out = await cli([], 'SET cli:a hello\nGET cli:a\nINCR cli:n\nINCR cli:n\nGET cli:missing\nEXPIRE cli:a 100\nTTL cli:a\nNOSUCH x\nMGET cli:a cli:n\n');
    assert.equal(out.code, 0, out.stderr);
    assert.equal(
      out.stdout,
      "OK\nhello\n1\n2\n\n1\n100\nERR unknown command 'NOSUCH', with args beginning with: 'x' \n\nhello\n2\n",
    );
  });

  test('command-line arguments, -x from stdin, and tty-less formatting', async () => {
    assert.equal((await cli(['set', 'cli:x', 'v'])).stdout, 'OK\n');
    const x = await cli(['-x', 'set', 'cli:stdin'], 'line one\nline two\n');
    assert.equal(x.stdout, 'OK\n');
    assert.equal(await shared.c.call('get', 'cli:stdin'), 'line one\nline two\n');
    assert.equal((await cli(['strlen', 'cli:stdin'])).stdout, '18\n');
    assert.equal((await cli(['ping'])).stdout, 'PONG\n');
    assert.match((await cli(['info', 'server'])).stdout, /^# Server\r?\nredis_version:7\.0\.15/);
  });

  test('--scan --pattern lists exactly the matching keys', async () => {
    const keys = Array.from({ length: 500 }, (_, i) => `scan:${i}`);
    await shared.c.pipeline([['mset', ...keys.flatMap((k) => [k, '1'])], ['mset', 'other:1', '1', 'other:2', '1']]);
    const out = await cli(['--scan', '--pattern', 'scan:*']);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(out.stdout.trim().split('\n').sort(), [...keys].sort());
  });

  test('--pipe mass insertion of 100k keys', async () => {
    const count = 100_000;
    const parts: Buffer[] = [];
    for (let i = 0; i < count; i++) parts.push(encodeCommand(['SET', `pipe:${i}`, `value-${i}`]));
    const out = await cli(['--pipe'], Buffer.concat(parts));
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, new RegExp(`errors: 0, replies: ${count}`));
    assert.equal(await shared.c.call('get', 'pipe:0'), 'value-0');
    assert.equal(await shared.c.call('get', `pipe:${count - 1}`), `value-${count - 1}`);
    assert.equal(await shared.c.call('exists', 'pipe:12345', 'pipe:99999', 'pipe:100000'), 2);
  });
});

describe('redis-benchmark', () => {
  test('set,get,incr,mset,ping_inline,ping_mbulk complete with no error replies', async () => {
    const out = await run('redis-benchmark', ['-p', String(shared.server.port), '-t', 'set,get,incr,mset,ping_inline,ping_mbulk', '-n', '20000', '-q']);
    assert.equal(out.code, 0, out.stderr);
    const text = out.stdout + out.stderr;
    assert.doesNotMatch(text, /error|ERR|WARNING/i);
    // -q prints one "<TEST>: <n> requests per second" line per test (after \r-separated progress updates).
    for (const name of ['PING_INLINE', 'PING_MBULK', 'SET', 'GET', 'INCR', 'MSET \\(10 keys\\)']) {
      assert.match(text, new RegExp(`${name}: [\\d.]+ requests per second`));
    }
  });
});

describe('redis-py', () => {
  test('python3-redis round trip (RESP2)', async () => {
    const script = [
      'import redis, sys',
      `r = redis.Redis(host="127.0.0.1", port=${shared.server.port})`,
      'assert r.ping() is True',
      'assert r.set("py:k", "v") is True',
      'assert r.get("py:k") == b"v"',
      'assert r.incr("py:n", 5) == 5',
      'assert r.setex("py:t", 100, "x") is True',
      'assert 95 < r.ttl("py:t") <= 100',
      'r.mset({"py:a": "1", "py:b": "2"})',
      'assert r.mget("py:a", "py:b", "py:none") == [b"1", b"2", None]',
      'assert sorted(r.scan_iter(match="py:*")) == [b"py:a", b"py:b", b"py:k", b"py:n", b"py:t"]',
      'assert r.delete("py:a", "py:b") == 2',
      'try:',
      '    r.incr("py:k")',
      '    sys.exit("no error")',
      'except redis.ResponseError as e:',
      '    assert "not an integer" in str(e), str(e)',
      'print("ok")',
    ].join('\n');
    const out = await run('/usr/bin/python3', ['-c', script]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, 'ok\n');
  });
});
