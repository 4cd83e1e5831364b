// The glob matcher against redis-server 7.0.15's own answers: glob-cases.json holds [pattern, key, matched]
// as recorded from KEYS on a real Redis (hand-picked edge cases, then random patterns over the special
// characters and keys built to hit them).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { globMatch, literalPrefix, matchesAll } from '@strata/server';

const CASES = fileURLToPath(new URL('../../../server/unit/glob-cases.json', import.meta.url));
const cases = JSON.parse(readFileSync(CASES, 'utf8')) as Array<[string, string, boolean]>;
const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

test('KEYS matching agrees with Redis on every recorded case', () => {
  assert.ok(cases.length > 500);
  for (const [pattern, key, expected] of cases) {
    // KEYS takes "*" as everything without matching, as SCAN does; otherwise it is stringmatchlen.
    const matched = matchesAll(bytes(pattern)) || globMatch(bytes(pattern), bytes(key));
    assert.equal(matched, expected, `pattern ${JSON.stringify(pattern)} key ${JSON.stringify(key)}`);
  }
});

test('every match starts with the literal prefix, so seeking to it loses nothing', () => {
  for (const [pattern, key] of cases) {
    if (globMatch(bytes(pattern), bytes(key))) {
      assert.ok(bytes(key).subarray(0, literalPrefix(bytes(pattern)).length).equals(literalPrefix(bytes(pattern))));
    }
  }
  assert.equal(literalPrefix(bytes('user:1*')).toString(), 'user:1');
  assert.equal(literalPrefix(bytes('a\\*b*')).toString(), 'a*b');
  assert.equal(literalPrefix(bytes('?abc')).length, 0);
  assert.equal(literalPrefix(bytes('ab[cd]')).toString(), 'ab');
});

test('pathological patterns finish quickly (no exponential backtracking)', () => {
  const key = bytes('a'.repeat(5000));
  const pattern = bytes('*a'.repeat(50) + 'b');
  const started = Date.now();
  assert.equal(globMatch(pattern, key), false);
  assert.ok(Date.now() - started < 1000);
});
