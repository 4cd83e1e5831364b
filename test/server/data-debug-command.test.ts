// enable-debug-command as in Redis 7.0.15 (no, yes, local; fixed at start). Strata's default is 'yes'; 'no'
// answers DEBUG with the error Redis 7.0.15 replied, 'local' lets loopback clients in.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RespClient } from './support/resp-client.js';
import { startServer } from './support/server.js';

const NOT_ALLOWED =
  '-ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a ' +
  'local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n';

for (const [setting, expected] of [
  ['no', NOT_ALLOWED],
  ['local', '+OK\r\n'],
  ['yes', '+OK\r\n'],
] as const) {
  test(`enable-debug-command ${setting}`, async () => {
    const server = await startServer({ args: ['--enable-debug-command', setting] });
    const c = await RespClient.connect(server.port);
    try {
      assert.equal(await c.raw('DEBUG', 'SLEEP', '0'), expected);
      assert.equal(await c.raw('DEBUG'), "-ERR wrong number of arguments for 'debug' command\r\n");
      assert.deepEqual(await c.call('CONFIG', 'GET', 'enable-debug-command'), ['enable-debug-command', setting]);
      assert.equal(
        await c.raw('CONFIG', 'SET', 'enable-debug-command', 'yes'),
        "-ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't set immutable config\r\n",
      );
    } finally {
      await c.close();
      await server.stop();
    }
  });
}
