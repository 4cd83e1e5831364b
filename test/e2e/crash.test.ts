// kill -9 of the server in the middle of a SET load with appendfsync always: after a restart, every key whose
// SET was answered +OK is there with its value. (redis-benchmark cannot report per key, so the load is our own:
// several raw clients pipelining SETs and recording each +OK they receive.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCommand, RespClient } from '../server/support/resp-client.js';
import { removeDir, startServer, tempDir } from '../server/support/server.js';

const CLIENTS = 8;
const DEPTH = 16;

/** Pipelines SETs of `load:<client>:<n>` until the connection dies; returns the keys answered +OK. */
async function setLoad(port: number, client: number): Promise<string[]> {
  const c = await RespClient.connect(port);
  const acknowledged: string[] = [];
  for (let n = 0; ; ) {
    const keys = Array.from({ length: DEPTH }, () => `load:${client}:${n++}`);
    c.write(Buffer.concat(keys.map((k) => encodeCommand(['SET', k, `value-of-${k}`]))));
    for (const key of keys) {
      let reply;
      try {
        reply = await c.next();
      } catch {
        return acknowledged; // the server was killed
      }
      assert.equal(reply.raw, '+OK\r\n');
      acknowledged.push(key);
    }
  }
}

test('kill -9 during a SET load: every acknowledged SET survives the restart', async () => {
  const dir = tempDir();
  try {
    const server = await startServer({ dir, args: ['--appendfsync', 'always'] });
    const loads = Array.from({ length: CLIENTS }, (_, i) => setLoad(server.port, i));
    await new Promise((r) => setTimeout(r, 1500));
    server.child.kill('SIGKILL');
    const exit = await server.exited;
    assert.equal(exit.signal, 'SIGKILL');
    const acknowledged = (await Promise.all(loads)).flat();
    assert.ok(acknowledged.length > 100, `only ${acknowledged.length} SETs acknowledged before the kill`);

    const restarted = await startServer({ dir });
    try {
      const c = await RespClient.connect(restarted.port);
      const missing: string[] = [];
      for (let i = 0; i < acknowledged.length; i += 500) {
        const keys = acknowledged.slice(i, i + 500);
        const values = (await c.call('MGET', ...keys)) as Array<string | null>;
        keys.forEach((k, j) => {
          if (values[j] !== `value-of-${k}`) missing.push(k);
        });
      }
      assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${acknowledged.length} acknowledged keys lost`);
      await c.close();
    } finally {
      await restarted.stop();
    }
  } finally {
    removeDir(dir);
  }
});
