// The durability barrier and back-pressure, against a server run in process on the engine's in-memory file
// system (real sockets, real engine): a failing WAL never lets a held reply out, and a write stall pauses
// writers without failing them or stalling readers.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { MemoryFileSystem, type OpenOptions } from '@strata/engine';
import { Server, defaultConfig } from '@strata/server';
import { RespClient, encodeCommand } from './support/resp-client.js';
import { GatedFileSystem } from '../helpers/gated-fs.js';

const servers: Server[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.shutdown()));
});

async function startInProcess(engineOptions: OpenOptions, appendfsync: 'always' | 'everysec' = 'always'): Promise<Server> {
  const config = { ...defaultConfig(), port: 0, dir: '/db', appendfsync };
  const server = await Server.start(config, () => {}, engineOptions);
  servers.push(server);
  return server;
}

/** Sends the commands in one write and returns every byte the server sends until it closes the connection. */
function sendUntilClosed(port: number, commands: string[][]): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect({ port, host: '127.0.0.1' }, () => socket.write(Buffer.concat(commands.map(encodeCommand))));
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the connection; received ${JSON.stringify(received)}`));
    }, 5000).unref();
  });
}

describe('WAL failure', () => {
  test('a write whose WAL append or sync fails is never acknowledged, nor revealed to any client', async () => {
    const fs = new MemoryFileSystem();
    const server = await startInProcess({ fs });
    const client = await RespClient.connect(server.port);
    assert.equal(await client.call('set', 'before', '1'), 'OK');
    await client.close();

    fs.inject((op) => (op === 'append' || op === 'sync' ? 'EIO' : undefined));
    const writer = await sendUntilClosed(server.port, [['set', 'lost', '2'], ['get', 'lost'], ['ping']]);
    assert.ok(!writer.includes('+OK'), `the held +OK went out: ${JSON.stringify(writer)}`);
    assert.ok(!writer.includes('$1\r\n2\r\n'), 'the unsynced value went out');
    assert.match(writer, /^-ERR Write-ahead log failure, the writes could not be made durable: .*i\/o error.*\r\n$/);

    // Another client reading afterwards is not shown the lost write either.
    const reader = await sendUntilClosed(server.port, [['get', 'lost']]);
    assert.ok(!reader.includes('$1\r\n2\r\n'), `the lost write was revealed: ${JSON.stringify(reader)}`);
  });
});

describe('group commit', () => {
  test('appendfsync always: no reply that depends on a write (its OK, another client\'s GET) before its sync ends', async () => {
    const fs = new GatedFileSystem();
    const server = await startInProcess({ fs });
    const writer = await RespClient.connect(server.port);
    const reader = await RespClient.connect(server.port);
    assert.equal(await writer.call('set', 'g', 'old'), 'OK');
    fs.gating = true;

    const replies: string[] = [];
    const set = writer.call('set', 'g', 'new').then((r) => replies.push(`set ${r}`));
    await fs.heldCount(1);
    const get = reader.call('get', 'g').then((r) => replies.push(`get ${r}`));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(replies, [], 'a reply went out before the sync of the write it depends on');

    fs.gating = false;
    fs.take().release();
    await Promise.all([set, get]);
    assert.deepEqual(replies.sort(), ['get new', 'set OK']);
    await Promise.all([writer.close(), reader.close()]);
  });

  test('appendfsync everysec: writes are answered without waiting for any sync', async () => {
    const fs = new GatedFileSystem();
    const server = await startInProcess({ fs }, 'everysec');
    fs.gating = true;
    const client = await RespClient.connect(server.port);
    assert.deepEqual(await client.pipeline([['set', 'e', '1'], ['incr', 'e'], ['get', 'e']]), ['OK', 2, '2']);
    assert.equal(await client.call('set', 'e', '3'), 'OK');
    assert.equal(fs.held.length, 0, 'a sync was waited for');
    assert.equal(server.engine.durableSequence, server.engine.lastSequence);
    fs.gating = false; // the background sync and the shutdown's go through
    for (const held of fs.held.splice(0)) held.release();
    await client.close();
  });
});

describe('CONFIG SET appendfsync', () => {
  test('takes effect at once: from everysec to always the next write waits for its sync, and back', async () => {
    const fs = new GatedFileSystem();
    const server = await startInProcess({ fs }, 'everysec');
    const client = await RespClient.connect(server.port);
    fs.gating = true;
    assert.equal(await client.call('set', 'a', '1'), 'OK');
    assert.equal(fs.held.length, 0, 'everysec waited for a sync');
    assert.equal(await client.call('config', 'set', 'appendfsync', 'always'), 'OK');
    assert.deepEqual(await client.call('config', 'get', 'appendfsync'), ['appendfsync', 'always']);
    let answered = false;
    const set = client.call('set', 'a', '2').then((reply) => {
      answered = true;
      return reply;
    });
    await fs.heldCount(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(answered, false, 'always: the OK went out before the sync');
    fs.gating = false;
    for (const held of fs.held.splice(0)) held.release();
    assert.equal(await set, 'OK');
    assert.match((await client.call('info', 'persistence')) as string, /\r\nappendfsync:always\r\n/);
    assert.equal(await client.call('config', 'set', 'appendfsync', 'no'), 'OK');
    fs.gating = true;
    assert.equal(await client.call('set', 'a', '3'), 'OK');
    assert.equal(fs.held.length, 0, 'no: waited for a sync');
    fs.gating = false;
    await client.close();
  });
});

describe('back-pressure', () => {
  test('a write stall pauses the writer (its later commands too) but not readers; then it goes on', async () => {
    const server = await startInProcess({ fs: new MemoryFileSystem() });
    const engine = server.engine;
    let release!: () => void;
    const stall = new Promise<void>((resolve) => (release = resolve));
    const writeStall = engine.writeStall.bind(engine);
    let stalled = true;
    engine.writeStall = () => (stalled ? stall : writeStall());

    const writer = await RespClient.connect(server.port);
    const reader = await RespClient.connect(server.port);
    let settled = false;
    const writes = writer.pipeline([['set', 'bp', 'v'], ['get', 'bp'], ['incr', 'bp:n']]).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(settled, false, 'the writer was answered during the stall');
    assert.equal(await reader.call('get', 'bp'), null, 'the reader waited for the stall or saw the write');
    assert.equal(await reader.call('ping'), 'PONG');

    stalled = false;
    release();
    assert.deepEqual(await writes, ['OK', 'v', 1]);
    assert.equal(await reader.call('get', 'bp'), 'v');
    await Promise.all([writer.close(), reader.close()]);
  });

  test('real stalls (flushes and compactions behind a tiny memtable) slow writers and fail none', async () => {
    const server = await startInProcess({
      fs: new MemoryFileSystem(),
      memtableSize: 8 * 1024,
      compactionTrigger: 2,
      slowdownWritesTrigger: 3,
      stopWritesTrigger: 4,
    });
    const clients = await Promise.all(Array.from({ length: 4 }, () => RespClient.connect(server.port)));
    const value = 'x'.repeat(200);
    const replies = await Promise.all(
      clients.map((client, n) => client.pipeline(Array.from({ length: 500 }, (_, i) => ['set', `rs:${n}:${i}`, value]))),
    );
    assert.ok(replies.flat().every((r) => r === 'OK'));
    assert.ok(Number(server.engine.stats().stalls) > 0, 'no stall happened: the test proves nothing');
    assert.deepEqual(await clients[0]!.call('mget', 'rs:0:0', 'rs:3:499'), [value, value]);
    await Promise.all(clients.map((client) => client.close()));
  });
});
