// @strata/server as a library: the keyspace (Redis types on an engine) and the command table, for tools and
// in-process tests. The server itself is main.ts.

export { Keyspace, KeyspaceBatch, stringMeta, type KeyspaceInfo, type KeyspaceOptions, type KeyspaceStats } from './types/keyspace.js';
export { KeyType, StringEncoding, LAYOUT_VERSION, encodeMeta, decodeMeta, metaKey, type Meta } from './types/layout.js';
export { globMatch, literalPrefix, matchesAll } from './types/glob.js';
export { createCommandTable, CommandTable } from './command-table.js';
export { defaultConfig, type ServerConfig } from './config.js';
export type { ClientState, CommandContext, CommandSpec, ServerContext } from './command.js';
