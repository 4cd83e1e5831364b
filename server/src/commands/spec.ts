// What the connection and server families share: the table row of a command without keys, the handler of a
// container that demands a subcommand, and the runtime view of the server.

import type { CommandContext, CommandFlag, CommandHandler, CommandSpec } from '../command.js';
import type { ServerRuntime } from '../server.js';
import { REDIS_COMMAND_DOCS } from './redis-command-docs.js';

/** The row maker of a family's commands (or subcommands, named 'container|sub') that take no keys. */
export function keylessSpecs(group: string) {
  return (
    name: string,
    arity: number,
    flags: readonly CommandFlag[],
    since: string,
    summary: string,
    handler: CommandHandler,
    subcommands?: readonly CommandSpec[],
  ): CommandSpec => {
    const s: CommandSpec = { name, arity, flags, firstKey: 0, lastKey: 0, step: 0, group, since, summary, handler };
    if (subcommands !== undefined) s.subcommands = subcommands;
    return s;
  };
}

/** The handler of a container (CLIENT, CONFIG) whose arity already demands a subcommand: the table resolves
 *  to a subcommand before running anything, so this only answers as Redis would if ever reached. */
export const requiresSubcommand: CommandHandler = (ctx, argv) =>
  ctx.reply.error(`ERR wrong number of arguments for '${argv[0]!.toString().toLowerCase()}' command`);

// Every ServerContext the server creates is its ServerRuntime (server.ts); these commands need the wider view.
export const runtime = (ctx: CommandContext): ServerRuntime => ctx.server as ServerRuntime;

/** An argument folded to lower case, for comparing options. */
export const lower = (arg: Buffer): string => arg.toString('latin1').toLowerCase();

/** The handler of a container's HELP subcommand: the text Redis 7.0.15 replies (recorded with its docs). */
export function recordedHelp(container: string): CommandHandler {
  const lines = REDIS_COMMAND_DOCS[container]?.help ?? [];
  return ({ reply }) => {
    reply.array(lines.length);
    for (const line of lines) reply.simple(line);
  };
}
