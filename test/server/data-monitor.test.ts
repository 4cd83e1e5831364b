// MONITOR as redis-server 7.0.15 feeds it (lines observed from a real Redis with the same commands): after the
// command ran (SELECT shows the db it selected), with AUTH's arguments and HELLO's AUTH user and password shown
// as "(redacted)", admin commands left out; CLIENT LIST flags the monitor 'O'.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RespClient } from './support/resp-client.js';
import { startServer, type RunningServer } from './support/server.js';

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

test('MONITOR lines: after the command, passwords redacted, admin commands left out', async () => {
  const monitor = await RespClient.connect(server.port);
  const client = await RespClient.connect(server.port);
  assert.equal(await monitor.call('MONITOR'), 'OK');
  const commands = [
    ['AUTH', 'secret'],
    ['AUTH', 'default', 'secret'],
    ['CONFIG', 'GET', 'hz'],
    ['SELECT', '2'],
    ['HELLO', '2', 'SETNAME', 'x', 'AUTH', 'default', 'secret'],
    ['PING'],
  ];
  const list = (await client.call('CLIENT', 'LIST')) as string;
  assert.match(list, /^id=\d+ [^\n]* flags=O db=0 [^\n]* cmd=monitor /m, 'the monitor is flagged O, as in Redis');
  for (const argv of commands) await client.call(...argv);
  const expected = [
    '[0 ADDR] "AUTH" "(redacted)"',
    '[0 ADDR] "AUTH" "(redacted)" "(redacted)"',
    '[2 ADDR] "SELECT" "2"',
    '[2 ADDR] "HELLO" "2" "SETNAME" "x" "AUTH" "(redacted)" "(redacted)"',
    '[2 ADDR] "PING"',
  ];
  for (const line of expected) {
    const fed = (await monitor.next()).value as string;
    assert.equal(fed.replace(/^\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\]/, '[$1 ADDR]'), line);
  }
  await client.close();
  await monitor.close();
});

test('MONITOR shows a WAIT when it starts waiting, before commands other clients send meanwhile (as Redis)', async () => {
  const monitor = await RespClient.connect(server.port);
  const waiter = await RespClient.connect(server.port);
  const client = await RespClient.connect(server.port);
  assert.equal(await monitor.call('MONITOR'), 'OK');
  const waited = waiter.call('WAIT', '1', '500');
  for (let i = 0; i < 100 && !/blocked_clients:1/.test((await client.call('INFO', 'clients')) as string); i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.equal(await client.call('SET', 'm', 'v'), 'OK');
  const lines: string[] = []; // the polling INFOs aside
  while (lines.length < 2) {
    const line = (await monitor.next()).value as string;
    if (!line.endsWith('"INFO" "clients"')) lines.push(line);
  }
  assert.match(lines[0]!, /\] "WAIT" "1" "500"$/, lines.join('\n'));
  assert.match(lines[1]!, /\] "SET" "m" "v"$/);
  assert.equal(await waited, 0);
  for (const c of [client, waiter, monitor]) await c.close();
});
