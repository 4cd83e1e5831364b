// @strata/server as a library: the keyspace (Redis types on an engine), the command table and the server, for
// tools and in-process tests. The CLI is main.ts.

export { Keyspace, KeyspaceBatch, stringMeta, type KeyspaceInfo, type KeyspaceOptions, type KeyspaceStats } from './types/keyspace.js';
export { KeyType, StringEncoding, LAYOUT_VERSION, encodeMeta, decodeMeta, metaKey, type Meta } from './types/layout.js';
export { globMatch, literalPrefix, matchesAll } from './types/glob.js';
export { createCommandTable, CommandTable } from './command-table.js';
export { defaultConfig, type ServerConfig } from './config.js';
export { Server } from './server.js';
export { createLog, type Log } from './log.js';
export { LatencyHistogram } from './latency-histogram.js';
export type { ClientState, CommandContext, CommandSpec, ServerContext } from './command.js';
export { REDIS_COMMAND_DOCS } from './commands/redis-command-docs.js';
