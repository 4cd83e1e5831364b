// Commands whose answers are computed, against a live redis-server (7.0, from the Debian package), on random
// input: the bitmap commands (random strings, ranges in BYTE and BIT units, bits set, strings combined, bit
// fields of every width with every overflow rule) and LCS (random strings over a small alphabet, with every
// option). Every reply (its exact bytes) and the strings afterwards must be Redis's. Randomised: the seeds are
// printed.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { Random, testSeed } from '../helpers/random.js';
import { RespClient } from './support/resp-client.js';
import { connectWhenListening, freePort, removeDir, startServer, tempDir, type RunningServer } from './support/server.js';

describe('computed answers against redis-server', () => {
  let strata: RunningServer;
  let redisProcess: ChildProcess;
  let redisDir: string;
  let s: RespClient;
  let r: RespClient;
  before(async () => {
    strata = await startServer();
    redisDir = tempDir('strata-redis-');
    const port = await freePort();
    redisProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir], {
      cwd: redisDir,
      stdio: 'ignore',
    });
    r = await connectWhenListening(port);
    s = await RespClient.connect(strata.port);
  });
  after(async () => {
    await s?.close();
    await r?.close();
    redisProcess?.kill('SIGKILL');
    await strata?.stop();
    if (redisDir) removeDir(redisDir);
  });

  /** Sends argv to both servers; their replies must be the same bytes. */
  const both = async (...argv: Array<string | Buffer>): Promise<string> => {
    const [mine, theirs] = [await s.raw(...argv), await r.raw(...argv)];
    assert.equal(mine, theirs, argv.map(String).join(' '));
    return mine;
  };

  test('LCS with every option replies as Redis does (randomised)', async () => {
    const rnd = new Random(testSeed('lcs against redis'));
    const word = (): string => Array.from({ length: rnd.between(0, 12) }, () => rnd.pick(['a', 'b', 'c'])).join('');
    for (let i = 0; i < 1500; i++) {
      for (const key of ['a', 'b']) {
        if (rnd.chance(0.1)) await both('DEL', key);
        else await both('SET', key, word());
      }
      const options: string[] = [];
      for (let n = rnd.int(4); n > 0; n--) {
        options.push(...rnd.pick([['IDX'], ['LEN'], ['WITHMATCHLEN'], ['MINMATCHLEN', rnd.pick(['0', '1', '2', '3', '-1', 'x'])], ['FOO']]));
      }
      await both('LCS', 'a', 'b', ...options);
    }
  });

  test('GETBIT SETBIT BITCOUNT BITPOS BITOP BITFIELD reply as Redis does (randomised)', async () => {
    const rnd = new Random(testSeed('bits against redis'));
    const string = (): Buffer => Buffer.from(Array.from({ length: rnd.between(0, 6) }, () => rnd.pick([0, 255, rnd.int(256)])));
    const index = (): string => String(rnd.between(-60, 60));
    const unit = (): string[] => (rnd.chance(0.5) ? [] : [rnd.pick(['BIT', 'BYTE', 'bit'])]);
    const field = (): string[] => {
      const signed = rnd.chance(0.5);
      const width = rnd.between(1, signed ? 64 : 63);
      const offset = rnd.chance(0.2) ? `#${rnd.int(4)}` : String(rnd.int(48));
      return [`${signed ? 'i' : 'u'}${width}`, offset];
    };
    const number = (): string =>
      rnd.pick([String(rnd.between(-300, 300)), '9223372036854775807', '-9223372036854775808', String(BigInt(rnd.int(2 ** 31)) * BigInt(rnd.int(2 ** 31)) * (rnd.chance(0.5) ? 1n : -1n))]);
    for (let i = 0; i < 2000; i++) {
      await both('SET', 'k', string());
      switch (rnd.int(6)) {
        case 5: {
          const argv: string[] = [];
          for (let n = rnd.between(1, 4); n > 0; n--) {
            const op = rnd.pick(['GET', 'SET', 'INCRBY', 'OVERFLOW']);
            if (op === 'OVERFLOW') argv.push(op, rnd.pick(['WRAP', 'SAT', 'FAIL']));
            else argv.push(op, ...field(), ...(op === 'GET' ? [] : [number()]));
          }
          await both(rnd.chance(0.2) ? 'BITFIELD_RO' : 'BITFIELD', 'k', ...argv);
          break;
        }
        case 0:
          await both('BITCOUNT', 'k', ...rnd.pick([[], [index(), index()], [index(), index(), ...unit()]]));
          break;
        case 1:
          await both('BITPOS', 'k', rnd.pick(['0', '1']), ...rnd.pick([[], [index()], [index(), index()], [index(), index(), ...unit()]]));
          break;
        case 2:
          await both('GETBIT', 'k', String(rnd.between(0, 60)));
          break;
        case 3:
          await both('SETBIT', 'k', String(rnd.between(0, 60)), rnd.pick(['0', '1']));
          break;
        default:
          await both('SET', 'j', string());
          if (rnd.chance(0.2)) await both('BITOP', 'NOT', 'd', 'k');
          else await both('BITOP', rnd.pick(['AND', 'OR', 'XOR']), 'd', 'k', ...['j', 'nokey'].slice(0, rnd.int(3)));
          await both('GET', 'd');
      }
      await both('GET', 'k');
    }
  });
});
