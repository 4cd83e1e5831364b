// The shape every command shares: one table row (name, arity, flags, key positions, docs) plus one handler.
// Command families live in commands/<family>.ts and each exports a `CommandSpec[]`; command-table.ts joins them.

import type { Db } from '@strata/engine';
import type { ReplyWriter } from '@strata/protocol';
import type { ServerConfig } from './config.js';
import type { Keyspace } from './types/keyspace.js';

/** Per-connection state that commands may read or change. */
export interface ClientState {
  readonly id: number;
  /** CLIENT SETNAME; '' when unset. */
  name: string;
  /** Index of the SELECTed database. */
  db: number;
  /** RESP version spoken on this connection (HELLO). */
  protocol: 2 | 3;
  authenticated: boolean;
}

/** What the server shares with every command. */
export interface ServerContext {
  readonly config: ServerConfig;
  readonly engine: Db;
  readonly keyspace: Keyspace;
}

export interface CommandContext {
  readonly client: ClientState;
  /** Exactly one reply per command is written here. */
  readonly reply: ReplyWriter;
  readonly server: ServerContext;
}

/** `argv[0]` is the command name as sent. A handler that returns a promise pauses its connection until it
 *  settles. Writes go through the keyspace (engine.applySync); the connection holds every reply until the
 *  writes the command could have seen are durable, so handlers never await durability themselves. */
export type CommandHandler = (ctx: CommandContext, argv: Buffer[]) => void | Promise<void>;

export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'no_multi'
  | 'allow_busy';

export interface CommandSpec {
  /** Lower case; a subcommand is named 'container|sub', e.g. 'client|setname'. */
  name: string;
  /** Redis convention: N means exactly N arguments including the name, -N means at least N. */
  arity: number;
  flags: readonly CommandFlag[];
  /** Positions of the keys in argv (Redis's first/last/step; last -1 = to the end; 0 0 0 = no keys). */
  firstKey: number;
  lastKey: number;
  step: number;
  /** COMMAND DOCS: group (string, generic, connection, server, keyspace...), since, summary, complexity. */
  group: string;
  since: string;
  summary: string;
  complexity?: string;
  handler: CommandHandler;
  subcommands?: readonly CommandSpec[];
  /** The arguments MONITOR shows, when not argv itself (Redis shows passwords as "(redacted)"). */
  monitorArgs?: (argv: Buffer[]) => Buffer[];
}
