// COMMAND INFO and DOCS answer from what redis-server 7.0.15 reported (server/src/commands/redis-command-docs.ts,
// recorded by data-command-docs-record.py): every command Strata has must be in that recording, and the flags
// that decide behaviour here must agree with the ones Redis reports.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REDIS_COMMAND_DOCS, createCommandTable, type CommandSpec } from '@strata/server';

const BEHAVIOUR_FLAGS = ['write', 'readonly', 'no_auth', 'admin', 'fast'];

test('every command and subcommand has its recorded COMMAND INFO and DOCS', () => {
  const all: CommandSpec[] = [];
  for (const cmd of createCommandTable().commands()) all.push(cmd, ...(cmd.subcommands ?? []));
  for (const cmd of all) {
    const recorded = REDIS_COMMAND_DOCS[cmd.name];
    assert.ok(recorded !== undefined, `${cmd.name} is not in redis-command-docs.ts: run data-command-docs-record.py`);
    const flags = recorded.flags as { '~': Array<{ '+': string }> };
    const redisFlags = flags['~'].map((f) => f['+']);
    for (const flag of BEHAVIOUR_FLAGS) {
      assert.equal(cmd.flags.includes(flag as never), redisFlags.includes(flag), `${cmd.name}: flag ${flag}`);
    }
  }
});
