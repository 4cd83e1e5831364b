// Replays data-conformance.txt (commands and the exact bytes redis-server 7.0.15 replied) against Strata's
// command table, keyspace and engine in process, one test per section.

import { after, before, describe, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkReply, readSections, tokens } from './support/conformance-cases.js';
import { InProcessServer } from './unit/in-process.js';

// test/dist/server -> test/server, where the case file lives next to this test's source.
const CASES = fileURLToPath(new URL('../../server/data-conformance.txt', import.meta.url));

describe('conformance with redis-server 7.0.15 (data-conformance.txt)', () => {
  let dir: string;
  let server: InProcessServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-conformance-'));
    server = await InProcessServer.open(dir);
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const section of readSections(CASES)) {
    test(section.title, async () => {
      const client = server.client();
      server.keyspace.flushall();
      for (const step of section.steps) {
        if (step.text === '!resp3') client.setProtocol(3);
        else if (step.text.startsWith('!sleep ')) await new Promise((r) => setTimeout(r, Number(step.text.slice(7))));
        else if (step.text.startsWith('!list ')) client.plantList(tokens(step.text.slice(6))[0]!);
        else checkReply(step, 'data-conformance.txt', client.run(...tokens(step.text)));
      }
    });
  }
});
