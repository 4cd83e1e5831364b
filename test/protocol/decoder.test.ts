import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestDecoder, ProtocolError, type DecoderLimits } from '@strata/protocol';
import { Random, testSeeds } from '../helpers/random.js';

interface Decoded {
  commands: string[][];
  errors: ProtocolError[];
  decoder: RequestDecoder;
}

/** Decodes `chunks` in order; arguments are shown as latin1 strings so any byte compares exactly. */
function decode(chunks: Iterable<Buffer>, limits: Partial<DecoderLimits> = {}): Decoded {
  const commands: string[][] = [];
  const errors: ProtocolError[] = [];
  const decoder = new RequestDecoder(
    { onCommand: (argv) => commands.push(argv.map((a) => a.toString('latin1'))), onError: (e) => errors.push(e) },
    limits,
  );
  for (const chunk of chunks) decoder.feed(chunk);
  return { commands, errors, decoder };
}

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

function resp(argv: string[]): string {
  return `*${argv.length}\r\n` + argv.map((a) => `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`).join('');
}

/** The chunks of `data` cut at random sizes between 1 and `max`. */
function randomChunks(data: Buffer, rng: Random, max: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; ) {
    const n = rng.between(1, max);
    out.push(data.subarray(i, i + n));
    i += n;
  }
  return out;
}

function byteByByte(data: Buffer): Buffer[] {
  return Array.from({ length: data.length }, (_, i) => data.subarray(i, i + 1));
}

/** A random pipeline mixing multibulk commands (binary arguments), inline commands and lines Redis skips. */
function randomPipeline(rng: Random, count: number): { wire: Buffer; expected: string[][] } {
  const parts: string[] = [];
  const expected: string[][] = [];
  const alphabet = 'abcXYZ019:_-*$';
  for (let i = 0; i < count; i++) {
    const kind = rng.int(10);
    if (kind < 6) {
      const argv = Array.from({ length: rng.between(1, 5) }, () => {
        const size = rng.chance(0.02) ? rng.between(1000, 20000) : rng.between(0, 40);
        return Buffer.from(rng.bytes(size)).toString('latin1');
      });
      parts.push(resp(argv));
      expected.push(argv);
    } else if (kind < 9) {
      const argv = Array.from({ length: rng.between(1, 4) }, () =>
        Array.from({ length: rng.between(1, 12) }, () => rng.pick([...alphabet])).join(''),
      );
      // Arguments starting with '*' would make the line a multibulk header; inline lines never start so.
      if (argv[0]!.startsWith('*')) argv[0] = 'x' + argv[0];
      parts.push(argv.join(rng.pick([' ', '  ', '\t'])) + rng.pick(['\r\n', '\n']));
      expected.push(argv);
    } else {
      parts.push(rng.pick(['\r\n', '\n', '*0\r\n', '*-1\r\n', '   \r\n']));
    }
  }
  return { wire: bytes(parts.join('')), expected };
}

describe('RequestDecoder: framing', () => {
  test('a pipeline decodes the same whole, byte by byte and in random chunks', () => {
    for (const seed of testSeeds('decoder pipeline', 3)) {
      const rng = new Random(seed);
      const { wire, expected } = randomPipeline(rng, 150);
      const whole = decode([wire]);
      assert.deepEqual(whole.errors, [], `seed ${seed}`);
      assert.deepEqual(whole.commands, expected, `seed ${seed}`);
      assert.deepEqual(decode(byteByByte(wire)).commands, expected, `seed ${seed}: byte by byte`);
      for (const max of [2, 17, 300, 70000]) {
        assert.deepEqual(decode(randomChunks(wire, rng, max)).commands, expected, `seed ${seed}: chunks up to ${max}`);
      }
    }
  });

  test('arguments do not share memory with the fed chunk', () => {
    const chunk = bytes(resp(['SET', 'key', 'value']) + 'ECHO "quoted" plain\r\n' + resp(['GET', 'k']).slice(0, 12));
    const tail = bytes(resp(['GET', 'k']).slice(12));
    const argvs: Buffer[][] = [];
    const decoder = new RequestDecoder({ onCommand: (argv) => argvs.push(argv), onError: assert.fail });
    decoder.feed(chunk);
    decoder.feed(tail);
    chunk.fill(0x21);
    tail.fill(0x21);
    assert.deepEqual(
      argvs.map((argv) => argv.map(String)),
      [['SET', 'key', 'value'], ['ECHO', 'quoted', 'plain'], ['GET', 'k']],
    );
  });

  test('a big bulk split over many chunks arrives whole', () => {
    const value = Buffer.alloc(3 * 1024 * 1024, 'v');
    const wire = Buffer.concat([bytes('*2\r\n$3\r\nSET\r\n$' + value.length + '\r\n'), value, bytes('\r\nPING\r\n')]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < wire.length; i += 65536) chunks.push(wire.subarray(i, i + 65536));
    const argvs: Buffer[][] = [];
    const decoder = new RequestDecoder({ onCommand: (argv) => argvs.push(argv), onError: assert.fail });
    for (const c of chunks) decoder.feed(c);
    assert.equal(argvs.length, 2);
    assert.equal(argvs[0]![1]!.length, value.length);
    assert.ok(argvs[0]![1]!.equals(value));
    // Copied once into a buffer sized for the command: the value is not followed by megabytes of slack.
    assert.ok(argvs[0]![1]!.buffer.byteLength < value.length + 1024);
    assert.deepEqual(argvs[1]!.map(String), ['PING']);
  });

  test('like Redis, the byte after \\r and the two bytes after a bulk body are not checked', () => {
    assert.deepEqual(decode([bytes('*1\r\n$4\r\nPINGxx*1\rX$4\rYPING\r\n')]).commands, [['PING'], ['PING']]);
  });

  test('close() drops the rest of the input', () => {
    const commands: string[][] = [];
    const decoder: RequestDecoder = new RequestDecoder({
      onCommand: (argv) => {
        commands.push(argv.map(String));
        if (String(argv[0]) === 'QUIT') decoder.close();
      },
      onError: assert.fail,
    });
    decoder.feed(bytes('PING\r\nQUIT\r\nPING\r\n'));
    decoder.feed(bytes('PING\r\n'));
    assert.deepEqual(commands, [['PING'], ['QUIT']]);
  });
});

describe('RequestDecoder: inline commands', () => {
  // [line, arguments] — behaviour of sdssplitargs as redis-server 7.0.15 applies it.
  const cases: [string, string[]][] = [
    ['PING', ['PING']],
    ['  SET\ta   b  ', ['SET', 'a', 'b']],
    ['ECHO "a b"', ['ECHO', 'a b']],
    ['ECHO ""', ['ECHO', '']],
    ['ECHO a"b c"', ['ECHO', 'ab c']],
    ['ECHO "\\x41\\x4g\\n\\q"', ['ECHO', 'Ax4g\nq']],
    ['ECHO "\\r\\t\\b\\a\\\\\\""', ['ECHO', '\r\t\b\x07\\"']],
    ['ECHO "\\xfF"', ['ECHO', '\xff']],
    ["ECHO 'a\\'b' 'a\\nb'", ['ECHO', "a'b", 'a\\nb']],
    ['ECHO \x0bab', ['ECHO', 'ab']],
    ['ECHO a\x0bb', ['ECHO', 'a\x0bb']],
    ['ECHO a\rb', ['ECHO', 'a', 'b']],
    ['$1', ['$1']],
  ];
  for (const [line, argv] of cases) {
    test(JSON.stringify(line), () => {
      for (const eol of ['\r\n', '\n']) {
        const wire = bytes(line + eol);
        assert.deepEqual(decode([wire]).commands, [argv]);
        assert.deepEqual(decode(byteByByte(wire)).commands, [argv]);
      }
    });
  }

  test('empty and blank lines are skipped', () => {
    assert.deepEqual(decode([bytes('\r\n\n  \t\r\nPING\n')]).commands, [['PING']]);
  });

  test('a NUL hides the line end, as from strchr: Redis waits until the line is too big', () => {
    const { commands, errors, decoder } = decode([bytes('ECHO a\x00b c\r\nPING\r\n')]);
    assert.deepEqual([commands, errors], [[], []]);
    decoder.feed(Buffer.alloc(64 * 1024, 'x'));
    assert.deepEqual(errors.map((e) => e.message), ['Protocol error: too big inline request']);
  });
});

describe('RequestDecoder: errors and limits', () => {
  // [input, error] — error texts as redis-server 7.0.15 replies them (after "-ERR ").
  const cases: [string, string][] = [
    ['*abc\r\n', 'Protocol error: invalid multibulk length'],
    ['* 1\r\n', 'Protocol error: invalid multibulk length'],
    ['*-0\r\n', 'Protocol error: invalid multibulk length'],
    ['*01\r\n', 'Protocol error: invalid multibulk length'],
    ['*\r\n', 'Protocol error: invalid multibulk length'],
    ['*2147483648\r\n', 'Protocol error: invalid multibulk length'],
    ['*-9223372036854775809\r\n', 'Protocol error: invalid multibulk length'],
    ['*1\r\nfoo\r\n', "Protocol error: expected '$', got 'f'"],
    ['*1\r\n:1\r\n', "Protocol error: expected '$', got ':'"],
    ['*1\r\n*1\r\n$4\r\nPING\r\n', "Protocol error: expected '$', got '*'"],
    ['*1\r\n\r\n', "Protocol error: expected '$', got '\r'"],
    ['*1\r\n\x01\r\n', "Protocol error: expected '$', got '\x01'"],
    ['*1\r\n$-1\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$01\r\na\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$+1\r\na\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$536870913\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$11111111111111111111\r\n', 'Protocol error: invalid bulk length'],
    ['SET a "b\r\n', 'Protocol error: unbalanced quotes in request'],
    ['ECHO "a"b\r\n', 'Protocol error: unbalanced quotes in request'],
    ["ECHO ''x\r\n", 'Protocol error: unbalanced quotes in request'],
    ["ECHO 'a\r\n", 'Protocol error: unbalanced quotes in request'],
    ['ECHO "a\\"\r\n', 'Protocol error: unbalanced quotes in request'],
  ];
  for (const [input, message] of cases) {
    test(JSON.stringify(input), () => {
      const wire = bytes(resp(['PING']) + input + 'PING\r\n');
      for (const chunks of [[wire], byteByByte(wire)]) {
        const { commands, errors } = decode(chunks);
        assert.deepEqual(commands, [['PING']], 'commands before the error run; nothing after it');
        assert.equal(errors.length, 1);
        assert.ok(errors[0] instanceof ProtocolError);
        assert.equal(errors[0]!.message, message);
        assert.equal(errors[0]!.reply, true);
      }
    });
  }

  test('empty and negative multibulk counts are ignored, down to the smallest 64-bit number', () => {
    const { commands, errors } = decode([bytes('*0\r\n*-1\r\n*-9223372036854775808\r\nPING\r\n')]);
    assert.deepEqual([commands, errors], [[['PING']], []]);
  });

  test('a bulk longer than proto-max-bulk-len fails at its header, before the body is buffered', () => {
    const { errors } = decode([bytes('*2\r\n$3\r\nSET\r\n$1025\r\n')], { maxBulkLength: 1024 });
    assert.deepEqual(errors.map((e) => e.message), ['Protocol error: invalid bulk length']);
    const ok = decode([bytes(resp(['SET', 'x'.repeat(1024)]))], { maxBulkLength: 1024 });
    assert.equal(ok.commands.length, 1);
  });

  test('the default proto-max-bulk-len (512 MiB) is accepted at the header, one byte more is not', () => {
    const { commands, errors, decoder } = decode([bytes('*1\r\n$536870912\r\n')]);
    assert.deepEqual([commands, errors], [[], []]);
    // Nothing of the announced body is allocated before it arrives.
    assert.ok(process.memoryUsage().arrayBuffers < 256 * 1024 * 1024);
    decoder.close();
  });

  test('limits changed at runtime apply to the next header', () => {
    const { errors, decoder } = decode([bytes(resp(['SET', 'k', 'x'.repeat(100)]))]);
    decoder.limits.maxBulkLength = 10;
    decoder.feed(bytes(resp(['SET', 'k', 'x'.repeat(100)])));
    assert.deepEqual(errors.map((e) => e.message), ['Protocol error: invalid bulk length']);
  });

  test('a multibulk count above the limit fails', () => {
    const { errors } = decode([bytes('*1001\r\n')], { maxMultibulkLength: 1000 });
    assert.deepEqual(errors.map((e) => e.message), ['Protocol error: invalid multibulk length']);
    assert.deepEqual(decode([bytes('*1000\r\n')], { maxMultibulkLength: 1000 }).errors, []);
  });

  test('an unterminated inline request or header beyond 64 KiB fails; a terminated long line is accepted', () => {
    const cases: [string, string][] = [
      ['x', 'Protocol error: too big inline request'],
      ['*1', 'Protocol error: too big mbulk count string'],
      ['*1\r\n$1', 'Protocol error: too big bulk count string'],
    ];
    for (const [prefix, message] of cases) {
      const { errors, decoder } = decode([bytes(prefix + '1'.repeat(65000))]);
      assert.equal(errors.length, 0, prefix);
      decoder.feed(bytes('1'.repeat(1000)));
      assert.deepEqual(errors.map((e) => e.message), [message], prefix);
    }
    // Redis reads 16 KiB at a time and checks after each read, so a line that is whole in the buffer passes.
    const long = 'ECHO ' + 'y'.repeat(70000);
    assert.deepEqual(decode([bytes(long + '\r\n')]).commands, [['ECHO', 'y'.repeat(70000)]]);
  });

  test('a command beyond client-query-buffer-limit closes the connection without a reply', () => {
    const { errors } = decode([bytes('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$900\r\n')], { maxQueryBuffer: 900 });
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.reply, false);
    assert.equal(errors[0]!.message, 'Closing client that reached max query buffer length');
    // Many small arguments count too.
    const many = decode([bytes(resp(Array.from({ length: 200 }, () => 'abcdef')).slice(0, -20))], { maxQueryBuffer: 1000 });
    assert.equal(many.errors[0]?.reply, false);
  });

  test('before AUTH, Redis allows at most 10 arguments and 16 KiB bulks', () => {
    const { commands, errors, decoder } = decode([]);
    decoder.authRequired = true;
    decoder.feed(bytes(resp(['AUTH', 'pw']) + resp(Array.from({ length: 10 }, () => 'a'))));
    assert.equal(commands.length, 2);
    decoder.feed(bytes('*11\r\n'));
    assert.deepEqual(errors.map((e) => e.message), ['Protocol error: unauthenticated multibulk length']);

    const bulk = decode([]);
    bulk.decoder.authRequired = true;
    bulk.decoder.feed(bytes(resp(['AUTH', 'x'.repeat(16384)]) + '*2\r\n$4\r\nAUTH\r\n$16385\r\n'));
    assert.equal(bulk.commands.length, 1);
    assert.deepEqual(bulk.errors.map((e) => e.message), ['Protocol error: unauthenticated bulk length']);
  });

  test('after an error every further byte is ignored', () => {
    const { commands, errors, decoder } = decode([bytes('*x\r\n')]);
    decoder.feed(bytes('PING\r\n*1\r\nfoo\r\n'));
    assert.deepEqual([commands, errors.length], [[], 1]);
  });
});
