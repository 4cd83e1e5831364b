// Connection commands: PING ECHO QUIT RESET HELLO AUTH CLIENT. Replies and errors as Redis 7.0 sends them.

import type { CommandContext, CommandFlag, CommandHandler, CommandSpec } from '../command.js';
import type { PauseMode } from '../client-pause.js';
import type { Client } from '../connection.js';
import { NOT_INTEGER } from '../types/errors.js';
import { parseI64 } from '../types/numbers.js';
import { keylessSpecs, lower, recordedHelp, requiresSubcommand, runtime } from './spec.js';

/** The version HELLO and INFO report: Strata answers as the Redis it imitates. */
export const REDIS_VERSION = '7.0.15';

const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

// Every ClientState the server creates is its Client (connection.ts).
const clientOf = (ctx: CommandContext): Client => ctx.client as Client;

const spec = keylessSpecs('connection');

/** Redis accepts client names of printable non-space ASCII only. */
function validName(name: Buffer): boolean {
  return name.every((b) => b >= 0x21 && b <= 0x7e);
}

/** Checks a username/password pair against the single `default` user. */
function passwordMatches(ctx: CommandContext, user: string, password: Buffer): boolean {
  if (user !== 'default') return false;
  const required = ctx.server.config.requirepass;
  // With no password set, the default user is "nopass": any password is accepted.
  return required === '' || password.equals(Buffer.from(required));
}

const REDACTED = Buffer.from('(redacted)');

/** MONITOR shows AUTH's arguments as "(redacted)". */
const authMonitorArgs = (argv: Buffer[]): Buffer[] => argv.map((arg, i) => (i === 0 ? arg : REDACTED));

/** MONITOR shows the user and password of HELLO's AUTH option as "(redacted)". */
function helloMonitorArgs(argv: Buffer[]): Buffer[] {
  const shown = [...argv];
  for (let i = 2; i < argv.length; i++) {
    const option = lower(argv[i]!);
    if (option === 'auth' && i + 2 < argv.length) {
      shown[i + 1] = shown[i + 2] = REDACTED;
      i += 2;
    } else if (option === 'setname') i++;
  }
  return shown;
}

const ping: CommandHandler = ({ reply }, argv) => {
  if (argv.length > 2) return reply.error("ERR wrong number of arguments for 'ping' command");
  if (argv.length === 2) reply.bulk(argv[1]!);
  else reply.simple('PONG');
};

const echo: CommandHandler = ({ reply }, argv) => reply.bulk(argv[1]!);

const quit: CommandHandler = (ctx) => {
  ctx.reply.simple('OK');
  clientOf(ctx).closeAfterReply();
};

const reset: CommandHandler = (ctx) => {
  clientOf(ctx).reset();
  ctx.reply.simple('RESET');
};

const auth: CommandHandler = (ctx, argv) => {
  if (argv.length > 3) return ctx.reply.error('ERR syntax error');
  if (argv.length === 2 && ctx.server.config.requirepass === '') {
    return ctx.reply.error(
      'ERR AUTH <password> called without any password configured for the default user. ' +
        'Are you sure your configuration is correct?',
    );
  }
  const user = argv.length === 3 ? argv[1]!.toString() : 'default';
  if (!passwordMatches(ctx, user, argv[argv.length - 1]!)) return ctx.reply.error(WRONGPASS);
  ctx.client.authenticated = true;
  ctx.reply.simple('OK');
};

const hello: CommandHandler = (ctx, argv) => {
  const { reply, client } = ctx;
  let protocol = client.protocol;
  if (argv.length >= 2) {
    const version = parseI64(argv[1]!);
    if (version === undefined) return reply.error('ERR Protocol version is not an integer or out of range');
    if (version < 2n || version > 3n) return reply.error('NOPROTO unsupported protocol version');
    protocol = Number(version) as 2 | 3;
  }
  // As Redis 7.0, each option takes effect as it is read: AUTH authenticates (a later bad option does not
  // undo it), SETNAME names the client; the protocol changes only once all options passed.
  for (let i = 2; i < argv.length; i++) {
    const option = lower(argv[i]!);
    const left = argv.length - i - 1;
    if (option === 'auth' && left >= 2) {
      if (!passwordMatches(ctx, argv[i + 1]!.toString(), argv[i + 2]!)) return reply.error(WRONGPASS);
      client.authenticated = true;
      i += 2;
    } else if (option === 'setname' && left >= 1) {
      const name = argv[++i]!;
      if (!validName(name)) return reply.error('ERR Client names cannot contain spaces, newlines or special characters.');
      client.name = name.toString();
    } else {
      return reply.error(`ERR Syntax error in HELLO option '${argv[i]!.toString()}'`);
    }
  }
  if (!client.authenticated) {
    return reply.error(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> ' +
        'option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
  }
  client.protocol = protocol;
  reply.map(7);
  reply.bulk('server');
  reply.bulk('redis');
  reply.bulk('version');
  reply.bulk(REDIS_VERSION);
  reply.bulk('proto');
  reply.integer(protocol);
  reply.bulk('id');
  reply.integer(client.id);
  reply.bulk('mode');
  reply.bulk('standalone');
  reply.bulk('role');
  reply.bulk('master');
  reply.bulk('modules');
  reply.array(0);
};

// ---- CLIENT

const clientId: CommandHandler = ({ reply, client }) => reply.integer(client.id);

const clientSetname: CommandHandler = ({ reply, client }, argv) => {
  const name = argv[2]!;
  if (!validName(name)) return reply.error('ERR Client names cannot contain spaces, newlines or special characters.');
  client.name = name.toString();
  reply.simple('OK');
};

const clientGetname: CommandHandler = ({ reply, client }) => {
  if (client.name === '') reply.null();
  else reply.bulk(client.name);
};

/** Only normal clients exist here; the other classes Redis knows list nothing. */
const CLIENT_TYPES = ['normal', 'master', 'replica', 'slave', 'pubsub'];

const clientList: CommandHandler = (ctx, argv) => {
  const { reply } = ctx;
  let clients = [...runtime(ctx).clients.values()];
  if (argv.length > 2) {
    const filter = lower(argv[2]!);
    if (filter === 'type' && argv.length === 4) {
      const type = lower(argv[3]!);
      if (!CLIENT_TYPES.includes(type)) return reply.error(`ERR Unknown client type '${argv[3]!.toString()}'`);
      if (type !== 'normal') clients = [];
    } else if (filter === 'id' && argv.length >= 4) {
      // Any 64-bit integer is an ID to look for (0 and negative ones match nobody).
      const ids = new Set<bigint>();
      for (const arg of argv.slice(3)) {
        const id = parseI64(arg);
        if (id === undefined) return reply.error('ERR Invalid client ID');
        ids.add(id);
      }
      clients = clients.filter((c) => ids.has(BigInt(c.id)));
    } else {
      return reply.error('ERR syntax error');
    }
  }
  reply.verbatim(clients.map((c) => `${c.describe()}\n`).join(''));
};

const clientInfo: CommandHandler = (ctx) => ctx.reply.verbatim(`${clientOf(ctx).describe()}\n`);

const clientKill: CommandHandler = (ctx, argv) => {
  const { reply } = ctx;
  const self = clientOf(ctx);
  const all = [...runtime(ctx).clients.values()];
  if (argv.length === 3) {
    // Old form: CLIENT KILL ip:port.
    const target = all.find((c) => c.addr === argv[2]!.toString());
    if (target === undefined) return reply.error('ERR No such client');
    reply.simple('OK');
    return target === self ? self.closeAfterReply() : target.kill();
  }
  if (argv.length % 2 !== 0) return reply.error('ERR syntax error');
  let victims = all;
  let skipMe = true;
  for (let i = 2; i < argv.length; i += 2) {
    const filter = lower(argv[i]!);
    const value = argv[i + 1]!.toString();
    if (filter === 'id') {
      const id = parseI64(argv[i + 1]!);
      if (id === undefined || id <= 0n) return reply.error('ERR client-id should be greater than 0');
      victims = victims.filter((c) => BigInt(c.id) === id);
    } else if (filter === 'type') {
      const type = value.toLowerCase();
      if (!CLIENT_TYPES.includes(type)) return reply.error(`ERR Unknown client type '${value}'`);
      if (type !== 'normal') victims = [];
    } else if (filter === 'user') {
      if (value !== 'default') return reply.error(`ERR No such user '${value}'`);
    } else if (filter === 'addr') {
      victims = victims.filter((c) => c.addr === value);
    } else if (filter === 'laddr') {
      victims = victims.filter((c) => c.laddr === value);
    } else if (filter === 'skipme') {
      const yes = value.toLowerCase();
      if (yes !== 'yes' && yes !== 'no') return reply.error('ERR syntax error');
      skipMe = yes === 'yes';
    } else {
      return reply.error('ERR syntax error');
    }
  }
  if (skipMe) victims = victims.filter((c) => c !== self);
  reply.integer(victims.length);
  for (const victim of victims) {
    if (victim === self) self.closeAfterReply();
    else victim.kill();
  }
};

const clientNoEvict: CommandHandler = (ctx, argv) => {
  const mode = lower(argv[2]!);
  if (mode !== 'on' && mode !== 'off') return ctx.reply.error('ERR syntax error');
  clientOf(ctx).noEvict = mode === 'on';
  ctx.reply.simple('OK');
};

/** CLIENT REPLY ON answers OK; OFF and SKIP answer nothing (the connection suppresses replies from there). */
const clientReply: CommandHandler = (ctx, argv) => {
  const mode = lower(argv[2]!);
  if (mode !== 'on' && mode !== 'off' && mode !== 'skip') return ctx.reply.error('ERR syntax error');
  clientOf(ctx).setReplyMode(mode);
  if (mode === 'on') ctx.reply.simple('OK');
};

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if that client was blocked (in WAIT), which then answers as on its
 *  timeout, or with Redis's UNBLOCKED error. */
const clientUnblock: CommandHandler = (ctx, argv) => {
  const { reply } = ctx;
  const id = parseI64(argv[2]!);
  if (id === undefined) return reply.error(NOT_INTEGER);
  if (argv.length > 4) {
    return reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]!.toString()}'. Try CLIENT HELP.`);
  }
  const how = argv.length === 4 ? lower(argv[3]!) : 'timeout';
  if (how !== 'timeout' && how !== 'error') return reply.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  reply.integer(runtime(ctx).blocked.unblock(Number(id), how) ? 1 : 0);
};

/** WAIT numreplicas timeout: no replica ever acknowledges here, so the answer is 0 — at once when no replica
 *  is asked for, else once the timeout (milliseconds, 0 = none) runs out or CLIENT UNBLOCK ends the wait. A
 *  client that leaves, or a shutdown, ends it without an answer. */
const wait: CommandHandler = (ctx, argv) => {
  const { reply } = ctx;
  const replicas = parseI64(argv[1]!);
  if (replicas === undefined) return reply.error(NOT_INTEGER);
  const timeout = parseI64(argv[2]!);
  if (timeout === undefined) return reply.error('ERR timeout is not an integer or out of range');
  if (timeout < 0n) return reply.error('ERR timeout is negative');
  if (replicas <= 0n) return reply.integer(0);
  return runtime(ctx)
    .blocked.block(ctx.client.id, Number(timeout))
    .then((how) => {
      if (how === 'error') reply.error('UNBLOCKED client unblocked via CLIENT UNBLOCK');
      else if (how === 'timeout') reply.integer(0);
    });
};

const MAX_I64 = 2n ** 63n - 1n;

/** CLIENT PAUSE timeout [WRITE|ALL]: milliseconds; a deadline past Redis's 64-bit clock wraps there and pauses
 *  nothing, so it does not here either. */
const clientPause: CommandHandler = (ctx, argv) => {
  const { reply } = ctx;
  if (argv.length > 4) {
    return reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]!.toString()}'. Try CLIENT HELP.`);
  }
  const timeout = parseI64(argv[2]!);
  if (timeout === undefined) return reply.error('ERR timeout is not an integer or out of range');
  if (timeout < 0n) return reply.error('ERR timeout is negative');
  let mode: PauseMode = 'all';
  if (argv.length === 4) {
    const asked = lower(argv[3]!);
    if (asked !== 'write' && asked !== 'all') return reply.error('ERR CLIENT PAUSE mode must be WRITE or ALL');
    mode = asked;
  }
  const now = Date.now();
  if (timeout <= MAX_I64 - BigInt(now)) runtime(ctx).pause.pause(now + Number(timeout), mode);
  reply.simple('OK');
};

const clientUnpause: CommandHandler = (ctx) => {
  runtime(ctx).pause.unpause();
  ctx.reply.simple('OK');
};

/** Client-side caching (CLIENT TRACKING) does not exist here: tracking is off, redirecting nowhere. */
const clientGetredir: CommandHandler = ({ reply }) => reply.integer(-1);

const clientTrackinginfo: CommandHandler = ({ reply }) => {
  reply.map(3);
  reply.bulk('flags');
  reply.set(1);
  reply.bulk('off');
  reply.bulk('redirect');
  reply.integer(-1);
  reply.bulk('prefixes');
  reply.array(0);
};

const CLIENT_FLAGS: readonly CommandFlag[] = ['noscript', 'loading', 'stale'];
/** Redis flags the subcommands that see or change other clients 'admin' (so MONITOR does not show them). */
const CLIENT_ADMIN_FLAGS: readonly CommandFlag[] = ['admin', ...CLIENT_FLAGS];
const clientSub = (name: string, arity: number, since: string, summary: string, handler: CommandHandler, admin = false): CommandSpec =>
  spec(`client|${name}`, arity, admin ? CLIENT_ADMIN_FLAGS : CLIENT_FLAGS, since, summary, handler);

export const connectionCommands: CommandSpec[] = [
  spec('ping', -1, ['fast'], '1.0.0', 'Ping the server', ping),
  spec('echo', 2, ['fast'], '1.0.0', 'Echo the given string', echo),
  spec('quit', -1, ['allow_busy', 'noscript', 'loading', 'stale', 'fast', 'no_auth'], '1.0.0', 'Close the connection', quit),
  spec('reset', 1, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], '6.2.0', 'Reset the connection', reset),
  {
    ...spec('auth', -2, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], '1.0.0', 'Authenticate to the server', auth),
    monitorArgs: authMonitorArgs,
  },
  {
    ...spec('hello', -1, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], '6.0.0', 'Handshake with Redis', hello),
    monitorArgs: helloMonitorArgs,
  },
  spec('client', -2, [], '2.4.0', 'A container for client connection commands', requiresSubcommand, [
    clientSub('id', 2, '5.0.0', 'Returns the client ID for the current connection', clientId),
    clientSub('setname', 3, '2.6.9', 'Set the current connection name', clientSetname),
    clientSub('getname', 2, '2.6.9', 'Get the current connection name', clientGetname),
    clientSub('list', -2, '2.4.0', 'Get the list of client connections', clientList, true),
    clientSub('info', 2, '6.2.0', 'Returns information about the current client connection.', clientInfo),
    clientSub('kill', -3, '2.4.0', 'Kill open connections', clientKill, true),
    clientSub('no-evict', 3, '7.0.0', 'Set client eviction mode for the current connection', clientNoEvict, true),
    clientSub('reply', 3, '3.2.0', 'Instruct the server whether to reply to commands', clientReply),
    clientSub('pause', -3, '3.0.0', 'Stop processing commands from clients for some time', clientPause, true),
    clientSub('unpause', 2, '6.2.0', 'Resume processing of clients that were paused', clientUnpause, true),
    clientSub('unblock', -3, '5.0.0', 'Unblock a client blocked in a blocking command from a different connection', clientUnblock, true),
    clientSub('getredir', 2, '6.0.0', 'Get tracking notifications redirection client ID if any', clientGetredir),
    clientSub('trackinginfo', 2, '6.2.0', 'Return information about server assisted client side caching for the current connection', clientTrackinginfo),
    clientSub('help', 2, '5.0.0', 'Show helpful text about the different subcommands', recordedHelp('client')),
  ]),
  keylessSpecs('generic')('wait', 3, ['noscript'], '3.0.0', 'Wait for the synchronous replication of all the write commands sent in the context of the current connection', wait),
];
