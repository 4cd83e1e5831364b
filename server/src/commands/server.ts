// Server commands: COMMAND, INFO, CONFIG, TIME, LASTSAVE, SAVE, BGSAVE, BGREWRITEAOF, SHUTDOWN, SLOWLOG, MONITOR, DEBUG (SLEEP, OBJECT).

import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { machine as osMachine, release as osRelease, totalmem, type as osType } from 'node:os';
import { cpuUsage, memoryUsage } from 'node:process';
import type { ReplyWriter } from '@strata/protocol';
import type { CommandContext, CommandFlag, CommandHandler, CommandSpec } from '../command.js';
import { ConfigError, configGet, configSet, globMatch, rewriteConfigText } from '../config.js';
import type { Client } from '../connection.js';
import { LOOPBACK, type ServerRuntime } from '../server.js';
import { NO_SUCH_KEY } from '../types/errors.js';
import { parseI64 } from '../types/numbers.js';
import { encodingName, refcount, serializedLength } from '../types/object-info.js';
import { REDIS_VERSION } from './connection.js';
import { REDIS_COMMAND_DOCS, type RecordedCommand, type RecordedReply } from './redis-command-docs.js';
import { keylessSpecs, lower, recordedHelp, requiresSubcommand, runtime } from './spec.js';

const spec = keylessSpecs('server');

// ---- COMMAND

/** What Redis's COMMAND INFO and DOCS say of a command beyond its table row, as recorded from Redis 7.0.15.
 *  A command missing from the recording (none is: a test checks) gets empty sets and its own summary. */
function recorded(cmd: CommandSpec): RecordedCommand {
  return (
    REDIS_COMMAND_DOCS[cmd.name] ?? {
      flags: { '~': cmd.flags.map((flag) => ({ '+': flag })) },
      acl: { '~': [] },
      tips: { '~': [] },
      keySpecs: { '~': [] },
      docs: { '%': [['summary', cmd.summary], ['since', cmd.since], ['group', cmd.group]] },
    }
  );
}

/** Writes a recorded reply tree; RESP2 gets maps and sets as arrays, as Redis sends them. */
function writeRecorded(reply: ReplyWriter, value: RecordedReply): void {
  if (typeof value === 'number') return reply.integer(value);
  if (typeof value === 'string') return reply.bulk(value);
  if ('+' in value) return reply.simple(value['+']);
  if ('%' in value) {
    reply.map(value['%'].length);
    for (const [k, v] of value['%']) {
      writeRecorded(reply, k);
      writeRecorded(reply, v);
    }
    return;
  }
  const items = '~' in value ? value['~'] : value['*'];
  if ('~' in value) reply.set(items.length);
  else reply.array(items.length);
  for (const item of items) writeRecorded(reply, item);
}

/** The command's ACL categories ('@read', ...): Strata has no ACLs, but clients display and filter by them. */
function aclCategories(cmd: CommandSpec): string[] {
  const { acl } = recorded(cmd);
  return typeof acl === 'object' && '~' in acl ? acl['~'].map((c) => (c as { '+': string })['+']) : [];
}

/** One COMMAND INFO entry: name, arity, flags, first/last key, step, ACL categories, tips, key specs, subcommands. */
function writeCommandInfo(ctx: CommandContext, cmd: CommandSpec): void {
  const { reply } = ctx;
  // Name, arity and keys come from the table (they decide what runs); the rest is what Redis reports.
  const { flags, acl, tips, keySpecs } = recorded(cmd);
  reply.array(10);
  reply.bulk(cmd.name);
  reply.integer(cmd.arity);
  writeRecorded(reply, flags);
  reply.integer(cmd.firstKey);
  reply.integer(cmd.lastKey);
  reply.integer(cmd.step);
  writeRecorded(reply, acl);
  writeRecorded(reply, tips);
  writeRecorded(reply, keySpecs);
  const subs = cmd.subcommands ?? [];
  reply.set(subs.length);
  for (const sub of subs) writeCommandInfo(ctx, sub);
}

/** One COMMAND DOCS entry: Redis's recorded docs, then the subcommands Strata has. */
function writeCommandDocs(ctx: CommandContext, cmd: CommandSpec): void {
  const { reply } = ctx;
  const subs = cmd.subcommands ?? [];
  const { docs } = recorded(cmd);
  const pairs = typeof docs === 'object' && '%' in docs ? docs['%'] : [];
  reply.map(pairs.length + (subs.length > 0 ? 1 : 0));
  for (const [k, v] of pairs) {
    writeRecorded(reply, k);
    writeRecorded(reply, v);
  }
  if (subs.length > 0) {
    reply.bulk('subcommands');
    reply.map(subs.length);
    for (const sub of subs) {
      reply.bulk(sub.name);
      writeCommandDocs(ctx, sub);
    }
  }
}

const command: CommandHandler = (ctx) => {
  const table = runtime(ctx).commands;
  ctx.reply.array(table.size);
  for (const cmd of table.commands()) writeCommandInfo(ctx, cmd);
};

const commandCount: CommandHandler = (ctx) => ctx.reply.integer(runtime(ctx).commands.size);

const commandInfo: CommandHandler = (ctx, argv) => {
  const table = runtime(ctx).commands;
  const names = argv.slice(2).map(lower);
  if (names.length === 0) return command(ctx, argv);
  ctx.reply.array(names.length);
  for (const name of names) {
    const cmd = table.get(name);
    if (cmd === undefined) ctx.reply.null();
    else writeCommandInfo(ctx, cmd);
  }
};

const commandDocs: CommandHandler = (ctx, argv) => {
  const table = runtime(ctx).commands;
  const found =
    argv.length > 2
      ? argv
          .slice(2)
          .map((a) => table.get(lower(a)))
          .filter((c): c is CommandSpec => c !== undefined)
      : [...table.commands()];
  ctx.reply.map(found.length);
  for (const cmd of found) {
    ctx.reply.bulk(cmd.name);
    writeCommandDocs(ctx, cmd);
  }
};

const commandList: CommandHandler = (ctx, argv) => {
  const table = runtime(ctx).commands;
  let names = [...table.commands()].flatMap((c) => [c.name, ...(c.subcommands ?? []).map((s) => s.name)]);
  if (argv.length > 2) {
    if (argv.length !== 5 || lower(argv[2]!) !== 'filterby') return ctx.reply.error('ERR syntax error');
    const kind = lower(argv[3]!);
    const value = argv[4]!.toString();
    if (kind === 'pattern') names = names.filter((n) => globMatch(value, n));
    else if (kind === 'aclcat') names = names.filter((n) => aclCategories(table.get(n)!).includes(`@${value.toLowerCase()}`));
    else if (kind === 'module') names = [];
    else return ctx.reply.error('ERR syntax error');
  }
  ctx.reply.array(names.length);
  for (const name of names) ctx.reply.bulk(name);
};

/** A key spec as Redis's COMMAND INFO gives it (every one of our commands' specs begins at an index and finds
 *  a range): its access flags and where its keys are. */
interface KeySpec {
  flags: string[];
  index: number;
  /** Last key relative to `index`, or from the end of argv when negative. */
  lastKey: number;
  step: number;
}

/** The value under `name` in a recorded map. */
function field(value: RecordedReply | undefined, name: string): RecordedReply | undefined {
  if (typeof value !== 'object' || !('%' in value)) return undefined;
  return value['%'].find(([k]) => k === name)?.[1];
}

function keySpecs(cmd: CommandSpec): KeySpec[] {
  const { keySpecs: specs } = recorded(cmd);
  const items = typeof specs === 'object' && '~' in specs ? specs['~'] : [];
  return items.map((item) => {
    const flags = field(item, 'flags');
    const find = field(field(item, 'find_keys'), 'spec');
    return {
      flags: typeof flags === 'object' && '~' in flags ? flags['~'].map((f) => (f as { '+': string })['+']) : [],
      index: field(field(field(item, 'begin_search'), 'spec'), 'index') as number,
      lastKey: field(find, 'lastkey') as number,
      step: field(find, 'keystep') as number,
    };
  });
}

/** The flags of a key whose spec says `variable_flags`, by command, as Redis's getkeys procedures set them:
 *  SET reads its key only with GET. */
const VARIABLE_FLAGS: Record<string, (args: Buffer[]) => string[]> = {
  set: (args) => (args.slice(3).some((a) => lower(a) === 'get') ? ['RW', 'access', 'update'] : ['OW', 'update']),
};

/** COMMAND GETKEYS and GETKEYSANDFLAGS: the keys of the command in argv[2..], by its key specs, each with its
 *  spec's flags; or Redis's error. */
function keysOf(ctx: CommandContext, argv: Buffer[]): Array<[Buffer, string[]]> | string {
  const args = argv.slice(2);
  const found = runtime(ctx).commands.resolve(args);
  if (found.error !== undefined) {
    return found.error.startsWith('ERR wrong number') ? 'ERR Invalid number of arguments specified for command' : 'ERR Invalid command specified';
  }
  const keys: Array<[Buffer, string[]]> = [];
  for (const { flags: specFlags, index, lastKey, step } of keySpecs(found.spec)) {
    const flags = specFlags.includes('variable_flags') ? VARIABLE_FLAGS[found.spec.name]!(args) : specFlags;
    const last = lastKey >= 0 ? index + lastKey : args.length + lastKey;
    for (let i = index; i <= last && i < args.length; i += step) keys.push([args[i]!, flags]);
  }
  return keys.length > 0 ? keys : 'ERR The command has no key arguments';
}

const commandGetkeys: CommandHandler = (ctx, argv) => {
  const keys = keysOf(ctx, argv);
  if (typeof keys === 'string') return ctx.reply.error(keys);
  ctx.reply.array(keys.length);
  for (const [key] of keys) ctx.reply.bulk(key);
};

const commandGetkeysandflags: CommandHandler = (ctx, argv) => {
  const keys = keysOf(ctx, argv);
  if (typeof keys === 'string') return ctx.reply.error(keys);
  ctx.reply.array(keys.length);
  for (const [key, flags] of keys) {
    ctx.reply.array(2);
    ctx.reply.bulk(key);
    ctx.reply.set(flags.length);
    for (const flag of flags) ctx.reply.simple(flag);
  }
};

// ---- INFO

// Redis's sections, in its order; INFO, INFO default and INFO <name>... as Redis, INFO all and everything add
// commandstats and latencystats.
const SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'commandstats', 'errorstats', 'latencystats', 'cluster', 'keyspace'] as const;
type Section = (typeof SECTIONS)[number];
const NOT_DEFAULT: readonly Section[] = ['commandstats', 'latencystats'];

const human = (bytes: number): string => {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes}B` : `${value.toFixed(2)}${units[unit]}`;
};

/** INFO's run_id and master_replid: random per process, as Redis's. */
const RUN_ID = randomBytes(20).toString('hex');
const REPLICATION_ID = randomBytes(20).toString('hex');
/** The system call libuv polls with, which Redis names in multiplexing_api. */
const MULTIPLEXING_API: Partial<Record<NodeJS.Platform, string>> = { linux: 'epoll', darwin: 'kqueue', freebsd: 'kqueue' };
/** The most memory INFO has seen in use (Redis's used_memory_peak is sampled too). */
let peakMemory = 0;

function infoSection(server: ServerRuntime, section: Section): Array<[string, string | number]> {
  const now = Date.now();
  switch (section) {
    case 'server': {
      const uptime = Math.floor((now - server.startedAt) / 1000);
      return [
        ['redis_version', REDIS_VERSION],
        ['redis_git_sha1', '00000000'],
        ['redis_git_dirty', 0],
        ['redis_build_id', '0'],
        ['redis_mode', 'standalone'],
        ['os', `${osType()} ${osRelease()} ${osMachine()}`],
        ['arch_bits', 64],
        ['monotonic_clock', 'POSIX clock_gettime'],
        ['multiplexing_api', MULTIPLEXING_API[process.platform] ?? 'libuv'],
        ['atomicvar_api', 'c11-builtin'],
        ['gcc_version', '0.0.0'],
        ['process_id', process.pid],
        ['process_supervised', 'no'],
        ['run_id', RUN_ID],
        ['tcp_port', server.port],
        ['server_time_usec', now * 1000],
        ['uptime_in_seconds', uptime],
        ['uptime_in_days', Math.floor(uptime / 86400)],
        ['hz', server.config.hz],
        ['configured_hz', server.config.hz],
        ['lru_clock', Math.floor(now / 1000) & LRU_CLOCK_MAX],
        ['executable', process.argv[1] ?? ''],
        ['config_file', server.config.configFile],
        ['io_threads_active', 0],
        ['strata_engine', 'lsm'],
        ['node_version', process.version],
      ];
    }
    case 'clients':
      return [
        ['connected_clients', server.clients.size],
        ['cluster_connections', 0],
        ['maxclients', server.config.maxclients],
        ['client_recent_max_input_buffer', 0],
        ['client_recent_max_output_buffer', 0],
        ['blocked_clients', server.blocked.size],
        ['tracking_clients', 0],
        ['clients_in_timeout_table', server.blocked.withTimeout],
      ];
    case 'memory': {
      const mem = memoryUsage();
      const used = mem.heapUsed + mem.external;
      peakMemory = Math.max(peakMemory, used);
      return [
        ['used_memory', used],
        ['used_memory_human', human(used)],
        ['used_memory_rss', mem.rss],
        ['used_memory_rss_human', human(mem.rss)],
        ['used_memory_peak', peakMemory],
        ['used_memory_peak_human', human(peakMemory)],
        ['used_memory_peak_perc', `${((used / peakMemory) * 100).toFixed(2)}%`],
        ['total_system_memory', totalmem()],
        ['total_system_memory_human', human(totalmem())],
        ['maxmemory', 0],
        ['maxmemory_human', '0B'],
        ['maxmemory_policy', 'noeviction'],
        ['mem_fragmentation_ratio', (mem.rss / used).toFixed(2)],
        ['mem_allocator', 'v8'],
      ];
    }
    case 'persistence': {
      const stats = server.engine.stats();
      const rewrite = server.logRewrite;
      return [
        ['loading', 0],
        ['async_loading', 0],
        ['rdb_changes_since_last_save', Math.max(0, stats.lastSequence - stats.durableSequence)],
        ['rdb_bgsave_in_progress', 0],
        ['rdb_last_save_time', server.lastSave],
        ['rdb_last_bgsave_status', 'ok'],
        ['rdb_last_bgsave_time_sec', -1],
        ['rdb_current_bgsave_time_sec', -1],
        ['aof_enabled', 1],
        ['aof_rewrite_in_progress', rewrite.startedAt === undefined ? 0 : 1],
        ['aof_rewrite_scheduled', 0],
        ['aof_last_rewrite_time_sec', rewrite.lastSeconds],
        ['aof_current_rewrite_time_sec', rewrite.startedAt === undefined ? -1 : Math.round((Date.now() - rewrite.startedAt) / 1000)],
        ['aof_last_bgrewrite_status', rewrite.lastOk ? 'ok' : 'err'],
        ['aof_rewrites', rewrite.count],
        ['aof_last_write_status', stats.backgroundError === undefined ? 'ok' : 'err'],
        ['appendfsync', server.config.appendfsync],
        ['wal_bytes', stats.walBytes],
        ['wal_syncs', stats.walSyncs],
        ['memtable_bytes', stats.memtableBytes],
        ['sstables', stats.tables],
        ['sstable_bytes', stats.tableBytes],
      ];
    }
    case 'stats': {
      const { stats } = server;
      const keyspace = server.keyspace.stats;
      return [
        ['total_connections_received', stats.totalConnections],
        ['total_commands_processed', stats.totalCommands],
        ['instantaneous_ops_per_sec', Math.round(stats.opsRate.perSecond())],
        ['total_net_input_bytes', stats.netInputBytes],
        ['total_net_output_bytes', stats.netOutputBytes],
        ['instantaneous_input_kbps', (stats.inputRate.perSecond() / 1024).toFixed(2)],
        ['instantaneous_output_kbps', (stats.outputRate.perSecond() / 1024).toFixed(2)],
        ['rejected_connections', stats.rejectedConnections],
        ['sync_full', 0],
        ['sync_partial_ok', 0],
        ['sync_partial_err', 0],
        ['expired_keys', keyspace.expired],
        // Strata has no maxmemory: nothing is ever evicted.
        ['evicted_keys', 0],
        ['evicted_clients', 0],
        ['keyspace_hits', keyspace.hits],
        ['keyspace_misses', keyspace.misses],
        // No pub/sub, forks, defragmentation or client tracking here.
        ['pubsub_channels', 0],
        ['pubsub_patterns', 0],
        ['pubsubshard_channels', 0],
        ['latest_fork_usec', 0],
        ['total_forks', 0],
        ['tracking_total_keys', 0],
        ['unexpected_error_replies', 0],
        ['total_error_replies', stats.errors.total],
      ];
    }
    case 'replication':
      return [
        ['role', 'master'],
        ['connected_slaves', 0],
        ['master_failover_state', 'no-failover'],
        ['master_replid', REPLICATION_ID],
        ['master_replid2', '0'.repeat(40)],
        ['master_repl_offset', 0],
        ['second_repl_offset', -1],
        ['repl_backlog_active', 0],
        ['repl_backlog_size', 1048576],
        ['repl_backlog_first_byte_offset', 0],
        ['repl_backlog_histlen', 0],
      ];
    case 'cpu': {
      const cpu = cpuUsage();
      return [
        ['used_cpu_sys', (cpu.system / 1e6).toFixed(6)],
        ['used_cpu_user', (cpu.user / 1e6).toFixed(6)],
        ['used_cpu_sys_children', '0.000000'],
        ['used_cpu_user_children', '0.000000'],
      ];
    }
    case 'modules':
      return [];
    case 'commandstats':
      return server.commands.usedStats().map(([name, stats]) => [`cmdstat_${name}`, stats.describe()]);
    case 'errorstats':
      return server.stats.errors.lines();
    case 'latencystats': {
      // Empty while latency-tracking is off, as Redis (which keeps what it recorded before, for when it is on).
      const { latencyTracking, latencyTrackingInfoPercentiles } = server.config;
      if (!latencyTracking) return [];
      return server.commands.usedStats().flatMap(([name, stats]): Array<[string, string]> => {
        const line = stats.describeLatency(latencyTrackingInfoPercentiles);
        return line === undefined ? [] : [[`latency_percentiles_usec_${name}`, line]];
      });
    }
    case 'cluster':
      return [['cluster_enabled', 0]];
    case 'keyspace':
      return server.keyspace
        .keyspaceInfo()
        .filter((db) => db.keys > 0)
        .map((db) => [`db${db.db}`, `keys=${db.keys},expires=${db.expires},avg_ttl=${db.avgTtl}`]);
  }
}

const SECTION_TITLES: Record<Section, string> = {
  server: 'Server',
  clients: 'Clients',
  memory: 'Memory',
  persistence: 'Persistence',
  stats: 'Stats',
  replication: 'Replication',
  cpu: 'CPU',
  modules: 'Modules',
  commandstats: 'Commandstats',
  errorstats: 'Errorstats',
  latencystats: 'Latencystats',
  cluster: 'Cluster',
  keyspace: 'Keyspace',
};

const info: CommandHandler = (ctx, argv) => {
  const asked = argv.slice(1).map(lower);
  const all = asked.some((s) => s === 'all' || s === 'everything');
  const defaults = asked.length === 0 || asked.includes('default');
  const sections = SECTIONS.filter((s) => all || (defaults && !NOT_DEFAULT.includes(s)) || asked.includes(s));
  const text = sections
    .map((s) => {
      const lines = infoSection(runtime(ctx), s).map(([k, v]) => `${k}:${v}\r\n`);
      return `# ${SECTION_TITLES[s]}\r\n${lines.join('')}`;
    })
    .join('\r\n');
  ctx.reply.verbatim(text);
};

// ---- CONFIG

const configGetHandler: CommandHandler = (ctx, argv) => {
  const pairs = configGet(ctx.server.config, argv.slice(2).map((a) => a.toString()));
  ctx.reply.map(pairs.length);
  for (const [name, value] of pairs) {
    ctx.reply.bulk(name);
    ctx.reply.bulk(value);
  }
};

const configSetHandler: CommandHandler = (ctx, argv) => {
  if (argv.length % 2 !== 0) return ctx.reply.error("ERR wrong number of arguments for 'config|set' command");
  const pairs: Array<[string, string]> = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i]!.toString(), argv[i + 1]!.toString()]);
  const { config, engine } = ctx.server;
  try {
    configSet(config, pairs);
  } catch (err) {
    if (err instanceof ConfigError) return ctx.reply.error(err.message);
    throw err;
  }
  engine.setFsync(config.appendfsync);
  ctx.reply.simple('OK');
};

const configResetstat: CommandHandler = (ctx) => {
  const { stats } = runtime(ctx);
  stats.totalConnections = stats.totalCommands = stats.rejectedConnections = 0;
  stats.netInputBytes = stats.netOutputBytes = 0;
  stats.opsRate.reset(0);
  stats.inputRate.reset(0);
  stats.outputRate.reset(0);
  const keyspace = ctx.server.keyspace.stats;
  keyspace.hits = keyspace.misses = keyspace.expired = 0;
  stats.errors.reset();
  runtime(ctx).commands.resetStats();
  ctx.reply.simple('OK');
};

/** Rewrite the config file through a temporary file and a rename, so a crash leaves the old or the new one. */
const configRewrite: CommandHandler = (ctx) => {
  const { config } = ctx.server;
  if (config.configFile === '') return ctx.reply.error('ERR The server is running without a config file');
  try {
    const text = rewriteConfigText(config, readFileSync(config.configFile, 'utf8'));
    const temp = `${config.configFile}.tmp-${process.pid}`;
    writeFileSync(temp, text);
    renameSync(temp, config.configFile);
  } catch (err) {
    runtime(ctx).log('warning', `CONFIG REWRITE failed: ${(err as Error).message}`);
    return ctx.reply.error(`ERR Rewriting config file: ${(err as Error).message}`);
  }
  ctx.reply.simple('OK');
};

// ---- persistence and lifecycle

const time: CommandHandler = ({ reply }) => {
  const micros = BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000));
  reply.array(2);
  reply.bulk(String(micros / 1000000n));
  reply.bulk(String(micros % 1000000n));
};

const lastsave: CommandHandler = (ctx) => ctx.reply.integer(runtime(ctx).lastSave);

const save: CommandHandler = async (ctx) => {
  await runtime(ctx).save();
  ctx.reply.simple('OK');
};

const bgsave: CommandHandler = (ctx, argv) => {
  if (argv.length > 2 || (argv.length === 2 && lower(argv[1]!) !== 'schedule')) return ctx.reply.error('ERR syntax error');
  const server = runtime(ctx);
  server.save().catch((err: Error) => server.log('warning', `Background saving error: ${err.message}`));
  ctx.reply.simple('Background saving started');
};

const bgrewriteaof: CommandHandler = (ctx) => {
  if (!runtime(ctx).logRewrite.start()) return ctx.reply.error('ERR Background append only file rewriting already in progress');
  ctx.reply.simple('Background append only file rewriting started');
};

/** SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: every write is already in the WAL, so SAVE and NOSAVE both
 *  stop cleanly. Like Redis, a successful SHUTDOWN sends no reply: the connection closes. */
const shutdown: CommandHandler = (ctx, argv) => {
  const options = new Set(argv.slice(1).map(lower));
  for (const option of options) {
    if (!['nosave', 'save', 'now', 'force', 'abort'].includes(option)) return ctx.reply.error('ERR syntax error');
  }
  // Redis rejects ABORT with any other option, and NOSAVE with SAVE, before looking at the state.
  const abort = options.delete('abort');
  if ((abort && options.size > 0) || (options.has('nosave') && options.has('save'))) {
    return ctx.reply.error('ERR syntax error');
  }
  if (abort) return ctx.reply.error('ERR No shutdown in progress.');
  void runtime(ctx).shutdown();
};

// ---- DEBUG: one command whose first argument names what to do, as in Redis (not a container).

const DEBUG_HELP = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'OBJECT <key>',
  "    Show low level info about `key` and associated value.",
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'HELP',
  '    Print this help.',
];

/** Whether enable-debug-command lets this client run DEBUG ('local': from the loopback interface only). */
function debugAllowed(ctx: CommandContext): boolean {
  const setting = ctx.server.config.enableDebugCommand;
  if (setting !== 'local') return setting === 'yes';
  const { addr } = ctx.client as Client;
  return LOOPBACK.has(addr.slice(0, addr.lastIndexOf(':')));
}

const DEBUG_NOT_ALLOWED =
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a ' +
  'local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

const debug: CommandHandler = (ctx, argv) => {
  if (!debugAllowed(ctx)) return ctx.reply.error(DEBUG_NOT_ALLOWED);
  const what = lower(argv[1]!);
  if (what === 'help' && argv.length === 2) {
    ctx.reply.array(DEBUG_HELP.length);
    for (const line of DEBUG_HELP) ctx.reply.simple(line);
    return;
  }
  if (what === 'sleep' && argv.length === 3) return debugSleep(ctx, argv);
  if (what === 'object' && argv.length === 3) return debugObject(ctx, argv);
  const name = argv[1]!.toString('utf8', 0, 128);
  ctx.reply.error(`ERR unknown subcommand or wrong number of arguments for '${name}'. Try DEBUG HELP.`);
};

/** DEBUG SLEEP <seconds>: the seconds are read as C's strtod reads them (no number is 0). Only this
 *  connection waits; Redis would block every client. */
async function debugSleep(ctx: CommandContext, argv: Buffer[]): Promise<void> {
  const seconds = Number.parseFloat(argv[2]!.toString('latin1'));
  const ms = Number.isFinite(seconds) ? Math.max(0, seconds * 1000) : 0;
  await new Promise((resolve) => setTimeout(resolve, ms));
  ctx.reply.simple('OK');
}

/** Redis's LRU clock: unix seconds in 24 bits. */
const LRU_CLOCK_MAX = 0xffffff;

/** DEBUG OBJECT <key> as Redis 7 prints it. "Value at" is no address here: it identifies the key (a hash of
 *  db and name). The key is not touched, as Redis reads it without lookupKey. */
function debugObject(ctx: CommandContext, argv: Buffer[]): void {
  const now = Date.now();
  const { keyspace } = ctx.server;
  const { db } = ctx.client;
  const key = argv[2]!;
  const meta = keyspace.lookup(db, key, now, true);
  if (meta === undefined) return ctx.reply.error(NO_SUCH_KEY);
  const idle = keyspace.idleTime(db, key, now);
  const lru = Math.floor((now - idle) / 1000) & LRU_CLOCK_MAX;
  ctx.reply.simple(
    `Value at:0x${keyIdentity(db, key)} refcount:${refcount(meta)} encoding:${encodingName(meta)} ` +
      `serializedlength:${serializedLength(meta)} lru:${lru} lru_seconds_idle:${Math.floor(idle / 1000)}`,
  );
}

/** 12 hex digits from an FNV-1a hash of (db, key). */
function keyIdentity(db: number, key: Uint8Array): string {
  let h = Math.imul(0x811c9dc5 ^ db, 0x01000193);
  for (const byte of key) h = Math.imul(h ^ byte, 0x01000193);
  return `7f${(h >>> 0).toString(16).padStart(8, '0')}00`;
}

// ---- SLOWLOG

const slowlogGet: CommandHandler = (ctx, argv) => {
  const { reply } = ctx;
  if (argv.length > 3) {
    return reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]!.toString()}'. Try SLOWLOG HELP.`);
  }
  let count = 10;
  if (argv.length === 3) {
    const asked = parseI64(argv[2]!);
    if (asked === undefined || asked < -1n) return reply.error('ERR count should be greater than or equal to -1');
    count = asked > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(asked);
  }
  const entries = runtime(ctx).slowlog.newest(count);
  reply.array(entries.length);
  for (const entry of entries) {
    reply.array(6);
    reply.integer(entry.id);
    reply.integer(entry.time);
    reply.integer(entry.micros);
    reply.array(entry.args.length);
    for (const arg of entry.args) reply.bulk(arg);
    reply.bulk(entry.addr);
    reply.bulk(entry.name);
  }
};

const slowlogLen: CommandHandler = (ctx) => ctx.reply.integer(runtime(ctx).slowlog.length);

const slowlogReset: CommandHandler = (ctx) => {
  runtime(ctx).slowlog.reset();
  ctx.reply.simple('OK');
};

const monitor: CommandHandler = (ctx) => {
  (ctx.client as Client).startMonitor();
  ctx.reply.simple('OK');
};

const ADMIN: readonly CommandFlag[] = ['admin', 'noscript', 'loading', 'stale'];
const sub = (name: string, arity: number, flags: readonly CommandFlag[], summary: string, handler: CommandHandler): CommandSpec =>
  spec(name, arity, flags, '2.0.0', summary, handler);

export const serverCommands: CommandSpec[] = [
  spec('command', -1, ['loading', 'stale'], '2.8.13', 'Get array of Redis command details', command, [
    sub('command|count', 2, ['loading', 'stale'], 'Get total number of Redis commands', commandCount),
    sub('command|info', -2, ['loading', 'stale'], 'Get array of specific Redis command details, or all when no argument is given.', commandInfo),
    sub('command|docs', -2, ['loading', 'stale'], 'Get array of specific Redis command documentation', commandDocs),
    sub('command|list', -2, ['loading', 'stale'], 'Get an array of Redis command names', commandList),
    sub('command|getkeys', -4, ['loading', 'stale'], 'Extract keys given a full Redis command', commandGetkeys),
    sub('command|getkeysandflags', -4, ['loading', 'stale'], 'Extract keys and access flags given a full Redis command', commandGetkeysandflags),
    sub('command|help', 2, ['loading', 'stale'], 'Show helpful text about the different subcommands', recordedHelp('command')),
  ]),
  spec('info', -1, ['loading', 'stale'], '1.0.0', 'Get information and statistics about the server', info),
  spec('config', -2, [], '2.0.0', 'A container for server configuration commands', requiresSubcommand, [
    sub('config|get', -3, ADMIN, 'Get the values of configuration parameters', configGetHandler),
    sub('config|set', -4, ADMIN, 'Set configuration parameters to the given values', configSetHandler),
    sub('config|resetstat', 2, ADMIN, 'Reset the stats returned by INFO', configResetstat),
    sub('config|rewrite', 2, ADMIN, 'Rewrite the configuration file with the in memory configuration', configRewrite),
    sub('config|help', 2, ['loading', 'stale'], 'Show helpful text about the different subcommands', recordedHelp('config')),
  ]),
  spec('time', 1, ['loading', 'stale', 'fast'], '2.6.0', 'Return the current server time', time),
  spec('lastsave', 1, ['loading', 'stale', 'fast'], '1.0.0', 'Get the UNIX time stamp of the last successful save to disk', lastsave),
  spec('save', 1, ['admin', 'noscript', 'no_multi'], '1.0.0', 'Synchronously save the dataset to disk', save),
  spec('bgsave', -1, ['admin', 'noscript'], '1.0.0', 'Asynchronously save the dataset to disk', bgsave),
  spec('bgrewriteaof', 1, ['admin', 'noscript'], '1.0.0', 'Asynchronously rewrite the append-only file', bgrewriteaof),
  spec('shutdown', -1, ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'], '1.0.0', 'Synchronously save the dataset to disk and then shut down the server', shutdown),
  spec('slowlog', -2, [], '2.2.12', 'A container for slow log commands', requiresSubcommand, [
    sub('slowlog|get', -2, ['admin', 'loading', 'stale'], 'Get the slow log\'s entries', slowlogGet),
    sub('slowlog|len', 2, ['admin', 'loading', 'stale'], 'Get the slow log\'s length', slowlogLen),
    sub('slowlog|reset', 2, ['admin', 'loading', 'stale'], 'Clear all entries from the slow log', slowlogReset),
    sub('slowlog|help', 2, ['loading', 'stale'], 'Show helpful text about the different subcommands', recordedHelp('slowlog')),
  ]),
  spec('monitor', 1, ['admin', 'noscript', 'loading', 'stale'], '1.0.0', 'Listen for all requests received by the server in real time', monitor),
  spec('debug', -2, ['admin', 'noscript', 'loading', 'stale'], '1.0.0', 'A container for debugging commands', debug),
];
