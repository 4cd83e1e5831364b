// Database commands: choosing, swapping, flushing and counting the numbered databases, and MOVE between them.
// FLUSHDB, FLUSHALL and SWAPDB are O(1) whatever the db size (see Keyspace and FORMAT.md).

import type { CommandContext, CommandSpec } from '../command.js';
import { parseI32 } from '../types/numbers.js';
import { DB_OUT_OF_RANGE, NOT_INTEGER, SAME_OBJECT, SYNTAX } from '../types/errors.js';

type Argv = Buffer[];

/** A DB index argument read with `parse` (Redis reads some as int, some as long) and range-checked; undefined
 *  once an error is replied. */
export function dbIndexOrReply(
  ctx: CommandContext,
  arg: Buffer,
  parse: (bytes: Uint8Array) => number | bigint | undefined,
  notInteger = NOT_INTEGER,
): number | undefined {
  const n = parse(arg);
  if (n === undefined) {
    ctx.reply.error(notInteger);
    return undefined;
  }
  if (n < 0 || n >= ctx.server.keyspace.databases) {
    ctx.reply.error(DB_OUT_OF_RANGE);
    return undefined;
  }
  return Number(n);
}

function select(ctx: CommandContext, argv: Argv): void {
  const db = dbIndexOrReply(ctx, argv[1]!, parseI32);
  if (db === undefined) return;
  ctx.client.db = db;
  ctx.reply.simple('OK');
}

function swapdb(ctx: CommandContext, argv: Argv): void {
  const a = parseI32(argv[1]!);
  if (a === undefined) return ctx.reply.error('ERR invalid first DB index');
  const b = parseI32(argv[2]!);
  if (b === undefined) return ctx.reply.error('ERR invalid second DB index');
  const { databases } = ctx.server.keyspace;
  if (a < 0 || a >= databases || b < 0 || b >= databases) return ctx.reply.error(DB_OUT_OF_RANGE);
  ctx.server.keyspace.swapdb(a, b);
  ctx.reply.simple('OK');
}

function move(ctx: CommandContext, argv: Argv): void {
  const dst = dbIndexOrReply(ctx, argv[2]!, parseI32);
  if (dst === undefined) return;
  const src = ctx.client.db;
  if (src === dst) return ctx.reply.error(SAME_OBJECT);
  const { keyspace } = ctx.server;
  const key = argv[1]!;
  const now = Date.now();
  const meta = keyspace.lookup(src, key, now);
  if (meta === undefined || keyspace.lookup(dst, key, now) !== undefined) return ctx.reply.integer(0);
  const batch = keyspace.batch();
  batch.set(dst, key, meta);
  batch.delete(src, key);
  batch.commit();
  ctx.reply.integer(1);
}

/** FLUSHDB/FLUSHALL [ASYNC|SYNC]: both are O(1) here; the old data is reclaimed in the background either way. */
function flushOptionOk(ctx: CommandContext, argv: Argv): boolean {
  if (argv.length === 1) return true;
  const opt = argv[1]!.toString('latin1').toLowerCase();
  if (argv.length === 2 && (opt === 'async' || opt === 'sync')) return true;
  ctx.reply.error(SYNTAX);
  return false;
}

function flushdb(ctx: CommandContext, argv: Argv): void {
  if (!flushOptionOk(ctx, argv)) return;
  ctx.server.keyspace.flushdb(ctx.client.db);
  ctx.reply.simple('OK');
}

function flushall(ctx: CommandContext, argv: Argv): void {
  if (!flushOptionOk(ctx, argv)) return;
  ctx.server.keyspace.flushall();
  ctx.reply.simple('OK');
}

function dbsize(ctx: CommandContext): void {
  ctx.reply.integer(ctx.server.keyspace.dbsize(ctx.client.db));
}

export const databaseCommands: CommandSpec[] = [
  {
    name: 'select',
    arity: 2,
    flags: ['loading', 'stale', 'fast'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'connection',
    since: '1.0.0',
    summary: 'Change the selected database for the current connection',
    complexity: 'O(1)',
    handler: select,
  },
  {
    name: 'swapdb',
    arity: 3,
    flags: ['write', 'fast'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'server',
    since: '4.0.0',
    summary: 'Swaps two Redis databases',
    complexity: 'O(N) where N is the count of clients watching or blocking on keys from both databases.',
    handler: swapdb,
  },
  {
    name: 'move',
    arity: 3,
    flags: ['write', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'generic',
    since: '1.0.0',
    summary: 'Move a key to another database',
    complexity: 'O(1)',
    handler: move,
  },
  {
    name: 'flushdb',
    arity: -1,
    flags: ['write'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'server',
    since: '1.0.0',
    summary: 'Remove all keys from the current database',
    complexity: 'O(N) where N is the number of keys in the selected database',
    handler: flushdb,
  },
  {
    name: 'flushall',
    arity: -1,
    flags: ['write'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'server',
    since: '1.0.0',
    summary: 'Remove all keys from all databases',
    complexity: 'O(N) where N is the total number of keys in all databases',
    handler: flushall,
  },
  {
    name: 'dbsize',
    arity: 1,
    flags: ['readonly', 'fast'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'server',
    since: '1.0.0',
    summary: 'Return the number of keys in the selected database',
    complexity: 'O(1)',
    handler: dbsize,
  },
];
