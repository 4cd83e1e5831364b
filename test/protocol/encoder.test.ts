import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import RedisParser from 'redis-parser';
import { ReplyWriter, formatDouble, formatHumanDouble, type ProtocolVersion } from '@strata/protocol';
import { Random, testSeed } from '../helpers/random.js';

function encode(protocol: ProtocolVersion, write: (w: ReplyWriter) => void): string {
  const w = new ReplyWriter(protocol);
  write(w);
  assert.equal(w.length, w.take().length);
  write(w);
  return w.take().toString('latin1');
}

describe('ReplyWriter: every reply type, byte for byte', () => {
  // [name, write, RESP2, RESP3] — the forms redis-server 7.0.15 sends (HELLO 3, DEBUG PROTOCOL ...).
  const cases: [string, (w: ReplyWriter) => void, string, string][] = [
    ['simple', (w) => w.simple('OK'), '+OK\r\n', '+OK\r\n'],
    ['simple, short, not ASCII', (w) => w.simple('hé'), '+h\xc3\xa9\r\n', '+h\xc3\xa9\r\n'],
    ['simple, long', (w) => w.simple('x'.repeat(40) + 'é'), `+${'x'.repeat(40)}\xc3\xa9\r\n`, `+${'x'.repeat(40)}\xc3\xa9\r\n`],
    ['error', (w) => w.error('ERR syntax error'), '-ERR syntax error\r\n', '-ERR syntax error\r\n'],
    ['error with line breaks', (w) => w.error("ERR unknown command '\r\n'"), "-ERR unknown command '  '\r\n", "-ERR unknown command '  '\r\n"],
    ['integer', (w) => w.integer(42), ':42\r\n', ':42\r\n'],
    ['negative integer', (w) => w.integer(-9007199254740991), ':-9007199254740991\r\n', ':-9007199254740991\r\n'],
    ['zero', (w) => w.integer(0), ':0\r\n', ':0\r\n'],
    ['bigint', (w) => w.integer(-9223372036854775808n), ':-9223372036854775808\r\n', ':-9223372036854775808\r\n'],
    ['bulk string', (w) => w.bulk('héllo'), '$6\r\nh\xc3\xa9llo\r\n', '$6\r\nh\xc3\xa9llo\r\n'],
    ['bulk bytes', (w) => w.bulk(new Uint8Array([0, 13, 10, 255])), '$4\r\n\x00\r\n\xff\r\n', '$4\r\n\x00\r\n\xff\r\n'],
    ['empty bulk', (w) => w.bulk(''), '$0\r\n\r\n', '$0\r\n\r\n'],
    ['null', (w) => w.null(), '$-1\r\n', '_\r\n'],
    ['null array', (w) => w.nullArray(), '*-1\r\n', '_\r\n'],
    ['array', (w) => (w.array(2), w.integer(1), w.bulk('a')), '*2\r\n:1\r\n$1\r\na\r\n', '*2\r\n:1\r\n$1\r\na\r\n'],
    ['empty array', (w) => w.array(0), '*0\r\n', '*0\r\n'],
    ['map', (w) => (w.map(1), w.bulk('k'), w.integer(0)), '*2\r\n$1\r\nk\r\n:0\r\n', '%1\r\n$1\r\nk\r\n:0\r\n'],
    ['set', (w) => (w.set(1), w.bulk('a')), '*1\r\n$1\r\na\r\n', '~1\r\n$1\r\na\r\n'],
    ['push', (w) => (w.push(1), w.bulk('a')), '*1\r\n$1\r\na\r\n', '>1\r\n$1\r\na\r\n'],
    ['double', (w) => w.double(3.141), '$5\r\n3.141\r\n', ',3.141\r\n'],
    ['double 1.1', (w) => w.double(1.1), '$18\r\n1.1000000000000001\r\n', ',1.1000000000000001\r\n'],
    ['double inf', (w) => w.double(Infinity), '$3\r\ninf\r\n', ',inf\r\n'],
    ['double -inf', (w) => w.double(-Infinity), '$4\r\n-inf\r\n', ',-inf\r\n'],
    ['true', (w) => w.boolean(true), ':1\r\n', '#t\r\n'],
    ['false', (w) => w.boolean(false), ':0\r\n', '#f\r\n'],
    ['verbatim', (w) => w.verbatim('This is a verbatim\nstring'), '$25\r\nThis is a verbatim\nstring\r\n', '=29\r\ntxt:This is a verbatim\nstring\r\n'],
    ['verbatim markdown', (w) => w.verbatim('# é', 'mkd'), '$4\r\n# \xc3\xa9\r\n', '=8\r\nmkd:# \xc3\xa9\r\n'],
    ['big number', (w) => w.bigNumber('1234567999999999999999999999999999999'), '$37\r\n1234567999999999999999999999999999999\r\n', '(1234567999999999999999999999999999999\r\n'],
    ['big number from bigint', (w) => w.bigNumber(-(10n ** 30n)), '$32\r\n-1000000000000000000000000000000\r\n', '(-1000000000000000000000000000000\r\n'],
    ['raw', (w) => w.raw(Buffer.from('+PONG\r\n')), '+PONG\r\n', '+PONG\r\n'],
  ];
  for (const [name, write, resp2, resp3] of cases) {
    test(name, () => {
      assert.equal(encode(2, write), resp2, 'RESP2');
      assert.equal(encode(3, write), resp3, 'RESP3');
    });
  }

  test('the protocol can change between replies (HELLO)', () => {
    const w = new ReplyWriter();
    w.null();
    w.protocol = 3;
    w.null();
    assert.equal(w.take().toString(), '$-1\r\n_\r\n');
  });
});

describe('ReplyWriter: buffer handling', () => {
  test('taken bytes stay intact while the writer goes on, across slab changes', () => {
    const w = new ReplyWriter();
    const taken: [Buffer, string][] = [];
    let since = '';
    for (let i = 0; i < 5000; i++) {
      const value = `value-${i}`;
      w.bulk(value);
      since += `$${value.length}\r\n${value}\r\n`;
      if (i % 7 === 0) {
        taken.push([w.take(), since]);
        since = '';
      }
    }
    for (const [bytes, expected] of taken) assert.equal(bytes.toString(), expected);
    assert.equal(w.length > 0, true);
  });

  test('a reply larger than a slab is written whole', () => {
    const w = new ReplyWriter();
    w.simple('OK');
    const big = Buffer.alloc(300 * 1024, 'b');
    w.array(2);
    w.bulk(big);
    w.bulk('x'.repeat(100 * 1024));
    const out = w.take();
    const header = `+OK\r\n*2\r\n$${big.length}\r\n`;
    assert.equal(out.length, header.length + big.length + 2 + `$102400\r\n`.length + 102400 + 2);
    assert.equal(out.subarray(0, header.length).toString(), header);
    assert.ok(out.subarray(header.length, header.length + big.length).equals(big));
    assert.equal(w.length, 0);
    assert.equal(w.take().length, 0);
  });

  test('RESP2 replies parse back with redis-parser, as clients read them', () => {
    const seed = testSeed('encoder round trip');
    const rng = new Random(seed);
    type Value = string | number | null | Value[] | { error: string };
    const expected: Value[] = [];
    const w = new ReplyWriter(2);
    const gen = (depth: number): Value => {
      switch (rng.int(depth > 2 ? 6 : 7)) {
        case 0: {
          const s = Buffer.from(rng.bytes(rng.between(0, 3000))).toString('latin1');
          w.bulk(Buffer.from(s, 'latin1'));
          return s;
        }
        case 1: {
          const n = rng.between(-1e9, 1e9);
          w.integer(n);
          return n;
        }
        case 2:
          w.null();
          return null;
        case 3:
          w.simple('OK');
          return 'OK';
        case 4: {
          const b = rng.chance(0.5);
          w.boolean(b);
          return b ? 1 : 0;
        }
        case 5:
          w.error('ERR bad thing');
          return { error: 'ERR bad thing' };
        default: {
          const n = rng.int(5);
          const kind = rng.int(3);
          if (kind === 0) w.array(n);
          else if (kind === 1) w.set(n);
          else w.map(n);
          const items: Value[] = [];
          for (let i = 0; i < (kind === 2 ? 2 * n : n); i++) items.push(gen(depth + 1));
          return items;
        }
      }
    };
    for (let i = 0; i < 500; i++) expected.push(gen(0));
    const wire = w.take();
    const got: Value[] = [];
    const parser = new RedisParser({
      returnBuffers: true,
      returnReply: (reply: unknown) => got.push(normalise(reply)),
      returnError: (err) => got.push(normalise(err)),
    });
    for (let i = 0; i < wire.length; i += 1000) parser.execute(wire.subarray(i, i + 1000));
    assert.equal(got.length, expected.length, `seed ${seed}`);
    assert.deepEqual(got, expected, `seed ${seed}`);

    function normalise(v: unknown): Value {
      if (Buffer.isBuffer(v)) return v.toString('latin1');
      if (Array.isArray(v)) return v.map(normalise);
      if (v instanceof Error) return { error: v.message };
      return v as Value;
    }
  });
});

describe('double formats', () => {
  // %.17g as redis-server 7.0.15 replies ZSCORE for these scores.
  const redisDoubles: [number, string][] = [
    [1.1, '1.1000000000000001'],
    [2.5, '2.5'],
    [5, '5'],
    [0, '0'],
    [0.1, '0.10000000000000001'],
    [1e20, '1e+20'],
    [1.5e-7, '1.4999999999999999e-07'],
    [123456789012345678, '1.2345678901234568e+17'],
    [2 ** -25, '2.9802322387695312e-08'], // an exact tie: glibc rounds half to even
    [1e-5, '1.0000000000000001e-05'],
    [0.0001, '0.0001'],
    [1e16, '10000000000000000'],
    [-3.141, '-3.141'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
  ];
  for (const [n, text] of redisDoubles) {
    test(`formatDouble(${n}) = ${text}`, () => assert.equal(formatDouble(n), text));
  }

  // INCRBYFLOAT replies as redis-server 7.0.15 gives them for these results.
  const human: [number, string][] = [
    [10.5, '10.5'],
    [10.5 + 0.1, '10.6'],
    [5000, '5000'],
    [1e20, '100000000000000000000'],
    [-1.5, '-1.5'],
    [-0, '0'],
    [1e-20, '0'],
    [1.234567890123456e-6, '0.00000123456789012'],
  ];
  for (const [n, text] of human) {
    test(`formatHumanDouble(${n}) = ${text}`, () => assert.equal(formatHumanDouble(n), text));
  }
});
