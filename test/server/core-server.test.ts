// Server commands (INFO, CONFIG, COMMAND, TIME, LASTSAVE, SAVE, BGSAVE, BGREWRITEAOF, DEBUG SLEEP/OBJECT) and the execution
// model (a paused connection does not stall the others; pipelined writes of many clients share fsyncs).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RespClient } from './support/resp-client.js';
import { serverForFile } from './support/server.js';

const shared = serverForFile();

/** INFO text -> field map. */
function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

describe('INFO', () => {
  test('sections in Redis text format, loading:0 for ioredis', async () => {
    const text = (await shared.c.call('info')) as string;
    const titles = text.split('\r\n').filter((l) => l.startsWith('# '));
    const defaults = ['# Server', '# Clients', '# Memory', '# Persistence', '# Stats', '# Replication', '# CPU', '# Modules', '# Errorstats', '# Cluster', '# Keyspace'];
    assert.deepEqual(titles, defaults);
    for (const asked of ['all', 'everything']) {
      const all = ((await shared.c.call('info', asked)) as string).split('\r\n').filter((l) => l.startsWith('# '));
      assert.deepEqual(all, [...defaults.slice(0, 8), '# Commandstats', '# Errorstats', '# Latencystats', ...defaults.slice(9)], asked);
    }
    const fields = parseInfo(text);
    assert.equal(fields.get('loading'), '0');
    assert.equal(fields.get('redis_version'), '7.0.15');
    assert.equal(fields.get('tcp_port'), String(shared.server.port));
    assert.equal(fields.get('role'), 'master');
    assert.ok(Number(fields.get('connected_clients')) >= 1);
  });

  test('one section, several, unknown; keyspace lines as Redis prints them; RESP3 verbatim', async () => {
    assert.equal(await shared.c.call('info', 'nosuch'), '');
    const two = (await shared.c.call('info', 'clients', 'STATS')) as string;
    assert.match(two, /^# Clients\r\n(.+\r\n)+\r\n# Stats\r\n(.+\r\n)+$/);
    await shared.c.call('set', 'info-key', 'v');
    await shared.c.call('set', 'info-key2', 'v', 'ex', '100');
    assert.match((await shared.c.call('info', 'keyspace')) as string, /^# Keyspace\r\ndb0:keys=\d+,expires=1,avg_ttl=\d+\r\n$/);
    const r3 = await RespClient.connect(shared.server.port);
    await r3.call('hello', '3');
    assert.match(await r3.raw('info', 'replication'), /^=\d+\r\ntxt:# Replication\r\nrole:master\r\n/);
    await r3.close();
  });
});

describe('INFO stats', () => {
  test('keyspace hits and misses count reads only; expired keys; net bytes; CONFIG RESETSTAT', async () => {
    const stats = async (): Promise<Map<string, string>> => parseInfo((await shared.c.call('info', 'stats')) as string);
    assert.equal(await shared.c.call('config', 'resetstat'), 'OK');
    let fields = await stats();
    for (const field of ['keyspace_hits', 'keyspace_misses', 'expired_keys', 'evicted_keys', 'rejected_connections']) {
      assert.equal(fields.get(field), '0', field);
    }
    await shared.c.call('set', 'st:a', '1');
    await shared.c.call('get', 'st:a'); // hit
    await shared.c.call('get', 'st:none'); // miss
    await shared.c.call('mget', 'st:a', 'st:none'); // hit, miss
    await shared.c.call('exists', 'st:a'); // hit
    await shared.c.call('incr', 'st:a'); // a write: neither
    await shared.c.call('set', 'st:a', '2', 'nx'); // neither
    await shared.c.call('set', 'st:a', '3', 'get'); // the GET option reads: hit
    await shared.c.call('set', 'st:gone', 'x', 'px', '1');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await shared.c.call('ttl', 'st:gone'); // miss, and the key found expired is deleted
    fields = await stats();
    assert.equal(fields.get('keyspace_hits'), '4');
    assert.equal(fields.get('keyspace_misses'), '3');
    assert.equal(fields.get('expired_keys'), '1');
    // Counted from after RESETSTAT: the ten data commands and the two INFOs.
    assert.equal(fields.get('total_commands_processed'), '12');
    assert.ok(Number(fields.get('total_net_input_bytes')) > 100);
    assert.ok(Number(fields.get('total_net_output_bytes')) > 10);
  });

  test('the active expire cycle counts the keys it deletes', async () => {
    await shared.c.call('config', 'resetstat');
    await shared.c.pipeline(Array.from({ length: 20 }, (_, i) => ['set', `st:exp:${i}`, 'v', 'px', '10']));
    await new Promise((resolve) => setTimeout(resolve, 400)); // several cycles at hz 10
    assert.equal(parseInfo((await shared.c.call('info', 'stats')) as string).get('expired_keys'), '20');
  });

  test('instantaneous_ops_per_sec follows the load', async () => {
    const ops = async (): Promise<number> => Number(parseInfo((await shared.c.call('info', 'stats')) as string).get('instantaneous_ops_per_sec'));
    const loader = await RespClient.connect(shared.server.port);
    const until = Date.now() + 600;
    while (Date.now() < until) await loader.pipeline(Array.from({ length: 50 }, () => ['ping']));
    assert.ok((await ops()) > 100, 'a busy second shows');
    await loader.close();
  });
});

describe('INFO commandstats and errorstats', () => {
  test('calls, rejected and failed calls per command, error replies by code; CONFIG RESETSTAT clears them', async () => {
    assert.equal(await shared.c.call('config', 'resetstat'), 'OK');
    await shared.c.call('set', 'cs:a', 'x');
    assert.deepEqual(await shared.c.call('incr', 'cs:a'), { error: 'ERR value is not an integer or out of range' }); // failed
    assert.equal(await shared.c.call('incr', 'cs:n'), 1);
    await shared.c.call('get'); // rejected (arity)
    await shared.c.call('nosuch'); // no command to count it against
    await shared.c.call('client', 'nosuch');
    const commands = parseInfo((await shared.c.call('info', 'commandstats')) as string);
    const line = (calls: number, rejected: number, failed: number): RegExp =>
      new RegExp(`^calls=${calls},usec=\\d+,usec_per_call=\\d+\\.\\d\\d,rejected_calls=${rejected},failed_calls=${failed}$`);
    assert.match(commands.get('cmdstat_incr')!, line(2, 0, 1));
    assert.match(commands.get('cmdstat_set')!, line(1, 0, 0));
    assert.equal(commands.get('cmdstat_get'), 'calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0');
    assert.match(commands.get('cmdstat_config|resetstat')!, line(1, 0, 0));
    assert.equal(commands.has('cmdstat_nosuch'), false);
    assert.equal(commands.has('cmdstat_echo'), false, 'commands never called are not listed');
    assert.deepEqual([...parseInfo((await shared.c.call('info', 'errorstats')) as string)], [['errorstat_ERR', 'count=4']]);
    assert.equal(parseInfo((await shared.c.call('info', 'stats')) as string).get('total_error_replies'), '4');

    assert.equal(await shared.c.call('config', 'resetstat'), 'OK');
    assert.deepEqual([...parseInfo((await shared.c.call('info', 'commandstats')) as string).keys()], ['cmdstat_config|resetstat']);
    assert.equal(await shared.c.call('info', 'errorstats'), '# Errorstats\r\n');
    assert.equal(parseInfo((await shared.c.call('info', 'stats')) as string).get('total_error_replies'), '0');
  });
});

describe('INFO latencystats', () => {
  test('latency percentiles per command run, as configured; off with latency-tracking no; cleared by CONFIG RESETSTAT', async () => {
    const c = shared.c;
    const latencies = async (): Promise<Map<string, string>> => parseInfo((await c.call('info', 'latencystats')) as string);
    const percentiles = (line: string): Array<[string, number]> =>
      line.split(',').map((p) => {
        const m = /^p([\d.]+)=(\d+\.\d{3})$/.exec(p);
        assert.ok(m, `percentile ${p} in ${line}`);
        return [m[1]!, Number(m[2])];
      });
    try {
      assert.equal(await c.call('config', 'resetstat'), 'OK');
      for (let i = 0; i < 50; i++) await c.call('set', `lt:${i}`, 'x');
      await c.call('get', 'lt:1');
      await c.call('get'); // rejected (arity): it never ran, so it took no time
      let lines = await latencies();
      assert.deepEqual([...lines.keys()].sort(), ['latency_percentiles_usec_config|resetstat', 'latency_percentiles_usec_get', 'latency_percentiles_usec_set']);
      const set = percentiles(lines.get('latency_percentiles_usec_set')!);
      assert.deepEqual(set.map(([p]) => p), ['50', '99', '99.9']);
      assert.ok(set[0]![1] > 0 && set[0]![1] <= set[1]![1] && set[1]![1] <= set[2]![1], lines.get('latency_percentiles_usec_set'));
      assert.deepEqual(await c.call('config', 'get', 'latency-tracking*'), ['latency-tracking', 'yes', 'latency-tracking-info-percentiles', '50 99 99.9']);

      assert.equal(await c.call('config', 'set', 'latency-tracking-info-percentiles', '0 12.5 100'), 'OK');
      assert.deepEqual(await c.call('config', 'get', 'latency-tracking-info-percentiles'), ['latency-tracking-info-percentiles', '0 12.5 100']);
      const get = percentiles((await latencies()).get('latency_percentiles_usec_get')!);
      assert.deepEqual(get.map(([p]) => p), ['0', '12.5', '100']);
      assert.ok(get[0]![1] <= get[2]![1]);
      for (const [value, why] of [
        ['101', 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]'],
        ['-1', 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]'],
        ['50 abc', 'Invalid latency-tracking-info-percentiles parameters'],
      ]) {
        assert.deepEqual(await c.call('config', 'set', 'latency-tracking-info-percentiles', value!), {
          error: `ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - ${why}`,
        });
      }
      // No percentile: each command's line is left empty.
      assert.equal(await c.call('config', 'set', 'latency-tracking-info-percentiles', ''), 'OK');
      assert.equal((await latencies()).get('latency_percentiles_usec_set'), '');

      assert.equal(await c.call('config', 'set', 'latency-tracking', 'no'), 'OK');
      assert.equal(await c.call('info', 'latencystats'), '# Latencystats\r\n');
      assert.equal(await c.call('config', 'set', 'latency-tracking', 'yes', 'latency-tracking-info-percentiles', '50'), 'OK');
      assert.equal(await c.call('config', 'resetstat'), 'OK');
      lines = await latencies();
      assert.deepEqual([...lines.keys()], ['latency_percentiles_usec_config|resetstat']);
      assert.match(lines.get('latency_percentiles_usec_config|resetstat')!, /^p50=\d+\.\d{3}$/);
    } finally {
      await c.call('config', 'set', 'latency-tracking', 'yes', 'latency-tracking-info-percentiles', '50 99 99.9');
    }
  });
});

describe('SLOWLOG', () => {
  test('keeps the newest slowlog-max-len entries, newest first; cuts arguments past 32 and bytes past 128 as Redis', async () => {
    try {
      assert.equal(await shared.c.call('config', 'set', 'slowlog-log-slower-than', '0', 'slowlog-max-len', '3'), 'OK');
      assert.equal(await shared.c.call('slowlog', 'reset'), 'OK');
      await shared.c.call('del', ...Array.from({ length: 40 }, (_, i) => `sl:${i}`));
      await shared.c.call('echo', 'x'.repeat(200));
      const entries = (await shared.c.call('slowlog', 'get', '-1')) as unknown[][];
      assert.deepEqual(entries.map((e) => (e[3] as string[])[0]), ['echo', 'del', 'slowlog']);
      assert.ok((entries[0]![0] as number) > (entries[1]![0] as number));
      assert.deepEqual(entries[0]![3], ['echo', `${'x'.repeat(128)}... (72 more bytes)`]);
      const del = entries[1]![3] as string[];
      assert.equal(del.length, 32);
      assert.deepEqual(del.slice(0, 2), ['del', 'sl:0']);
      assert.equal(del[30], 'sl:29');
      assert.equal(del[31], '... (10 more arguments)');
      for (const entry of entries) {
        assert.ok(Math.abs((entry[1] as number) - Date.now() / 1000) < 5, 'unix time in seconds');
        assert.ok((entry[2] as number) >= 0, 'duration in microseconds');
        assert.match(entry[4] as string, /^127\.0\.0\.1:\d+$/);
      }
      assert.equal(await shared.c.call('slowlog', 'len'), 3);
      assert.deepEqual(((await shared.c.call('slowlog', 'get')) as unknown[]).length, 3, 'GET without a count: up to 10');
      assert.deepEqual(((await shared.c.call('slowlog', 'get', '1')) as unknown[][]).map((e) => (e[3] as string[])[0]), ['slowlog']);
    } finally {
      await shared.c.call('config', 'set', 'slowlog-log-slower-than', '10000', 'slowlog-max-len', '128');
    }
  });
});

describe('CLIENT PAUSE', () => {
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  test('WRITE holds writes, and what a client sent after them, until CLIENT UNPAUSE; reads go on', async () => {
    const writer = await RespClient.connect(shared.server.port);
    try {
      assert.equal(await shared.c.call('client', 'pause', '20000', 'write'), 'OK');
      let settled = false;
      const held = writer.pipeline([['set', 'pz:a', '1'], ['get', 'pz:a']]).finally(() => (settled = true));
      assert.equal(await shared.c.call('get', 'pz:a'), null, 'reads run during a WRITE pause');
      await sleep(150);
      assert.equal(settled, false, 'the write ran during the pause');
      assert.equal(await shared.c.call('client', 'unpause'), 'OK');
      assert.deepEqual(await held, ['OK', '1']);
    } finally {
      await shared.c.call('client', 'unpause');
      await writer.close();
    }
  });

  test('ALL holds every command, CLIENT UNPAUSE included, until the deadline', async () => {
    const other = await RespClient.connect(shared.server.port);
    const third = await RespClient.connect(shared.server.port);
    try {
      const started = Date.now();
      assert.equal(await shared.c.call('client', 'pause', '250', 'all'), 'OK');
      const ping = other.call('ping').then((reply) => ({ reply, after: Date.now() - started }));
      const unpaused = third.call('client', 'unpause').then(() => Date.now() - started);
      const { reply, after } = await ping;
      assert.equal(reply, 'PONG');
      assert.ok(after >= 240, `PING answered after ${after} ms of a 250 ms pause`);
      assert.ok((await unpaused) >= 240, 'CLIENT UNPAUSE ran during an ALL pause');
    } finally {
      await Promise.all([other.close(), third.close()]);
    }
  });

  test('a second pause widens the mode and extends the deadline, never narrows or shortens them', async () => {
    const other = await RespClient.connect(shared.server.port);
    try {
      const started = Date.now();
      assert.equal(await shared.c.call('client', 'pause', '300', 'write'), 'OK');
      assert.equal(await shared.c.call('client', 'pause', '100', 'all'), 'OK'); // not a write: runs at once
      const read = other.call('get', 'pz:b').then(() => Date.now() - started);
      assert.ok((await read) >= 290, 'the pause became ALL until the first deadline');
      assert.equal(await shared.c.call('client', 'pause', '200', 'write'), 'OK');
      assert.equal(await shared.c.call('client', 'pause', '50', 'write'), 'OK');
      const write = other.call('set', 'pz:b', '1').then(() => Date.now() - started);
      assert.ok((await write) >= 480, 'a shorter second pause did not end the first one early');
    } finally {
      await shared.c.call('client', 'unpause');
      await other.close();
    }
  });
});

describe('DEBUG', () => {
  test('OBJECT in Redis 7 format: refcount, encoding, serializedlength, lru', async () => {
    const cases: Array<[string, string]> = [
      ['123', 'refcount:2147483647 encoding:int serializedlength:2'],
      ['-5', 'refcount:1 encoding:int serializedlength:2'],
      ['99999', 'refcount:1 encoding:int serializedlength:5'],
      ['hello', 'refcount:1 encoding:embstr serializedlength:6'],
      ['3.0', 'refcount:1 encoding:embstr serializedlength:4'],
      ['12345678901234567890', 'refcount:1 encoding:embstr serializedlength:21'],
    ];
    for (const [value, expected] of cases) {
      await shared.c.call('set', 'dbg', value);
      const line = (await shared.c.call('debug', 'object', 'dbg')) as string;
      assert.match(line, /^Value at:0x[0-9a-f]+ refcount:\d+ encoding:\w+ serializedlength:\d+ lru:\d+ lru_seconds_idle:\d+$/);
      assert.ok(line.includes(` ${expected} `), `${value}: ${line}`);
      const lru = Number(/ lru:(\d+)/.exec(line)![1]);
      assert.ok(Math.abs(lru - (Math.floor(Date.now() / 1000) & 0xffffff)) <= 2, line);
    }
    await shared.c.call('append', 'dbg', 'x');
    assert.match((await shared.c.call('debug', 'object', 'dbg')) as string, / encoding:raw serializedlength:22 /);
  });

  test("errors as Redis's: no such key, wrong arity or subcommand; SLEEP reads its seconds as strtod", async () => {
    assert.deepEqual(await shared.c.call('debug', 'object', 'dbg:none'), { error: 'ERR no such key' });
    assert.deepEqual(await shared.c.call('debug', 'OBJECT', 'a', 'b'), {
      error: "ERR unknown subcommand or wrong number of arguments for 'OBJECT'. Try DEBUG HELP.",
    });
    assert.deepEqual(await shared.c.call('debug', 'nosuch'), {
      error: "ERR unknown subcommand or wrong number of arguments for 'nosuch'. Try DEBUG HELP.",
    });
    assert.equal(await shared.c.call('debug', 'sleep', 'abc'), 'OK');
    assert.ok(((await shared.c.call('debug', 'help')) as string[]).includes('OBJECT <key>'));
  });
});

describe('CONFIG', () => {
  test('GET with patterns; the save/appendonly answers redis-benchmark asks for', async () => {
    assert.deepEqual(await shared.c.call('config', 'get', 'save'), ['save', '']);
    assert.deepEqual(await shared.c.call('config', 'get', 'appendonly'), ['appendonly', 'yes']);
    assert.deepEqual(await shared.c.call('config', 'get', 'port', 'databases'), ['port', String(shared.server.port), 'databases', '16']);
    const all = (await shared.c.call('config', 'get', '*')) as string[];
    assert.ok(all.includes('maxclients') && all.includes('appendfsync'));
    assert.deepEqual(await shared.c.call('config', 'get', 'max*'), ['maxclients', '10000', 'maxmemory', '0', 'maxmemory-policy', 'noeviction']);
    assert.deepEqual(await shared.c.call('config', 'get', 'nosuch'), []);
  });

  test('SET validates like Redis, all or nothing', async () => {
    assert.equal(await shared.c.call('config', 'set', 'maxclients', '500', 'timeout', '0'), 'OK');
    assert.deepEqual(await shared.c.call('config', 'get', 'maxclients'), ['maxclients', '500']);
    const errors: Array<[string[], string]> = [
      [['maxclients', 'abc'], "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer"],
      [['databases', '3'], "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"],
      [['appendfsync', 'foo'], "ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no"],
      [['loglevel', 'foo'], "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning"],
      [['nonexist', '1'], "ERR Unknown option or number of arguments for CONFIG SET - 'nonexist'"],
      [['protected-mode', 'maybe'], "ERR CONFIG SET failed (possibly related to argument 'protected-mode') - argument must be 'yes' or 'no'"],
      [['maxclients', '1', 'maxclients', '2'], "ERR CONFIG SET failed (possibly related to argument 'maxclients') - duplicate parameter"],
      [['timeout', '-1'], "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive"],
      [['proto-max-bulk-len', '1k'], "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive"],
      [['client-output-buffer-limit', 'normal 1mb 0'], "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration."],
      [['maxclients', '7', 'loglevel', 'bad'], "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning"],
      [['maxclients'], "ERR wrong number of arguments for 'config|set' command"],
    ];
    for (const [args, error] of errors) assert.deepEqual(await shared.c.call('config', 'set', ...args), { error }, args.join(' '));
    // The failed multi-parameter SET changed nothing.
    assert.deepEqual(await shared.c.call('config', 'get', 'maxclients'), ['maxclients', '500']);
    assert.equal(await shared.c.call('config', 'set', 'maxclients', '10000'), 'OK');
    assert.equal(await shared.c.call('config', 'set', 'client-output-buffer-limit', 'normal 1mb 512kb 10'), 'OK');
    assert.deepEqual(await shared.c.call('config', 'get', 'client-output-buffer-limit'), [
      'client-output-buffer-limit',
      'normal 1048576 524288 10 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
    ]);
    assert.equal(await shared.c.call('config', 'set', 'client-output-buffer-limit', 'normal 0 0 0'), 'OK');
    assert.equal(await shared.c.call('config', 'resetstat'), 'OK');
    assert.deepEqual(await shared.c.call('config', 'rewrite'), { error: 'ERR The server is running without a config file' });
  });

  test('RESP3 CONFIG GET is a map', async () => {
    const r3 = await RespClient.connect(shared.server.port);
    await r3.call('hello', '3');
    assert.equal(await r3.raw('config', 'get', 'databases'), '%1\r\n$9\r\ndatabases\r\n$2\r\n16\r\n');
    await r3.close();
  });
});

describe('COMMAND', () => {
  test('COUNT, INFO, DOCS, LIST, GETKEYS', async () => {
    const count = (await shared.c.call('command', 'count')) as number;
    const all = (await shared.c.call('command')) as unknown[][];
    assert.equal(all.length, count);
    assert.ok(count >= 20);
    const [info, missing] = (await shared.c.call('command', 'info', 'echo', 'nosuch')) as unknown[][];
    assert.deepEqual(info!.slice(0, 6), ['echo', 2, ['loading', 'stale', 'fast'], 0, 0, 0]); // as Redis 7.0.15 reports
    assert.equal(missing, null);
    const [config] = (await shared.c.call('command', 'info', 'config')) as unknown[][];
    const subs = (config![9] as unknown[][]).map((s) => s[0]);
    assert.ok(subs.includes('config|get') && subs.includes('config|help'));
    const docs = (await shared.c.call('command', 'docs', 'ping')) as unknown[];
    assert.equal(docs[0], 'ping');
    assert.deepEqual((docs[1] as unknown[]).slice(0, 4), ['summary', 'Ping the server', 'since', '1.0.0']);
    const names = (await shared.c.call('command', 'list', 'filterby', 'pattern', 'client*')) as string[];
    assert.ok(names.includes('client') && names.includes('client|setname'));
    assert.deepEqual(await shared.c.call('command', 'getkeys', 'echo', 'x'), { error: 'ERR The command has no key arguments' });
    assert.deepEqual(await shared.c.call('command', 'getkeys', 'nosuch', 'x'), { error: 'ERR Invalid command specified' });
  });

  test('RESP3 COMMAND DOCS is a map of maps', async () => {
    const r3 = await RespClient.connect(shared.server.port);
    await r3.call('hello', '3');
    const docs = (await r3.call('command', 'docs', 'echo')) as Map<string, Map<string, string>>;
    assert.equal(docs.get('echo')!.get('group'), 'connection');
    await r3.close();
  });
});

describe('TIME LASTSAVE SAVE BGSAVE BGREWRITEAOF', () => {
  test('TIME is seconds and microseconds as bulk strings', async () => {
    const [seconds, micros] = (await shared.c.call('time')) as string[];
    assert.ok(Math.abs(Number(seconds) - Date.now() / 1000) < 5);
    assert.ok(Number(micros) >= 0 && Number(micros) < 1e6);
  });

  test('SAVE flushes durably and moves LASTSAVE; BGSAVE answers at once', async () => {
    const before = (await shared.c.call('lastsave')) as number;
    await shared.c.call('set', 'saved', '1');
    assert.equal(await shared.c.call('save'), 'OK');
    assert.ok(((await shared.c.call('lastsave')) as number) >= before);
    assert.equal(await shared.c.call('bgsave'), 'Background saving started');
    assert.deepEqual(await shared.c.call('bgsave', 'x'), { error: 'ERR syntax error' });
  });

  test('BGREWRITEAOF merges the tables into one in the background, one rewrite at a time; INFO follows it', async () => {
    const persistence = async (): Promise<Map<string, string>> => parseInfo((await shared.c.call('info', 'persistence')) as string);
    // Two tables at least: keys, SAVE (a flush), the same keys overwritten and some deleted, SAVE again.
    const keys = Array.from({ length: 200 }, (_, i) => `rw:${i}`);
    await shared.c.call('mset', ...keys.flatMap((k) => [k, 'old']));
    await shared.c.call('save');
    await shared.c.call('mset', ...keys.flatMap((k) => [k, 'new']));
    await shared.c.call('del', ...keys.slice(0, 50));
    await shared.c.call('save');
    const before = await persistence();
    assert.ok(Number(before.get('sstables')) >= 2, `sstables ${before.get('sstables')}`);
    const rewrites = Number(before.get('aof_rewrites'));
    // The second, in the same batch, finds the first running.
    assert.deepEqual(await shared.c.pipeline([['bgrewriteaof'], ['bgrewriteaof']]), [
      'Background append only file rewriting started',
      { error: 'ERR Background append only file rewriting already in progress' },
    ]);
    assert.deepEqual(await shared.c.call('bgrewriteaof', 'x'), { error: "ERR wrong number of arguments for 'bgrewriteaof' command" });
    let after = await persistence();
    for (let i = 0; i < 500 && after.get('aof_rewrite_in_progress') === '1'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      after = await persistence();
    }
    assert.equal(after.get('aof_rewrite_in_progress'), '0');
    assert.equal(Number(after.get('aof_rewrites')), rewrites + 1);
    assert.equal(after.get('aof_last_bgrewrite_status'), 'ok');
    assert.equal(after.get('sstables'), '1');
    assert.ok(Number(after.get('aof_last_rewrite_time_sec')) >= 0);
    assert.deepEqual(await shared.c.call('mget', 'rw:0', 'rw:49', 'rw:50', 'rw:199'), [null, null, 'new', 'new']);
  });
});

describe('MONITOR', () => {
  test('streams every other client command in Redis format, arguments escaped', async () => {
    const monitor = await RespClient.connect(shared.server.port);
    assert.equal(await monitor.call('monitor'), 'OK');
    await shared.c.call('select', '0');
    await shared.c.call('set', 'mon', 'a "b"\n\x01');
    assert.match((await monitor.next()).raw, /^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "select" "0"\r\n$/);
    assert.equal(
      (await monitor.next()).raw.replace(/^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] /, ''),
      '"set" "mon" "a \\"b\\"\\n\\x01"\r\n',
    );
    await monitor.close();
  });
});

describe('execution model', () => {
  test('DEBUG SLEEP pauses only its own connection', async () => {
    const sleeper = await RespClient.connect(shared.server.port);
    const started = Date.now();
    const slept = sleeper.pipeline([['debug', 'sleep', '0.5'], ['echo', 'after']]);
    // Another client is served while the first sleeps.
    assert.equal(await shared.c.call('echo', 'meanwhile'), 'meanwhile');
    assert.ok(Date.now() - started < 400, 'the other client waited for the sleep');
    assert.deepEqual(await slept, ['OK', 'after']);
    assert.ok(Date.now() - started >= 500);
    await sleeper.close();
  });

  test('pipelined writes from many clients share fsyncs (group commit)', async () => {
    const syncs = async (): Promise<number> => Number(parseInfo((await shared.c.call('info', 'persistence')) as string).get('wal_syncs'));
    const clients = await Promise.all(Array.from({ length: 8 }, () => RespClient.connect(shared.server.port)));
    const before = await syncs();
    const writes = 8 * 250;
    const replies = await Promise.all(
      clients.map((client, n) => client.pipeline(Array.from({ length: 250 }, (_, i) => ['set', `gc:${n}:${i}`, 'v']))),
    );
    assert.ok(replies.flat().every((r) => r === 'OK'));
    const used = (await syncs()) - before;
    assert.ok(used > 0 && used < writes / 10, `${used} fsyncs for ${writes} writes`);
    await Promise.all(clients.map((client) => client.close()));
  });
});
