// Bitmap commands (Redis's bitops.c) on string values: GETBIT SETBIT BITCOUNT BITPOS BITOP BITFIELD
// BITFIELD_RO. Bit 0 is the most significant bit of the first byte; a missing key reads as an empty string
// (all zero bits).

import type { CommandContext, CommandSpec } from '../command.js';
import { NOT_INTEGER, SYNTAX } from '../types/errors.js';
import { StringEncoding } from '../types/layout.js';
import { parseI64 } from '../types/numbers.js';
import { integerArg, readString, writeString } from './strings.js';

type Argv = Buffer[];

const BAD_OFFSET = 'ERR bit offset is not an integer or out of range';
const BAD_BIT = 'ERR bit is not an integer or out of range';

/** Set bits per byte value. */
const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let v = b; v !== 0; v >>= 1) n += v & 1;
  return n;
});

/** A bit offset argument (Redis's getBitOffsetFromArgument): from 0 to 8 × proto-max-bulk-len - 1. With
 *  `width` (BITFIELD), `#N` stands for N × width. */
function bitOffset(ctx: CommandContext, arg: Buffer, width = 0): number | undefined {
  const hash = width > 0 && arg[0] === 0x23; // '#'
  let offset = parseI64(hash ? arg.subarray(1) : arg);
  if (offset !== undefined && hash) offset *= BigInt(width);
  if (offset === undefined || offset < 0n || offset >> 3n >= BigInt(ctx.server.config.protoMaxBulkLen)) {
    ctx.reply.error(BAD_OFFSET);
    return undefined;
  }
  return Number(offset);
}

const bitAt = (value: Uint8Array, bit: number): number => (value[bit >> 3]! >> (7 - (bit & 7))) & 1;

function getbit(ctx: CommandContext, argv: Argv): void {
  const offset = bitOffset(ctx, argv[2]!);
  if (offset === undefined) return;
  const meta = readString(ctx, argv[1]!, Date.now());
  if (meta === null) return;
  ctx.reply.integer(meta !== undefined && offset >> 3 < meta.value.length ? bitAt(meta.value, offset) : 0);
}

function setbit(ctx: CommandContext, argv: Argv): void {
  const offset = bitOffset(ctx, argv[2]!);
  if (offset === undefined) return;
  const on = parseI64(argv[3]!);
  if (on !== 0n && on !== 1n) return ctx.reply.error(BAD_BIT);
  const now = Date.now();
  const meta = readString(ctx, argv[1]!, now, true);
  if (meta === null) return;
  const old = meta?.value ?? new Uint8Array(0);
  const byte = offset >> 3;
  const was = byte < old.length ? bitAt(old, offset) : 0;
  // As Redis: the key is written when it is created, grows, or the bit changes.
  if (meta === undefined || byte >= old.length || was !== Number(on)) {
    const value = Buffer.alloc(Math.max(old.length, byte + 1)); // zero bits past the old end
    value.set(old, 0);
    const mask = 1 << (7 - (offset & 7));
    value[byte] = on === 1n ? value[byte]! | mask : value[byte]! & ~mask;
    writeString(ctx, argv[1]!, value, meta?.expireAt ?? 0, StringEncoding.Raw, now);
  }
  ctx.reply.integer(was);
}

/** A start/end pair over `length` bytes (or 8 × length bits when `bits`), Redis's rules: negative from the
 *  end, clamped; as a range of bits [first, last], empty when first > last. `end` undefined: to the end. */
function bitRange(length: number, start: bigint, end: bigint | undefined, bits: boolean): [number, number] {
  const total = BigInt(bits ? length * 8 : length);
  let s = start < 0n ? start + total : start;
  let e = end === undefined ? total - 1n : end < 0n ? end + total : end;
  if (s < 0n) s = 0n;
  if (e < 0n) e = 0n;
  if (e >= total) e = total - 1n;
  if (s > e) return [1, 0];
  return bits ? [Number(s), Number(e)] : [Number(s) * 8, Number(e) * 8 + 7];
}

/** BYTE or BIT (the unit of BITCOUNT's and BITPOS's range); undefined once a syntax error is replied. */
function unitIsBit(ctx: CommandContext, arg: Buffer | undefined): boolean | undefined {
  if (arg === undefined) return false;
  const unit = arg.toString('latin1').toLowerCase();
  if (unit === 'bit' || unit === 'byte') return unit === 'bit';
  ctx.reply.error(SYNTAX);
  return undefined;
}

/** Set bits of value among bits [first, last]. */
function countBits(value: Uint8Array, first: number, last: number): number {
  let count = 0;
  let bit = first;
  for (; bit <= last && (bit & 7) !== 0; bit++) count += bitAt(value, bit);
  for (; bit + 7 <= last; bit += 8) count += POPCOUNT[value[bit >> 3]!]!;
  for (; bit <= last; bit++) count += bitAt(value, bit);
  return count;
}

function bitcount(ctx: CommandContext, argv: Argv): void {
  // As Redis: the key is looked up (a missing one counts 0) before the range is parsed.
  const meta = readString(ctx, argv[1]!, Date.now());
  if (meta === null) return;
  if (meta === undefined) return ctx.reply.integer(0);
  const value = meta.value;
  let range: [number, number];
  if (argv.length === 2) {
    range = [0, value.length * 8 - 1];
  } else if (argv.length === 4 || argv.length === 5) {
    const start = integerArg(ctx, argv[2]!);
    if (start === undefined) return;
    const end = integerArg(ctx, argv[3]!);
    if (end === undefined) return;
    if (start < 0n && end < 0n && start > end) return ctx.reply.integer(0);
    const bits = unitIsBit(ctx, argv[4]);
    if (bits === undefined) return;
    range = bitRange(value.length, start, end, bits);
  } else {
    return ctx.reply.error(SYNTAX);
  }
  ctx.reply.integer(countBits(value, range[0], range[1]));
}

/** The first bit equal to `bit` among bits [first, last] of value, or -1. */
function findBit(value: Uint8Array, bit: number, first: number, last: number): number {
  let at = first;
  for (; at <= last && (at & 7) !== 0; at++) if (bitAt(value, at) === bit) return at;
  const skip = bit === 1 ? 0x00 : 0xff;
  for (; at + 7 <= last; at += 8) {
    if (value[at >> 3] !== skip) break;
  }
  for (; at <= last; at++) if (bitAt(value, at) === bit) return at;
  return -1;
}

function bitpos(ctx: CommandContext, argv: Argv): void {
  const bit = parseI64(argv[2]!);
  if (bit === undefined) return ctx.reply.error(NOT_INTEGER);
  if (bit !== 0n && bit !== 1n) return ctx.reply.error('ERR The bit argument must be 1 or 0.');
  const meta = readString(ctx, argv[1]!, Date.now());
  if (meta === null) return;
  // A missing key is an endless run of zero bits.
  if (meta === undefined) return ctx.reply.integer(bit === 1n ? -1 : 0);
  const value = meta.value;
  if (argv.length > 6) return ctx.reply.error(SYNTAX);
  let start = 0n;
  let end: bigint | undefined;
  let bits = false;
  if (argv.length >= 4) {
    const s = integerArg(ctx, argv[3]!);
    if (s === undefined) return;
    start = s;
    const unit = unitIsBit(ctx, argv[5]);
    if (unit === undefined) return;
    bits = unit;
    if (argv.length >= 5) {
      end = integerArg(ctx, argv[4]!);
      if (end === undefined) return;
    }
  }
  const [first, last] = bitRange(value.length, start, end, bits);
  if (first > last) return ctx.reply.integer(-1);
  const found = findBit(value, Number(bit), first, last);
  // No clear bit in the string: past its end the bits read as clear, unless the caller gave the end.
  if (found < 0 && bit === 0n && end === undefined) return ctx.reply.integer(last + 1);
  ctx.reply.integer(found);
}

function bitop(ctx: CommandContext, argv: Argv): void {
  const op = argv[1]!.toString('latin1').toLowerCase();
  if (op !== 'and' && op !== 'or' && op !== 'xor' && op !== 'not') return ctx.reply.error(SYNTAX);
  if (op === 'not' && argv.length !== 4) return ctx.reply.error('ERR BITOP NOT must be called with a single source key.');
  const now = Date.now();
  const { keyspace } = ctx.server;
  const sources: Uint8Array[] = [];
  let length = 0;
  for (const key of argv.slice(3)) {
    const meta = readString(ctx, key, now);
    if (meta === null) return;
    const value = meta?.value ?? new Uint8Array(0);
    sources.push(value);
    length = Math.max(length, value.length);
  }
  const dest = argv[2]!;
  if (length === 0) {
    const batch = keyspace.batch();
    batch.delete(ctx.client.db, dest);
    batch.commit();
    return ctx.reply.integer(0);
  }
  // Shorter sources are padded with zero bytes.
  const out = Buffer.alloc(length);
  out.set(sources[0]!, 0);
  if (op === 'not') {
    for (let i = 0; i < length; i++) out[i] = ~out[i]! & 0xff;
  } else {
    for (const source of sources.slice(1)) {
      for (let i = 0; i < length; i++) {
        const b = i < source.length ? source[i]! : 0;
        out[i] = op === 'and' ? out[i]! & b : op === 'or' ? out[i]! | b : out[i]! ^ b;
      }
    }
  }
  writeString(ctx, dest, out, 0, StringEncoding.Raw, now);
  ctx.reply.integer(length);
}

// ---- BITFIELD

const enum Overflow {
  Wrap,
  Sat,
  Fail,
}

interface FieldOp {
  op: 'get' | 'set' | 'incrby';
  signed: boolean;
  width: number;
  offset: number;
  /** SET's value or INCRBY's increment. */
  value: bigint;
  overflow: Overflow;
}

const BAD_TYPE = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

/** The `width` bits of value from bit `offset` on (most significant first), as a signed or unsigned integer. */
function readField(value: Uint8Array, offset: number, width: number, signed: boolean): bigint {
  let n = 0n;
  for (let i = 0; i < width; i++) {
    const bit = offset + i;
    n = (n << 1n) | BigInt(bit >> 3 < value.length ? bitAt(value, bit) : 0);
  }
  return signed ? BigInt.asIntN(width, n) : n;
}

function writeField(value: Uint8Array, offset: number, width: number, n: bigint): void {
  const bits = BigInt.asUintN(width, n);
  for (let i = 0; i < width; i++) {
    const bit = offset + i;
    const mask = 1 << (7 - (bit & 7));
    if ((bits >> BigInt(width - 1 - i)) & 1n) value[bit >> 3]! |= mask;
    else value[bit >> 3]! &= ~mask;
  }
}

const i64 = (n: bigint): bigint => BigInt.asIntN(64, n);

/** What a field of `op`'s type holds after `value` + `incr` (a SET: its value and 0; an INCRBY: the old value
 *  and the increment), or undefined when it overflows and the rule is FAIL. Redis's
 *  check{Signed,Unsigned}BitfieldOverflow, with its 64-bit arithmetic: its bounds on the increment wrap for
 *  values far outside the field (a SET of -2^63 into an i35 saturates to the maximum, as in Redis). */
function fit(value: bigint, incr: bigint, op: FieldOp): bigint | undefined {
  const { width, signed, overflow } = op;
  let up: boolean;
  let down: boolean;
  let max: bigint;
  let min: bigint;
  if (signed) {
    max = (1n << BigInt(width - 1)) - 1n;
    min = -max - 1n;
    const maxIncr = i64(max - value);
    const minIncr = i64(min - value);
    up = value > max || (width !== 64 && incr > maxIncr) || (value >= 0n && incr > 0n && incr > maxIncr);
    down = !up && (value < min || (width !== 64 && incr < minIncr) || (value < 0n && incr < 0n && incr < minIncr));
  } else {
    max = (1n << BigInt(width)) - 1n;
    min = 0n;
    up = value > max || (incr > 0n && incr > i64(max - value));
    down = !up && incr < 0n && incr < i64(-value);
  }
  if (!up && !down) return value + incr;
  if (overflow === Overflow.Fail) return undefined;
  if (overflow === Overflow.Sat) return up ? max : min;
  return signed ? BigInt.asIntN(width, value + incr) : BigInt.asUintN(width, value + incr);
}

/** BITFIELD and BITFIELD_RO: every subcommand is parsed (and any error replied) before the key is touched. */
function bitfieldCommand(readOnlyCommand: boolean) {
  return (ctx: CommandContext, argv: Argv): void => {
    const ops: FieldOp[] = [];
    let overflow = Overflow.Wrap;
    let highestBit = -1;
    for (let j = 2; j < argv.length; j++) {
      const left = argv.length - j - 1;
      const name = argv[j]!.toString('latin1').toLowerCase();
      if (name === 'overflow' && left >= 1) {
        const kind = argv[++j]!.toString('latin1').toLowerCase();
        if (kind === 'wrap') overflow = Overflow.Wrap;
        else if (kind === 'sat') overflow = Overflow.Sat;
        else if (kind === 'fail') overflow = Overflow.Fail;
        else return ctx.reply.error('ERR Invalid OVERFLOW type specified');
        continue;
      }
      if (!((name === 'get' && left >= 2) || ((name === 'set' || name === 'incrby') && left >= 3))) return ctx.reply.error(SYNTAX);
      const type = /^([iu])([1-9]\d*)$/.exec(argv[j + 1]!.toString('latin1'));
      const signed = type?.[1] === 'i';
      const width = type ? Number(type[2]) : 0;
      if (!type || width < 1 || width > (signed ? 64 : 63)) return ctx.reply.error(BAD_TYPE);
      const offset = bitOffset(ctx, argv[j + 2]!, width);
      if (offset === undefined) return;
      let value = 0n;
      if (name !== 'get') {
        highestBit = Math.max(highestBit, offset + width - 1);
        const parsed = integerArg(ctx, argv[j + 3]!);
        if (parsed === undefined) return;
        value = parsed;
      }
      ops.push({ op: name as FieldOp['op'], signed, width, offset, value, overflow });
      j += name === 'get' ? 2 : 3;
    }
    const now = Date.now();
    if (highestBit >= 0 && readOnlyCommand) return ctx.reply.error('ERR BITFIELD_RO only supports the GET subcommand');
    const meta = readString(ctx, argv[1]!, now, highestBit >= 0);
    if (meta === null) return;
    let value: Uint8Array = meta?.value ?? new Uint8Array(0);
    if (highestBit >= 0) {
      // As Redis, the string grows to the farthest bit a SET or INCRBY reaches before any of them runs (even
      // one that fails).
      const grown = Buffer.alloc(Math.max(value.length, (highestBit >> 3) + 1));
      grown.set(value, 0);
      value = grown;
    }
    ctx.reply.array(ops.length);
    for (const op of ops) {
      const old = readField(value, op.offset, op.width, op.signed);
      if (op.op === 'get') {
        ctx.reply.integer(old);
        continue;
      }
      // An unsigned field's SET value is taken as the 64-bit unsigned number of its bits, as Redis takes it.
      const next = op.op === 'set' ? fit(op.signed ? op.value : BigInt.asUintN(64, op.value), 0n, op) : fit(old, op.value, op);
      if (next === undefined) {
        ctx.reply.null();
        continue;
      }
      writeField(value, op.offset, op.width, next);
      ctx.reply.integer(op.op === 'set' ? old : next);
    }
    if (highestBit >= 0) writeString(ctx, argv[1]!, value, meta?.expireAt ?? 0, StringEncoding.Raw, now);
  };
}

const key1 = { firstKey: 1, lastKey: 1, step: 1, group: 'bitmap' } as const;

export const bitCommands: CommandSpec[] = [
  {
    name: 'getbit',
    arity: 3,
    flags: ['readonly', 'fast'],
    ...key1,
    since: '2.2.0',
    summary: 'Returns the bit value at offset in the string value stored at key',
    complexity: 'O(1)',
    handler: getbit,
  },
  {
    name: 'setbit',
    arity: 4,
    flags: ['write', 'denyoom'],
    ...key1,
    since: '2.2.0',
    summary: 'Sets or clears the bit at offset in the string value stored at key',
    complexity: 'O(1)',
    handler: setbit,
  },
  {
    name: 'bitcount',
    arity: -2,
    flags: ['readonly'],
    ...key1,
    since: '2.6.0',
    summary: 'Count set bits in a string',
    complexity: 'O(N)',
    handler: bitcount,
  },
  {
    name: 'bitpos',
    arity: -3,
    flags: ['readonly'],
    ...key1,
    since: '2.8.7',
    summary: 'Find first bit set or clear in a string',
    complexity: 'O(N)',
    handler: bitpos,
  },
  {
    name: 'bitop',
    arity: -4,
    flags: ['write', 'denyoom'],
    firstKey: 2,
    lastKey: -1,
    step: 1,
    group: 'bitmap',
    since: '2.6.0',
    summary: 'Perform bitwise operations between strings',
    complexity: 'O(N)',
    handler: bitop,
  },
  {
    name: 'bitfield',
    arity: -2,
    flags: ['write', 'denyoom'],
    ...key1,
    since: '3.2.0',
    summary: 'Perform arbitrary bitfield integer operations on strings',
    complexity: 'O(1) for each subcommand specified',
    handler: bitfieldCommand(false),
  },
  {
    name: 'bitfield_ro',
    arity: -2,
    flags: ['readonly', 'fast'],
    ...key1,
    since: '6.0.0',
    summary: 'Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD',
    complexity: 'O(1) for each subcommand specified',
    handler: bitfieldCommand(true),
  },
];
