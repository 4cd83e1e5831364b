// Replays data-conformance.txt (commands and the exact bytes redis-server 7.0.15 replied) against Strata's
// command table, keyspace and engine in process, one test per section.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InProcessServer } from './unit/in-process.js';

// test/dist/server -> test/server, where the case file lives next to this test's source.
const CASES = fileURLToPath(new URL('../../server/data-conformance.txt', import.meta.url));

interface Step {
  line: number;
  text: string;
  expect?: { exact: string } | { pattern: RegExp };
}

/** Space-separated arguments; "..." is one argument with JSON escapes (\u00XX = byte XX). */
function tokens(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ') i++;
    else if (line[i] === '"') {
      let j = i + 1;
      while (line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      out.push(JSON.parse(line.slice(i, j + 1)) as string);
      i = j + 1;
    } else {
      const j = line.indexOf(' ', i) < 0 ? line.length : line.indexOf(' ', i);
      out.push(line.slice(i, j));
      i = j;
    }
  }
  return out;
}

function sections(): Array<{ title: string; steps: Step[] }> {
  const lines = readFileSync(CASES, 'latin1').split('\n');
  const out: Array<{ title: string; steps: Step[] }> = [];
  lines.forEach((text, index) => {
    if (text.startsWith('## ')) out.push({ title: text.slice(3), steps: [] });
    else if (text.startsWith('=> ')) out.at(-1)!.steps.at(-1)!.expect = { exact: JSON.parse(text.slice(3)) as string };
    else if (text.startsWith('~> ')) {
      out.at(-1)!.steps.at(-1)!.expect = { pattern: new RegExp(`^(?:${JSON.parse(text.slice(3)) as string})$`, 's') };
    } else if (text !== '' && !text.startsWith('#')) out.at(-1)!.steps.push({ line: index + 1, text });
  });
  return out;
}

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

  for (const section of sections()) {
    test(section.title, async () => {
      const client = server.client();
      server.keyspace.flushall();
      for (const step of section.steps) {
        const where = `data-conformance.txt:${step.line}: ${step.text}`;
        if (step.text === '!resp3') client.setProtocol(3);
        else if (step.text.startsWith('!sleep ')) await new Promise((r) => setTimeout(r, Number(step.text.slice(7))));
        else if (step.text.startsWith('!list ')) client.plantList(tokens(step.text.slice(6))[0]!);
        else {
          const reply = client.run(...tokens(step.text));
          const expect = step.expect;
          assert.ok(expect !== undefined, `${where}: no expected reply recorded`);
          if ('exact' in expect) assert.equal(reply, expect.exact, where);
          else assert.match(reply, expect.pattern, where);
        }
      }
    });
  }
});
