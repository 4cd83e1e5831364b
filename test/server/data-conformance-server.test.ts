// Replays data-conformance-server.txt (commands and the exact bytes redis-server 7.0.15 replied) against a
// real Strata server over a socket: the connection and server commands that need a client connection
// (HELLO, CLIENT, SHUTDOWN's checks, unknown commands...). Each section runs on a fresh connection.

import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkReply, readSections, tokens } from './support/conformance-cases.js';
import { RespClient } from './support/resp-client.js';
import { startServer, type RunningServer } from './support/server.js';

// test/dist/server -> test/server, where the case file lives next to this test's source.
const FILE = 'data-conformance-server.txt';
const CASES = fileURLToPath(new URL(`../../server/${FILE}`, import.meta.url));

describe(`conformance with redis-server 7.0.15 over a connection (${FILE})`, () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.stop();
  });

  for (const section of readSections(CASES)) {
    test(section.title, async () => {
      let client = await RespClient.connect(server.port);
      await client.call('FLUSHALL');
      try {
        for (const step of section.steps) {
          if (step.text === '!resp3') await client.call('HELLO', '3');
          else if (step.text === '!new') {
            await client.close();
            client = await RespClient.connect(server.port);
          } else {
            const argv = tokens(step.text).map((t) => Buffer.from(t, 'latin1'));
            checkReply(step, FILE, await client.raw(...argv));
          }
        }
      } finally {
        await client.close();
      }
    });
  }
});
