// Generic key commands (Redis's db.c and object.c): existence, type, deletion, renaming, copying, listing.

import type { CommandContext, CommandSpec } from '../command.js';
import { globMatch, literalPrefix, matchesAll } from '../types/glob.js';
import { TYPE_NAMES, prefixEnd } from '../types/layout.js';
import { parseI64 } from '../types/numbers.js';
import { encodingName, refcount } from '../types/object-info.js';
import { NO_SUCH_KEY, SAME_OBJECT, SYNTAX } from '../types/errors.js';
import { dbIndexOrReply } from './databases.js';
import { recordedHelp } from './spec.js';

type Argv = Buffer[];

/** DEL and UNLINK: the number of live keys removed (all in one batch; a repeated key counts once). */
function del(ctx: CommandContext, argv: Argv): void {
  const { keyspace } = ctx.server;
  const db = ctx.client.db;
  const now = Date.now();
  const batch = keyspace.batch();
  let removed = 0;
  for (let i = 1; i < argv.length; i++) {
    if (keyspace.lookup(db, argv[i]!, now) !== undefined && batch.delete(db, argv[i]!)) removed++;
  }
  batch.commit();
  ctx.reply.integer(removed);
}

/** EXISTS and TOUCH (which also refreshes the access time): live keys among the arguments, a repeated key
 *  counted each time. */
function countLive(ctx: CommandContext, argv: Argv, touch: boolean): void {
  const now = Date.now();
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    if (ctx.server.keyspace.read(ctx.client.db, argv[i]!, now, !touch) !== undefined) n++;
  }
  ctx.reply.integer(n);
}

const exists = (ctx: CommandContext, argv: Argv): void => countLive(ctx, argv, false);
const touch = (ctx: CommandContext, argv: Argv): void => countLive(ctx, argv, true);

function type(ctx: CommandContext, argv: Argv): void {
  const meta = ctx.server.keyspace.read(ctx.client.db, argv[1]!, Date.now(), true);
  ctx.reply.simple(meta === undefined ? 'none' : TYPE_NAMES[meta.type]!);
}

/** RENAME and RENAMENX: the key and its TTL move in one batch, replacing the destination (RENAME). */
function renameGeneric(ctx: CommandContext, argv: Argv, nx: boolean): void {
  const { keyspace } = ctx.server;
  const db = ctx.client.db;
  const now = Date.now();
  const [src, dst] = [argv[1]!, argv[2]!];
  const meta = keyspace.lookup(db, src, now);
  if (meta === undefined) return ctx.reply.error(NO_SUCH_KEY);
  if (src.equals(dst)) return nx ? ctx.reply.integer(0) : ctx.reply.simple('OK');
  if (nx && keyspace.lookup(db, dst, now) !== undefined) return ctx.reply.integer(0);
  const batch = keyspace.batch();
  batch.delete(db, src);
  batch.set(db, dst, { ...meta, value: Buffer.from(meta.value) });
  batch.commit();
  if (nx) ctx.reply.integer(1);
  else ctx.reply.simple('OK');
}

const rename = (ctx: CommandContext, argv: Argv): void => renameGeneric(ctx, argv, false);
const renamenx = (ctx: CommandContext, argv: Argv): void => renameGeneric(ctx, argv, true);

function copy(ctx: CommandContext, argv: Argv): void {
  const { keyspace } = ctx.server;
  const srcDb = ctx.client.db;
  let dstDb = srcDb;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toString('latin1').toLowerCase();
    if (opt === 'replace') replace = true;
    else if (opt === 'db' && j + 1 < argv.length) {
      const n = dbIndexOrReply(ctx, argv[++j]!, parseI64);
      if (n === undefined) return;
      dstDb = n;
    } else return ctx.reply.error(SYNTAX);
  }
  const [src, dst] = [argv[1]!, argv[2]!];
  if (srcDb === dstDb && src.equals(dst)) return ctx.reply.error(SAME_OBJECT);
  const now = Date.now();
  const meta = keyspace.read(srcDb, src, now);
  if (meta === undefined) return ctx.reply.integer(0);
  if (!replace && keyspace.lookup(dstDb, dst, now) !== undefined) return ctx.reply.integer(0);
  // A string's value is inline, so copying the metadata copies the key (collections will also need their
  // members copied under a fresh version, see FORMAT.md).
  const batch = keyspace.batch();
  batch.set(dstDb, dst, meta);
  batch.commit();
  ctx.reply.integer(1);
}

/** KEYS: streams the db from the pattern's literal prefix; only the matching keys are kept (the reply). */
function keys(ctx: CommandContext, argv: Argv): void {
  const pattern = argv[1]!;
  const all = matchesAll(pattern);
  const prefix = literalPrefix(pattern);
  const found: Buffer[] = [];
  ctx.server.keyspace.scan(ctx.client.db, prefix, prefixEnd(prefix), Infinity, (key) => {
    if (all || globMatch(pattern, key)) found.push(Buffer.from(key));
  });
  ctx.reply.array(found.length);
  for (const key of found) ctx.reply.bulk(key);
}

function randomkey(ctx: CommandContext): void {
  const key = ctx.server.keyspace.randomKey(ctx.client.db);
  if (key === undefined) ctx.reply.null();
  else ctx.reply.bulk(key);
}

// ---- OBJECT

function objectEncoding(ctx: CommandContext, argv: Argv): void {
  const meta = ctx.server.keyspace.read(ctx.client.db, argv[2]!, Date.now(), true);
  if (meta === undefined) ctx.reply.null();
  else ctx.reply.bulk(encodingName(meta));
}

function objectFreq(ctx: CommandContext, argv: Argv): void {
  if (ctx.server.keyspace.read(ctx.client.db, argv[2]!, Date.now(), true) === undefined) return ctx.reply.null();
  ctx.reply.error(
    'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching ' +
      'between policies at runtime LRU and LFU data will take some time to adjust.',
  );
}

function objectIdletime(ctx: CommandContext, argv: Argv): void {
  const now = Date.now();
  const { keyspace } = ctx.server;
  if (keyspace.read(ctx.client.db, argv[2]!, now, true) === undefined) return ctx.reply.null();
  ctx.reply.integer(Math.floor(keyspace.idleTime(ctx.client.db, argv[2]!, now) / 1000));
}

function objectRefcount(ctx: CommandContext, argv: Argv): void {
  const meta = ctx.server.keyspace.read(ctx.client.db, argv[2]!, Date.now(), true);
  if (meta === undefined) ctx.reply.null();
  else ctx.reply.integer(refcount(meta));
}

/** Reached only without a subcommand, which the table's arity check already refuses. */
function object(ctx: CommandContext): void {
  ctx.reply.error("ERR wrong number of arguments for 'object' command");
}

const unlink = del;
const object_encoding = objectEncoding;
const object_freq = objectFreq;
const object_idletime = objectIdletime;
const object_refcount = objectRefcount;

export const keyCommands: CommandSpec[] = [
  {
    name: 'del',
    arity: -2,
    flags: ['write'],
    firstKey: 1,
    lastKey: -1,
    step: 1,
    group: 'generic',
    since: '1.0.0',
    summary: 'Delete a key',
    complexity: 'O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).',
    handler: del,
  },
  {
    name: 'unlink',
    arity: -2,
    flags: ['write', 'fast'],
    firstKey: 1,
    lastKey: -1,
    step: 1,
    group: 'generic',
    since: '4.0.0',
    summary: 'Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.',
    complexity: 'O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.',
    handler: unlink,
  },
  {
    name: 'exists',
    arity: -2,
    flags: ['readonly', 'fast'],
    firstKey: 1,
    lastKey: -1,
    step: 1,
    group: 'generic',
    since: '1.0.0',
    summary: 'Determine if a key exists',
    complexity: 'O(N) where N is the number of keys to check.',
    handler: exists,
  },
  {
    name: 'type',
    arity: 2,
    flags: ['readonly', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'generic',
    since: '1.0.0',
    summary: 'Determine the type stored at key',
    complexity: 'O(1)',
    handler: type,
  },
  {
    name: 'rename',
    arity: 3,
    flags: ['write'],
    firstKey: 1,
    lastKey: 2,
    step: 1,
    group: 'generic',
    since: '1.0.0',
    summary: 'Rename a key',
    complexity: 'O(1)',
    handler: rename,
  },
  {
    name: 'renamenx',
    arity: 3,
    flags: ['write', 'fast'],
    firstKey: 1,
    lastKey: 2,
    step: 1,
    group: 'generic',
    since: '1.0.0',
    summary: 'Rename a key, only if the new key does not exist',
    complexity: 'O(1)',
    handler: renamenx,
  },
  {
    name: 'copy',
    arity: -3,
    flags: ['write', 'denyoom'],
    firstKey: 1,
    lastKey: 2,
    step: 1,
    group: 'generic',
    since: '6.2.0',
    summary: 'Copy a key',
    complexity: 'O(N) worst case for collections, where N is the number of nested items. O(1) for string values.',
    handler: copy,
  },
  {
    name: 'keys',
    arity: 2,
    flags: ['readonly'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'generic',
    since: '1.0.0',
    summary: 'Find all keys matching the given pattern',
    complexity: 'O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.',
    handler: keys,
  },
  {
    name: 'randomkey',
    arity: 1,
    flags: ['readonly'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'generic',
    since: '1.0.0',
    summary: 'Return a random key from the keyspace',
    complexity: 'O(1)',
    handler: randomkey,
  },
  {
    name: 'touch',
    arity: -2,
    flags: ['readonly', 'fast'],
    firstKey: 1,
    lastKey: -1,
    step: 1,
    group: 'generic',
    since: '3.2.1',
    summary: 'Alters the last access time of a key(s). Returns the number of existing keys specified.',
    complexity: 'O(N) where N is the number of keys that will be touched.',
    handler: touch,
  },
  {
    name: 'object',
    arity: -2,
    flags: [],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'generic',
    since: '2.2.3',
    summary: 'A container for object introspection commands',
    complexity: 'Depends on subcommand.',
    handler: object,
    subcommands: [
      {
        name: 'object|help',
        arity: 2,
        flags: ['loading', 'stale'],
        firstKey: 0,
        lastKey: 0,
        step: 0,
        group: 'generic',
        since: '6.2.0',
        summary: 'Show helpful text about the different subcommands',
        complexity: 'O(1)',
        handler: recordedHelp('object'),
      },
      {
        name: 'object|freq',
        arity: 3,
        flags: ['readonly'],
        firstKey: 2,
        lastKey: 2,
        step: 1,
        group: 'generic',
        since: '4.0.0',
        summary: 'Get the logarithmic access frequency counter of a Redis object',
        complexity: 'O(1)',
        handler: object_freq,
      },
      {
        name: 'object|encoding',
        arity: 3,
        flags: ['readonly'],
        firstKey: 2,
        lastKey: 2,
        step: 1,
        group: 'generic',
        since: '2.2.3',
        summary: 'Inspect the internal encoding of a Redis object',
        complexity: 'O(1)',
        handler: object_encoding,
      },
      {
        name: 'object|idletime',
        arity: 3,
        flags: ['readonly'],
        firstKey: 2,
        lastKey: 2,
        step: 1,
        group: 'generic',
        since: '2.2.3',
        summary: 'Get the time since a Redis object was last accessed',
        complexity: 'O(1)',
        handler: object_idletime,
      },
      {
        name: 'object|refcount',
        arity: 3,
        flags: ['readonly'],
        firstKey: 2,
        lastKey: 2,
        step: 1,
        group: 'generic',
        since: '2.2.3',
        summary: 'Get the number of references to the value of the key',
        complexity: 'O(1)',
        handler: object_refcount,
      },
    ],
  },
];
