// INCRBYFLOAT bit for bit as Redis's x87 long double arithmetic and "%.17Lf" printing: incrbyfloat-cases.json
// holds [increments, replies] recorded from redis-server 7.0.15 for random decimals of every shape (long
// mantissas, tiny and huge exponents, signs, leading dots), applied in sequence to one key.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../helpers/temp-dir.js';
import { InProcessServer } from './in-process.js';

const CASES = fileURLToPath(new URL('../../../server/unit/incrbyfloat-cases.json', import.meta.url));
const cases = JSON.parse(readFileSync(CASES, 'utf8')) as Array<[string[], string[]]>;

test('INCRBYFLOAT sequences give the replies Redis gave', async (t) => {
  const server = await InProcessServer.open(tempDir(t));
  t.after(() => server.close());
  const c = server.client();
  for (const [increments, replies] of cases) {
    c.run('DEL', 'f');
    increments.forEach((increment, i) => {
      const expected = replies[i]!;
      const bytes = expected.startsWith('ERR ') ? `-${expected}\r\n` : `$${expected.length}\r\n${expected}\r\n`;
      assert.equal(c.run('INCRBYFLOAT', 'f', increment), bytes, `after ${increments.slice(0, i + 1).join(' + ')}`);
    });
  }
});
