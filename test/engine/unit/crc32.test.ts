// The engine's CRC-32 is zlib's, byte for byte: the JavaScript loop for short inputs and the native call
// for long ones must agree with node:zlib on every length, offset and starting value (FORMAT.md names
// zlib's CRC-32, so files stay checkable by any tool).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32, crc32Range } from './internals.js';

test('crc32 and crc32Range equal zlib.crc32 for lengths 0..1100, any offset and initial value', () => {
  const data = randomBytes(1200);
  for (let length = 0; length <= 1100; length++) {
    const start = length % 13;
    const initial = length % 3 === 0 ? 0 : zlibCrc32(data.subarray(0, length % 97));
    const expected = zlibCrc32(data.subarray(start, start + length), initial) >>> 0;
    assert.equal(crc32Range(data, start, start + length, initial), expected, `length ${length}, start ${start}`);
    assert.equal(crc32(data.subarray(start, start + length), initial), expected, `length ${length}`);
  }
});

test('a CRC continued over two pieces equals the CRC of the whole', () => {
  const data = randomBytes(3000);
  for (const cut of [0, 1, 7, 8, 9, 100, 511, 512, 513, 2999, 3000]) {
    assert.equal(crc32(data.subarray(cut), crc32(data.subarray(0, cut))), zlibCrc32(data) >>> 0, `cut ${cut}`);
  }
});
