// Expiry commands (Redis's expire.c): setting, reading and removing a key's time to live.

import type { CommandContext, CommandSpec } from '../command.js';
import { I64_MAX, I64_MIN, parseI64 } from '../types/numbers.js';
import { NOT_INTEGER, invalidExpireTime } from '../types/errors.js';

type Argv = Buffer[];

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;

/** EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT: `seconds` for the unit, `relative` to add the current time. */
function expireGeneric(ctx: CommandContext, argv: Argv, seconds: boolean, relative: boolean): void {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toString('latin1').toLowerCase();
    if (opt === 'nx') flags |= NX;
    else if (opt === 'xx') flags |= XX;
    else if (opt === 'gt') flags |= GT;
    else if (opt === 'lt') flags |= LT;
    else return ctx.reply.error(`ERR Unsupported option ${argv[j]!.toString()}`);
  }
  if (flags & NX && flags & (XX | GT | LT)) {
    return ctx.reply.error('ERR NX and XX, GT or LT options at the same time are not compatible');
  }
  if (flags & GT && flags & LT) return ctx.reply.error('ERR GT and LT options at the same time are not compatible');
  let when = parseI64(argv[2]!);
  if (when === undefined) return ctx.reply.error(NOT_INTEGER);
  const command = argv[0]!.toString('latin1').toLowerCase();
  const now = Date.now();
  if (seconds) {
    if (when > I64_MAX / 1000n || when < I64_MIN / 1000n) return ctx.reply.error(invalidExpireTime(command));
    when *= 1000n;
  }
  const base = relative ? BigInt(now) : 0n;
  if (when > I64_MAX - base) return ctx.reply.error(invalidExpireTime(command));
  when += base;

  const { keyspace } = ctx.server;
  const db = ctx.client.db;
  const key = argv[1]!;
  const meta = keyspace.lookup(db, key, now);
  if (meta === undefined) return ctx.reply.integer(0);
  const current = meta.expireAt === 0 ? undefined : BigInt(meta.expireAt);
  if (
    (flags & NX && current !== undefined) ||
    (flags & XX && current === undefined) ||
    // No TTL counts as infinite: GT never beats it, LT always does.
    (flags & GT && (current === undefined || when <= current)) ||
    (flags & LT && current !== undefined && when >= current)
  ) {
    return ctx.reply.integer(0);
  }
  const batch = keyspace.batch();
  if (when <= BigInt(now)) batch.delete(db, key);
  else batch.set(db, key, { ...meta, expireAt: Number(when) });
  batch.commit();
  ctx.reply.integer(1);
}

const expire = (ctx: CommandContext, argv: Argv): void => expireGeneric(ctx, argv, true, true);
const pexpire = (ctx: CommandContext, argv: Argv): void => expireGeneric(ctx, argv, false, true);
const expireat = (ctx: CommandContext, argv: Argv): void => expireGeneric(ctx, argv, true, false);
const pexpireat = (ctx: CommandContext, argv: Argv): void => expireGeneric(ctx, argv, false, false);

/** TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 for no key, -1 for no expiry. */
function ttlGeneric(ctx: CommandContext, argv: Argv, seconds: boolean, absolute: boolean): void {
  const now = Date.now();
  const meta = ctx.server.keyspace.read(ctx.client.db, argv[1]!, now, true);
  if (meta === undefined) return ctx.reply.integer(-2);
  if (meta.expireAt === 0) return ctx.reply.integer(-1);
  if (absolute) return ctx.reply.integer(seconds ? Math.floor(meta.expireAt / 1000) : meta.expireAt);
  const ms = Math.max(0, meta.expireAt - now);
  ctx.reply.integer(seconds ? Math.floor((ms + 500) / 1000) : ms);
}

const ttl = (ctx: CommandContext, argv: Argv): void => ttlGeneric(ctx, argv, true, false);
const pttl = (ctx: CommandContext, argv: Argv): void => ttlGeneric(ctx, argv, false, false);
const expiretime = (ctx: CommandContext, argv: Argv): void => ttlGeneric(ctx, argv, true, true);
const pexpiretime = (ctx: CommandContext, argv: Argv): void => ttlGeneric(ctx, argv, false, true);

function persist(ctx: CommandContext, argv: Argv): void {
  const { keyspace } = ctx.server;
  const meta = keyspace.lookup(ctx.client.db, argv[1]!, Date.now());
  if (meta === undefined || meta.expireAt === 0) return ctx.reply.integer(0);
  const batch = keyspace.batch();
  batch.set(ctx.client.db, argv[1]!, { ...meta, expireAt: 0 });
  batch.commit();
  ctx.reply.integer(1);
}

export const expireCommands: CommandSpec[] = [
  {
    name: 'expire',
    arity: -3,
    flags: ['write', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'generic',
    since: '1.0.0',
    summary: "Set a key's time to live in seconds",
    complexity: 'O(1)',
    handler: expire,
  },
  {
    name: 'pexpire',
    arity: -3,
    flags: ['write', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'generic',
    since: '2.6.0',
    summary: "Set a key's time to live in milliseconds",
    complexity: 'O(1)',
    handler: pexpire,
  },
  {
    name: 'expireat',
    arity: -3,
    flags: ['write', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'generic',
    since: '1.2.0',
    summary: 'Set the expiration for a key as a UNIX timestamp',
    complexity: 'O(1)',
    handler: expireat,
  },
  {
    name: 'pexpireat',
    arity: -3,
    flags: ['write', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'generic',
    since: '2.6.0',
    summary: 'Set the expiration for a key as a UNIX timestamp specified in milliseconds',
    complexity: 'O(1)',
    handler: pexpireat,
  },
  {
    name: 'ttl',
    arity: 2,
    flags: ['readonly', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'generic',
    since: '1.0.0',
    summary: 'Get the time to live for a key in seconds',
    complexity: 'O(1)',
    handler: ttl,
  },
  {
    name: 'pttl',
    arity: 2,
    flags: ['readonly', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'generic',
    since: '2.6.0',
    summary: 'Get the time to live for a key in milliseconds',
    complexity: 'O(1)',
    handler: pttl,
  },
  {
    name: 'expiretime',
    arity: 2,
    flags: ['readonly', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'generic',
    since: '7.0.0',
    summary: 'Get the expiration Unix timestamp for a key',
    complexity: 'O(1)',
    handler: expiretime,
  },
  {
    name: 'pexpiretime',
    arity: 2,
    flags: ['readonly', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'generic',
    since: '7.0.0',
    summary: 'Get the expiration Unix timestamp for a key in milliseconds',
    complexity: 'O(1)',
    handler: pexpiretime,
  },
  {
    name: 'persist',
    arity: 2,
    flags: ['write', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'generic',
    since: '2.2.0',
    summary: 'Remove the expiration from a key',
    complexity: 'O(1)',
    handler: persist,
  },
];
