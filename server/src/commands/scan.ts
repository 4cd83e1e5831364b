// SCAN: streams a db in key order from a cursor (see types/scan-cursor.ts). Every key present for the whole
// scan is returned exactly once; MATCH with a literal prefix seeks to it and ends the scan after it; COUNT
// bounds the metadata entries examined per call (default 10); TYPE filters by type name.

import type { CommandContext, CommandSpec } from '../command.js';
import { globMatch, literalPrefix, matchesAll } from '../types/glob.js';
import { TYPE_NAMES, prefixEnd } from '../types/layout.js';
import { parseI64 } from '../types/numbers.js';
import { ScanCursors } from '../types/scan-cursor.js';
import { INVALID_CURSOR, NOT_INTEGER, SYNTAX } from '../types/errors.js';

type Argv = Buffer[];

const DEFAULT_COUNT = 10;

function scan(ctx: CommandContext, argv: Argv): void {
  const { keyspace } = ctx.server;
  const db = ctx.client.db;
  const cursor = ScanCursors.parse(argv[1]!);
  if (cursor === undefined) return ctx.reply.error(INVALID_CURSOR);
  let count = DEFAULT_COUNT;
  let pattern: Buffer | undefined;
  let typeName: string | undefined;
  for (let j = 2; j < argv.length; j++) {
    const opt = argv[j]!.toString('latin1').toLowerCase();
    const hasValue = j + 1 < argv.length;
    if (opt === 'count' && hasValue) {
      const n = parseI64(argv[++j]!);
      if (n === undefined) return ctx.reply.error(NOT_INTEGER);
      if (n < 1n) return ctx.reply.error(SYNTAX);
      count = n > 1_000_000_000n ? 1_000_000_000 : Number(n);
    } else if (opt === 'match' && hasValue) {
      pattern = argv[++j]!;
    } else if (opt === 'type' && hasValue) {
      typeName = argv[++j]!.toString('latin1').toLowerCase();
    } else {
      return ctx.reply.error(SYNTAX);
    }
  }
  const position = keyspace.cursors.resolve(db, cursor);

  const matchAll = pattern === undefined || matchesAll(pattern);
  const prefix = pattern === undefined ? undefined : literalPrefix(pattern);
  const hasPrefix = prefix !== undefined && prefix.length > 0;
  const start = hasPrefix && (position === undefined || Buffer.compare(position, prefix) < 0) ? prefix : position;
  const end = hasPrefix ? prefixEnd(prefix) : undefined;
  const found: Buffer[] = [];
  const next = keyspace.scan(db, start, end, count, (key, meta) => {
    if (typeName !== undefined && TYPE_NAMES[meta.type] !== typeName) return;
    if (matchAll || globMatch(pattern!, key)) found.push(Buffer.from(key));
  });
  ctx.reply.array(2);
  ctx.reply.bulk(next === undefined ? '0' : keyspace.cursors.issue(db, next));
  ctx.reply.array(found.length);
  for (const key of found) ctx.reply.bulk(key);
}

export const scanCommands: CommandSpec[] = [
  {
    name: 'scan',
    arity: -2,
    flags: ['readonly'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'generic',
    since: '2.8.0',
    summary: 'Incrementally iterate the keys space',
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    handler: scan,
  },
];
