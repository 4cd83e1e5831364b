// String commands (Redis's t_string.c): values stored inline in the key's metadata entry.

import type { CommandContext, CommandSpec } from '../command.js';
import { stringMeta } from '../types/keyspace.js';
import { KeyType, StringEncoding, type Meta } from '../types/layout.js';
import {
  I64_MAX,
  I64_MIN,
  addLongDoubles,
  formatLongDouble,
  isInfinite,
  parseLongDouble,
  parseI64,
} from '../types/numbers.js';
import {
  NAN_OR_INFINITY,
  NOT_FLOAT,
  NOT_INTEGER,
  OVERFLOW,
  SYNTAX,
  TOO_BIG,
  WRONGTYPE,
  invalidExpireTime,
  wrongArity,
} from '../types/errors.js';

type Argv = Buffer[];

/** The live string at `key`: its metadata, undefined if there is no key, or null once WRONGTYPE is replied.
 *  `forWrite`: the command is about to write the key (Redis's lookupKeyWrite: no keyspace hit or miss). */
export function readString(ctx: CommandContext, key: Buffer, now: number, forWrite = false): Meta | undefined | null {
  const { keyspace } = ctx.server;
  const meta = forWrite ? keyspace.lookup(ctx.client.db, key, now) : keyspace.read(ctx.client.db, key, now);
  if (meta === undefined || meta.type === KeyType.String) return meta;
  ctx.reply.error(WRONGTYPE);
  return null;
}

/** Writes one string key (replacing any key of any type), as one batch. `now`: the time the command read
 *  the clock, if it did (one read less: about a tenth of the SET handler's own time). */
export function writeString(
  ctx: CommandContext,
  key: Buffer,
  value: Uint8Array,
  expireAt: number,
  encoding: StringEncoding,
  now = Date.now(),
): void {
  const batch = ctx.server.keyspace.batch();
  batch.set(ctx.client.db, key, stringMeta(value, expireAt, encoding), now);
  batch.commit();
}

// ---- SET and GETEX options

const enum Flag {
  NX = 1,
  XX = 2,
  GET = 4,
  KEEPTTL = 8,
  PERSIST = 16,
  EX = 32,
  PX = 64,
  EXAT = 128,
  PXAT = 256,
}
const ANY_EXPIRE = Flag.EX | Flag.PX | Flag.EXAT | Flag.PXAT;

interface ExpireOptions {
  flags: number;
  /** The argument after EX/PX/EXAT/PXAT. */
  expire?: Buffer;
}

/** Redis's parseExtendedStringArgumentsOrReply for SET (`forSet`) and GETEX; undefined once replied. */
function parseOptions(ctx: CommandContext, argv: Argv, from: number, forSet: boolean): ExpireOptions | undefined {
  let flags = 0;
  let expire: Buffer | undefined;
  for (let j = from; j < argv.length; j++) {
    const opt = argv[j]!.toString('latin1').toUpperCase();
    const hasNext = j + 1 < argv.length;
    if (opt === 'NX' && forSet && !(flags & Flag.XX)) flags |= Flag.NX;
    else if (opt === 'XX' && forSet && !(flags & Flag.NX)) flags |= Flag.XX;
    else if (opt === 'GET' && forSet) flags |= Flag.GET;
    else if (opt === 'KEEPTTL' && forSet && !(flags & (Flag.PERSIST | ANY_EXPIRE))) flags |= Flag.KEEPTTL;
    else if (opt === 'PERSIST' && !forSet && !(flags & (Flag.KEEPTTL | ANY_EXPIRE))) flags |= Flag.PERSIST;
    else if (hasNext && (opt === 'EX' || opt === 'PX' || opt === 'EXAT' || opt === 'PXAT')) {
      const flag = { EX: Flag.EX, PX: Flag.PX, EXAT: Flag.EXAT, PXAT: Flag.PXAT }[opt];
      if (flags & (Flag.KEEPTTL | Flag.PERSIST | (ANY_EXPIRE & ~flag))) return replySyntax(ctx);
      flags |= flag;
      expire = argv[++j]!;
    } else return replySyntax(ctx);
  }
  if (expire === undefined) return flags === 0 ? NO_OPTIONS : { flags };
  return { flags, expire };
}

/** A plain SET's options (shared: a SET allocates no options of its own). */
const NO_OPTIONS: ExpireOptions = Object.freeze({ flags: 0 });

function replySyntax(ctx: CommandContext): undefined {
  ctx.reply.error(SYNTAX);
  return undefined;
}

/** Redis's getExpireMillisecondsOrReply: the absolute expiry in ms, or undefined once an error is replied. */
function expireAtOrReply(
  ctx: CommandContext,
  arg: Buffer,
  flags: number,
  command: string,
  now: number,
): number | undefined {
  const n = parseI64(arg);
  if (n === undefined) {
    ctx.reply.error(NOT_INTEGER);
    return undefined;
  }
  const seconds = (flags & (Flag.EX | Flag.EXAT)) !== 0;
  let ms = seconds ? n * 1000n : n;
  if (n <= 0n || (seconds && n > I64_MAX / 1000n)) {
    ctx.reply.error(invalidExpireTime(command));
    return undefined;
  }
  if (flags & (Flag.EX | Flag.PX)) ms += BigInt(now);
  if (ms > I64_MAX) {
    ctx.reply.error(invalidExpireTime(command));
    return undefined;
  }
  return Number(ms);
}

// ---- handlers

function get(ctx: CommandContext, argv: Argv): void {
  const meta = readString(ctx, argv[1]!, Date.now());
  if (meta === null) return;
  if (meta === undefined) ctx.reply.null();
  else ctx.reply.bulk(meta.value);
}

/** SET and its relatives: `flags` from options, `expire` the raw expire argument. */
function setGeneric(ctx: CommandContext, command: string, key: Buffer, value: Buffer, options: ExpireOptions): void {
  const now = Date.now();
  const { flags } = options;
  let expireAt = 0;
  if (options.expire !== undefined) {
    const at = expireAtOrReply(ctx, options.expire, flags, command, now);
    if (at === undefined) return;
    expireAt = at;
  }
  // A plain SET needs nothing from the old key (the batch itself accounts for whatever was there).
  const needsOld = flags & (Flag.NX | Flag.XX | Flag.GET | Flag.KEEPTTL);
  // Only the GET option reads the key as Redis counts reads (getGenericCommand); NX, XX, KEEPTTL look it up
  // for the write.
  const { keyspace } = ctx.server;
  const old =
    flags & Flag.GET
      ? keyspace.read(ctx.client.db, key, now)
      : needsOld
        ? keyspace.lookup(ctx.client.db, key, now)
        : undefined;
  if (flags & Flag.GET) {
    if (old !== undefined && old.type !== KeyType.String) return ctx.reply.error(WRONGTYPE);
    if (old === undefined) ctx.reply.null();
    else ctx.reply.bulk(old.value);
  }
  if ((flags & Flag.NX && old !== undefined) || (flags & Flag.XX && old === undefined)) {
    if (!(flags & Flag.GET)) ctx.reply.null();
    return;
  }
  if (flags & Flag.KEEPTTL && old !== undefined) expireAt = old.expireAt;
  writeString(ctx, key, value, expireAt, StringEncoding.Auto, now);
  if (!(flags & Flag.GET)) ctx.reply.simple('OK');
}

function set(ctx: CommandContext, argv: Argv): void {
  const options = parseOptions(ctx, argv, 3, true);
  if (options !== undefined) setGeneric(ctx, 'set', argv[1]!, argv[2]!, options);
}

function setnx(ctx: CommandContext, argv: Argv): void {
  const now = Date.now();
  if (ctx.server.keyspace.lookup(ctx.client.db, argv[1]!, now) !== undefined) return ctx.reply.integer(0);
  writeString(ctx, argv[1]!, argv[2]!, 0, StringEncoding.Auto);
  ctx.reply.integer(1);
}

function setex(ctx: CommandContext, argv: Argv): void {
  setGeneric(ctx, 'setex', argv[1]!, argv[3]!, { flags: Flag.EX, expire: argv[2]! });
}

function psetex(ctx: CommandContext, argv: Argv): void {
  setGeneric(ctx, 'psetex', argv[1]!, argv[3]!, { flags: Flag.PX, expire: argv[2]! });
}

function getset(ctx: CommandContext, argv: Argv): void {
  setGeneric(ctx, 'getset', argv[1]!, argv[2]!, { flags: Flag.GET });
}

function getdel(ctx: CommandContext, argv: Argv): void {
  const meta = readString(ctx, argv[1]!, Date.now());
  if (meta === null) return;
  if (meta === undefined) return ctx.reply.null();
  ctx.reply.bulk(meta.value);
  const batch = ctx.server.keyspace.batch();
  batch.delete(ctx.client.db, argv[1]!);
  batch.commit();
}

function getex(ctx: CommandContext, argv: Argv): void {
  const options = parseOptions(ctx, argv, 2, false);
  if (options === undefined) return;
  const now = Date.now();
  const meta = readString(ctx, argv[1]!, now);
  if (meta === null) return;
  if (meta === undefined) return ctx.reply.null();
  let expireAt = meta.expireAt;
  if (options.expire !== undefined) {
    const at = expireAtOrReply(ctx, options.expire, options.flags, 'getex', now);
    if (at === undefined) return;
    expireAt = at;
  } else if (options.flags & Flag.PERSIST) {
    expireAt = 0;
  }
  ctx.reply.bulk(meta.value);
  if (expireAt === meta.expireAt) return;
  const batch = ctx.server.keyspace.batch();
  // An absolute time already past deletes the key, as Redis's checkAlreadyExpired.
  if (expireAt !== 0 && expireAt <= now) batch.delete(ctx.client.db, argv[1]!);
  else batch.set(ctx.client.db, argv[1]!, { ...meta, expireAt });
  batch.commit();
}

function mget(ctx: CommandContext, argv: Argv): void {
  const now = Date.now();
  ctx.reply.array(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const meta = ctx.server.keyspace.read(ctx.client.db, argv[i]!, now);
    if (meta === undefined || meta.type !== KeyType.String) ctx.reply.null();
    else ctx.reply.bulk(meta.value);
  }
}

function msetGeneric(ctx: CommandContext, argv: Argv, onlyIfNoneExists: boolean): void {
  if (argv.length % 2 === 0) return ctx.reply.error(wrongArity(onlyIfNoneExists ? 'msetnx' : 'mset'));
  const db = ctx.client.db;
  const now = Date.now();
  if (onlyIfNoneExists) {
    for (let i = 1; i < argv.length; i += 2) {
      if (ctx.server.keyspace.lookup(db, argv[i]!, now) !== undefined) return ctx.reply.integer(0);
    }
  }
  const batch = ctx.server.keyspace.batch();
  for (let i = 1; i < argv.length; i += 2) batch.set(db, argv[i]!, stringMeta(argv[i + 1]!));
  batch.commit();
  if (onlyIfNoneExists) ctx.reply.integer(1);
  else ctx.reply.simple('OK');
}

const mset = (ctx: CommandContext, argv: Argv): void => msetGeneric(ctx, argv, false);
const msetnx = (ctx: CommandContext, argv: Argv): void => msetGeneric(ctx, argv, true);

/** INCR/DECR/INCRBY/DECRBY: 64-bit arithmetic with Redis's overflow check; the TTL is kept. */
function incrBy(ctx: CommandContext, key: Buffer, increment: bigint): void {
  const now = Date.now();
  const meta = readString(ctx, key, now, true);
  if (meta === null) return;
  const current = meta === undefined ? 0n : parseI64(meta.value);
  if (current === undefined) return ctx.reply.error(NOT_INTEGER);
  const result = current + increment;
  if (result > I64_MAX || result < I64_MIN) return ctx.reply.error(OVERFLOW);
  writeString(ctx, key, Buffer.from(result.toString()), meta?.expireAt ?? 0, StringEncoding.Auto);
  ctx.reply.integer(result);
}

/** The integer argument `arg`, or undefined once NOT_INTEGER is replied. */
export function integerArg(ctx: CommandContext, arg: Buffer): bigint | undefined {
  const n = parseI64(arg);
  if (n === undefined) ctx.reply.error(NOT_INTEGER);
  return n;
}

const incr = (ctx: CommandContext, argv: Argv): void => incrBy(ctx, argv[1]!, 1n);
const decr = (ctx: CommandContext, argv: Argv): void => incrBy(ctx, argv[1]!, -1n);

function incrby(ctx: CommandContext, argv: Argv): void {
  const n = integerArg(ctx, argv[2]!);
  if (n !== undefined) incrBy(ctx, argv[1]!, n);
}

function decrby(ctx: CommandContext, argv: Argv): void {
  const n = integerArg(ctx, argv[2]!);
  if (n === undefined) return;
  if (n === I64_MIN) return ctx.reply.error('ERR decrement would overflow');
  incrBy(ctx, argv[1]!, -n);
}

const ZERO = { negative: false, mantissa: 0n, exponent: 0 };

function incrbyfloat(ctx: CommandContext, argv: Argv): void {
  const now = Date.now();
  const meta = readString(ctx, argv[1]!, now, true);
  if (meta === null) return;
  const current = meta === undefined ? ZERO : parseLongDouble(meta.value);
  const increment = parseLongDouble(argv[2]!);
  if (current === undefined || increment === undefined) return ctx.reply.error(NOT_FLOAT);
  if (current === 'infinite' || increment === 'infinite') return ctx.reply.error(NAN_OR_INFINITY);
  const sum = addLongDoubles(current, increment);
  if (isInfinite(sum)) return ctx.reply.error(NAN_OR_INFINITY);
  const text = formatLongDouble(sum);
  writeString(ctx, argv[1]!, Buffer.from(text), meta?.expireAt ?? 0, StringEncoding.NoInt);
  ctx.reply.bulk(text);
}

function append(ctx: CommandContext, argv: Argv): void {
  const now = Date.now();
  const meta = readString(ctx, argv[1]!, now, true);
  if (meta === null) return;
  if (meta === undefined) {
    writeString(ctx, argv[1]!, argv[2]!, 0, StringEncoding.Auto);
    return ctx.reply.integer(argv[2]!.length);
  }
  const length = meta.value.length + argv[2]!.length;
  if (length > ctx.server.config.protoMaxBulkLen) return ctx.reply.error(TOO_BIG);
  writeString(ctx, argv[1]!, Buffer.concat([meta.value, argv[2]!], length), meta.expireAt, StringEncoding.Raw);
  ctx.reply.integer(length);
}

function strlen(ctx: CommandContext, argv: Argv): void {
  const meta = readString(ctx, argv[1]!, Date.now());
  if (meta !== null) ctx.reply.integer(meta === undefined ? 0 : meta.value.length);
}

/** GETRANGE and SUBSTR, with Redis's index rules (negative from the end, clamped, empty when crossed). */
function getrange(ctx: CommandContext, argv: Argv): void {
  const startArg = integerArg(ctx, argv[2]!);
  if (startArg === undefined) return;
  const endArg = integerArg(ctx, argv[3]!);
  if (endArg === undefined) return;
  const meta = readString(ctx, argv[1]!, Date.now());
  if (meta === null) return;
  if (meta === undefined) return ctx.reply.bulk('');
  const length = BigInt(meta.value.length);
  let start = startArg;
  let end = endArg;
  if (start < 0n && end < 0n && start > end) return ctx.reply.bulk('');
  if (start < 0n) start += length;
  if (end < 0n) end += length;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= length) end = length - 1n;
  if (start > end || length === 0n) return ctx.reply.bulk('');
  ctx.reply.bulk(meta.value.subarray(Number(start), Number(end) + 1));
}

function setrange(ctx: CommandContext, argv: Argv): void {
  const offsetArg = integerArg(ctx, argv[2]!);
  if (offsetArg === undefined) return;
  if (offsetArg < 0n) return ctx.reply.error('ERR offset is out of range');
  const value = argv[3]!;
  const meta = readString(ctx, argv[1]!, Date.now(), true);
  if (meta === null) return;
  if (value.length === 0) return ctx.reply.integer(meta === undefined ? 0 : meta.value.length);
  if (offsetArg + BigInt(value.length) > BigInt(ctx.server.config.protoMaxBulkLen)) return ctx.reply.error(TOO_BIG);
  const offset = Number(offsetArg);
  const old = meta?.value ?? new Uint8Array(0);
  const length = Math.max(old.length, offset + value.length);
  const out = Buffer.alloc(length); // zero padding between the old end and the offset
  out.set(old, 0);
  out.set(value, offset);
  writeString(ctx, argv[1]!, out, meta?.expireAt ?? 0, StringEncoding.Raw);
  ctx.reply.integer(length);
}

const substr = getrange;

/** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: Redis 7.0's dynamic programming over the two
 *  strings (a missing key is empty), walked back from the end to build the common subsequence and, with IDX,
 *  its matching ranges from the last to the first. */
function lcs(ctx: CommandContext, argv: Argv): void {
  const { keyspace } = ctx.server;
  const now = Date.now();
  const metas = [keyspace.read(ctx.client.db, argv[1]!, now), keyspace.read(ctx.client.db, argv[2]!, now)];
  if (metas.some((m) => m !== undefined && m.type !== KeyType.String)) {
    return ctx.reply.error('ERR The specified keys must contain string values');
  }
  const [a, b] = metas.map((m) => m?.value ?? new Uint8Array(0)) as [Uint8Array, Uint8Array];
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0n;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toString('latin1').toLowerCase();
    if (opt === 'idx') getIdx = true;
    else if (opt === 'len') getLen = true;
    else if (opt === 'withmatchlen') withMatchLen = true;
    else if (opt === 'minmatchlen' && j + 1 < argv.length) {
      const n = integerArg(ctx, argv[++j]!);
      if (n === undefined) return;
      minMatchLen = n < 0n ? 0n : n;
    } else return ctx.reply.error(SYNTAX);
  }
  if (getIdx && getLen) return ctx.reply.error('ERR If you want both the length and indexes, please just use IDX.');
  const width = b.length + 1;
  if ((a.length + 1) * width * 4 > ctx.server.config.protoMaxBulkLen) {
    return ctx.reply.error('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  }
  // table[i * width + j]: the LCS length of a[0..i) and b[0..j).
  const table = new Uint32Array((a.length + 1) * width);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      table[i * width + j] =
        a[i - 1] === b[j - 1] ? table[(i - 1) * width + j - 1]! + 1 : Math.max(table[(i - 1) * width + j]!, table[i * width + j - 1]!);
    }
  }
  const length = table[a.length * width + b.length]!;
  if (getLen) return ctx.reply.integer(length);
  const result = Buffer.alloc(length);
  const ranges: number[][] = [];
  let idx = length;
  let i = a.length;
  let j = b.length;
  // The range of matches being grown backwards (aStart === -1: none yet).
  let aStart = -1;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[--idx] = a[i - 1]!;
      if (aStart === -1) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      // A match with the first byte of either string ends the walk: emit what is held.
      if (aStart === 0 || bStart === 0) emit = true;
      i--;
      j--;
    } else {
      if (table[(i - 1) * width + j]! > table[i * width + j - 1]!) i--;
      else j--;
      if (aStart !== -1) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (minMatchLen === 0n || BigInt(matchLen) >= minMatchLen) {
        ranges.push(withMatchLen ? [aStart, aEnd, bStart, bEnd, matchLen] : [aStart, aEnd, bStart, bEnd]);
      }
      aStart = -1;
    }
  }
  if (!getIdx) return ctx.reply.bulk(result);
  ctx.reply.map(2);
  ctx.reply.bulk('matches');
  ctx.reply.array(ranges.length);
  for (const range of ranges) {
    ctx.reply.array(range.length === 5 ? 3 : 2);
    ctx.reply.array(2);
    ctx.reply.integer(range[0]!);
    ctx.reply.integer(range[1]!);
    ctx.reply.array(2);
    ctx.reply.integer(range[2]!);
    ctx.reply.integer(range[3]!);
    if (range.length === 5) ctx.reply.integer(range[4]!);
  }
  ctx.reply.bulk('len');
  ctx.reply.integer(length);
}

export const stringCommands: CommandSpec[] = [
  {
    name: 'set',
    arity: -3,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'string',
    since: '1.0.0',
    summary: 'Set the string value of a key',
    complexity: 'O(1)',
    handler: set,
  },
  {
    name: 'setnx',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'string',
    since: '1.0.0',
    summary: 'Set the value of a key, only if the key does not exist',
    complexity: 'O(1)',
    handler: setnx,
  },
  {
    name: 'setex',
    arity: 4,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'string',
    since: '2.0.0',
    summary: 'Set the value and expiration of a key',
    complexity: 'O(1)',
    handler: setex,
  },
  {
    name: 'psetex',
    arity: 4,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'string',
    since: '2.6.0',
    summary: 'Set the value and expiration in milliseconds of a key',
    complexity: 'O(1)',
    handler: psetex,
  },
  {
    name: 'getset',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'string',
    since: '1.0.0',
    summary: 'Set the string value of a key and return its old value',
    complexity: 'O(1)',
    handler: getset,
  },
  {
    name: 'getdel',
    arity: 2,
    flags: ['write', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'string',
    since: '6.2.0',
    summary: 'Get the value of a key and delete the key',
    complexity: 'O(1)',
    handler: getdel,
  },
  {
    name: 'getex',
    arity: -2,
    flags: ['write', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'string',
    since: '6.2.0',
    summary: 'Get the value of a key and optionally set its expiration',
    complexity: 'O(1)',
    handler: getex,
  },
  {
    name: 'mget',
    arity: -2,
    flags: ['readonly', 'fast'],
    firstKey: 1,
    lastKey: -1,
    step: 1,
    group: 'string',
    since: '1.0.0',
    summary: 'Get the values of all the given keys',
    complexity: 'O(N) where N is the number of keys to retrieve.',
    handler: mget,
  },
  {
    name: 'mset',
    arity: -3,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: -1,
    step: 2,
    group: 'string',
    since: '1.0.1',
    summary: 'Set multiple keys to multiple values',
    complexity: 'O(N) where N is the number of keys to set.',
    handler: mset,
  },
  {
    name: 'msetnx',
    arity: -3,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: -1,
    step: 2,
    group: 'string',
    since: '1.0.1',
    summary: 'Set multiple keys to multiple values, only if none of the keys exist',
    complexity: 'O(N) where N is the number of keys to set.',
    handler: msetnx,
  },
  {
    name: 'incr',
    arity: 2,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'string',
    since: '1.0.0',
    summary: 'Increment the integer value of a key by one',
    complexity: 'O(1)',
    handler: incr,
  },
  {
    name: 'decr',
    arity: 2,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'string',
    since: '1.0.0',
    summary: 'Decrement the integer value of a key by one',
    complexity: 'O(1)',
    handler: decr,
  },
  {
    name: 'incrby',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'string',
    since: '1.0.0',
    summary: 'Increment the integer value of a key by the given amount',
    complexity: 'O(1)',
    handler: incrby,
  },
  {
    name: 'decrby',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'string',
    since: '1.0.0',
    summary: 'Decrement the integer value of a key by the given number',
    complexity: 'O(1)',
    handler: decrby,
  },
  {
    name: 'incrbyfloat',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'string',
    since: '2.6.0',
    summary: 'Increment the float value of a key by the given amount',
    complexity: 'O(1)',
    handler: incrbyfloat,
  },
  {
    name: 'append',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'string',
    since: '2.0.0',
    summary: 'Append a value to a key',
    complexity: 'O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.',
    handler: append,
  },
  {
    name: 'strlen',
    arity: 2,
    flags: ['readonly', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'string',
    since: '2.2.0',
    summary: 'Get the length of the value stored in a key',
    complexity: 'O(1)',
    handler: strlen,
  },
  {
    name: 'getrange',
    arity: 4,
    flags: ['readonly'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'string',
    since: '2.4.0',
    summary: 'Get a substring of the string stored at a key',
    complexity: 'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.',
    handler: getrange,
  },
  {
    name: 'setrange',
    arity: 4,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'string',
    since: '2.2.0',
    summary: 'Overwrite part of a string at key starting at the specified offset',
    complexity: 'O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.',
    handler: setrange,
  },
  {
    name: 'lcs',
    arity: -3,
    flags: ['readonly'],
    firstKey: 1,
    lastKey: 2,
    step: 1,
    group: 'string',
    since: '7.0.0',
    summary: 'Find longest common substring',
    complexity: 'O(N*M) where N and M are the lengths of s1 and s2, respectively',
    handler: lcs,
  },
  {
    name: 'substr',
    arity: 4,
    flags: ['readonly'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'string',
    since: '1.0.0',
    summary: 'Get a substring of the string stored at a key',
    complexity: 'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.',
    handler: substr,
  },
  {
    name: 'get',
    arity: 2,
    flags: ['readonly', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'string',
    since: '1.0.0',
    summary: 'Get the value of a key',
    complexity: 'O(1)',
    handler: get,
  },
];
