// Server configuration: the `ServerConfig` every part reads, the redis.conf syntax it is loaded from, and the
// parameter table behind CONFIG GET/SET. One table serves the config file, the command line and CONFIG, so
// a parameter is validated the same way wherever it is set, with Redis's messages.

import type { FsyncPolicy } from '@strata/engine';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning';

/** Redis's client-output-buffer-limit for the `normal` class; 0 disables a limit. */
export interface OutputBufferLimit {
  hardBytes: number;
  softBytes: number;
  softSeconds: number;
}

export interface ServerConfig {
  port: number;
  /** Addresses to listen on (Redis's `bind` takes several). */
  bind: string[];
  protectedMode: boolean;
  dir: string;
  appendfsync: FsyncPolicy;
  /** '' when no password is required. */
  requirepass: string;
  maxclients: number;
  databases: number;
  loglevel: LogLevel;
  protoMaxBulkLen: number;
  clientQueryBufferLimit: number;
  clientOutputBufferLimit: OutputBufferLimit;
  /** Close a client idle this many seconds (0 = never). */
  timeout: number;
  /** Commands slower than this many microseconds enter the slow log (-1: none). */
  slowlogLogSlowerThan: number;
  slowlogMaxLen: number;
  /** Background task frequency (active expiry), per second. */
  hz: number;
  /** Whether each command's latencies are kept for INFO latencystats. */
  latencyTracking: boolean;
  /** The percentiles INFO latencystats reports. */
  latencyTrackingInfoPercentiles: number[];
  /** Absolute path of the config file the server started with ('' if none): CONFIG REWRITE rewrites it. */
  configFile: string;
  /** Who may run DEBUG: everyone, nobody, or clients on the loopback interface. Redis's default is 'no';
   *  Strata's is 'yes', as DEBUG SLEEP and DEBUG OBJECT are part of what it offers. */
  enableDebugCommand: 'yes' | 'no' | 'local';
}

export function defaultConfig(): ServerConfig {
  return {
    port: 6379,
    bind: ['127.0.0.1'],
    protectedMode: true,
    dir: './data',
    appendfsync: 'always',
    requirepass: '',
    maxclients: 10000,
    databases: 16,
    loglevel: 'notice',
    protoMaxBulkLen: 512 * 1024 * 1024,
    clientQueryBufferLimit: 1024 * 1024 * 1024,
    clientOutputBufferLimit: { hardBytes: 0, softBytes: 0, softSeconds: 0 },
    timeout: 0,
    slowlogLogSlowerThan: 10000,
    slowlogMaxLen: 128,
    hz: 10,
    latencyTracking: true,
    latencyTrackingInfoPercentiles: [50, 99, 99.9],
    configFile: '',
    enableDebugCommand: 'yes',
  };
}

/** A value refused by a parameter; the message is the part Redis prints after the parameter's name. */
export class ConfigError extends Error {}

interface ConfigParam {
  name: string;
  /** false: settable only at startup (Redis: "can't set immutable config"). */
  mutable: boolean;
  /** Number of arguments the directive takes in a config file (-1: one or more). */
  argc: number;
  get(config: ServerConfig): string;
  set(config: ServerConfig, args: string[]): void;
}

const MAX_LONG = 9223372036854775807n;

/** Redis's memtoll: 1k = 1000, 1kb = 1024, m/mb, g/gb; plain digits are bytes. */
export function parseMemory(text: string): number | undefined {
  const m = /^(-?\d+)(k|kb|m|mb|g|gb)?$/i.exec(text);
  if (!m) return undefined;
  const units: Record<string, number> = { k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  return Number(m[1]) * (m[2] ? units[m[2].toLowerCase()]! : 1);
}

function integer(text: string, min: number, max: bigint | number, memory: boolean): number {
  const value = memory ? parseMemory(text) : /^-?\d+$/.test(text) ? Number(text) : undefined;
  if (value === undefined || !Number.isSafeInteger(value)) {
    throw new ConfigError("argument couldn't be parsed into an integer");
  }
  if (value < min || BigInt(value) > BigInt(max)) {
    throw new ConfigError(`argument must be between ${min} and ${max} inclusive`);
  }
  return value;
}

function intParam(
  name: string,
  mutable: boolean,
  min: number,
  max: bigint | number,
  field: 'port' | 'maxclients' | 'databases' | 'protoMaxBulkLen' | 'clientQueryBufferLimit' | 'timeout' | 'hz' | 'slowlogLogSlowerThan' | 'slowlogMaxLen',
  memory = false,
): ConfigParam {
  return {
    name,
    mutable,
    argc: 1,
    get: (c) => String(c[field]),
    set: (c, [v]) => {
      c[field] = integer(v!, min, max, memory);
    },
  };
}

function enumParam<T extends string>(
  name: string,
  mutable: boolean,
  values: readonly T[],
  get: (c: ServerConfig) => T,
  set: (c: ServerConfig, v: T) => void,
): ConfigParam {
  return {
    name,
    mutable,
    argc: 1,
    get,
    set: (c, [v]) => {
      const value = values.find((x) => x === v!.toLowerCase());
      if (value === undefined) {
        throw new ConfigError(`argument(s) must be one of the following: ${values.join(', ')}`);
      }
      set(c, value);
    },
  };
}

function yesNo(text: string): boolean {
  const v = text.toLowerCase();
  if (v !== 'yes' && v !== 'no') throw new ConfigError("argument must be 'yes' or 'no'");
  return v === 'yes';
}

/** The words of a multi-word parameter's arguments: a config file gives them apart, CONFIG SET as one
 *  space-separated value. */
const words = (args: string[]): string[] => args.flatMap((a) => a.split(' ')).filter((a) => a !== '');

/** A yes/no parameter, settable at any time. */
function boolParam(name: string, field: 'protectedMode' | 'latencyTracking'): ConfigParam {
  return {
    name,
    mutable: true,
    argc: 1,
    get: (c) => (c[field] ? 'yes' : 'no'),
    set: (c, [v]) => {
      c[field] = yesNo(v!);
    },
  };
}

function outputBufferLimit(args: string[]): OutputBufferLimit {
  // Redis's form is "<class> <hard> <soft> <seconds>" repeated; only the normal class applies to us, the
  // others (replica, pubsub) are accepted so a redis.conf loads unchanged.
  if (args.length === 0 || args.length % 4 !== 0) {
    throw new ConfigError('Wrong number of arguments in buffer limit configuration.');
  }
  let normal: OutputBufferLimit | undefined;
  for (let i = 0; i < args.length; i += 4) {
    const cls = args[i]!.toLowerCase();
    if (!['normal', 'slave', 'replica', 'pubsub'].includes(cls)) {
      throw new ConfigError('Invalid client class specified in buffer limit configuration.');
    }
    const hard = parseMemory(args[i + 1]!);
    const soft = parseMemory(args[i + 2]!);
    const seconds = /^\d+$/.test(args[i + 3]!) ? Number(args[i + 3]) : undefined;
    if (hard === undefined || soft === undefined || seconds === undefined || hard < 0 || soft < 0) {
      throw new ConfigError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
    }
    if (cls === 'normal') normal = { hardBytes: hard, softBytes: soft, softSeconds: seconds };
  }
  return normal ?? { hardBytes: 0, softBytes: 0, softSeconds: 0 };
}

/** A percentile as Redis prints it (printf's %f, trailing zeros and point trimmed): 50, 99.9. */
export function formatPercentile(percentile: number): string {
  return String(Number(percentile.toFixed(6)));
}

/** latency-tracking-info-percentiles: numbers from 0 to 100, none for an empty value. */
function percentiles(args: string[]): number[] {
  return args.map((text) => {
    const value = text.trim() === text && text !== '' ? Number(text) : Number.NaN;
    if (Number.isNaN(value)) throw new ConfigError('Invalid latency-tracking-info-percentiles parameters');
    if (value < 0 || value > 100) throw new ConfigError('latency-tracking-info-percentiles parameters should sit between [0.0,100.0]');
    return value;
  });
}

/** A parameter Strata reads as Redis's default and cannot change: setting that value is accepted (so a
 *  redis.conf that states it loads), any other is refused with `why`. */
function fixedParam(name: string, value: string, why: string, same = (v: string) => v.toLowerCase() === value): ConfigParam {
  return {
    name,
    mutable: true,
    argc: 1,
    get: () => value,
    set: (_c, [v]) => {
      if (!same(v!)) throw new ConfigError(why);
    },
  };
}

const PARAMS: readonly ConfigParam[] = [
  intParam('port', false, 0, 65535, 'port'),
  {
    name: 'bind',
    mutable: false,
    argc: -1,
    get: (c) => c.bind.join(' '),
    set: (c, args) => {
      c.bind = words(args);
    },
  },
  boolParam('protected-mode', 'protectedMode'),
  {
    name: 'dir',
    mutable: false,
    argc: 1,
    get: (c) => c.dir,
    set: (c, [v]) => {
      c.dir = v!;
    },
  },
  // CONFIG SET applies it to the engine (commands/server.ts).
  enumParam('appendfsync', true, ['everysec', 'always', 'no'] as const, (c) => c.appendfsync, (c, v) => {
    c.appendfsync = v;
  }),
  {
    name: 'requirepass',
    mutable: true,
    argc: 1,
    get: (c) => c.requirepass,
    set: (c, [v]) => {
      c.requirepass = v!;
    },
  },
  enumParam('enable-debug-command', false, ['no', 'yes', 'local'] as const, (c) => c.enableDebugCommand, (c, v) => {
    c.enableDebugCommand = v;
  }),
  intParam('maxclients', true, 1, 4294967295, 'maxclients'),
  intParam('databases', false, 1, 2147483647, 'databases'),
  enumParam('loglevel', true, ['debug', 'verbose', 'notice', 'warning'] as const, (c) => c.loglevel, (c, v) => {
    c.loglevel = v;
  }),
  intParam('proto-max-bulk-len', true, 1024 * 1024, MAX_LONG, 'protoMaxBulkLen', true),
  intParam('client-query-buffer-limit', true, 1024 * 1024, MAX_LONG, 'clientQueryBufferLimit', true),
  {
    name: 'client-output-buffer-limit',
    mutable: true,
    argc: -1,
    get: ({ clientOutputBufferLimit: l }) =>
      `normal ${l.hardBytes} ${l.softBytes} ${l.softSeconds} slave 268435456 67108864 60 pubsub 33554432 8388608 60`,
    set: (c, args) => {
      c.clientOutputBufferLimit = outputBufferLimit(words(args));
    },
  },
  intParam('timeout', true, 0, 2147483647, 'timeout'),
  intParam('slowlog-log-slower-than', true, -1, MAX_LONG, 'slowlogLogSlowerThan'),
  intParam('slowlog-max-len', true, 0, MAX_LONG, 'slowlogMaxLen'),
  {
    // Redis takes any int and clamps it to 1..500.
    name: 'hz',
    mutable: true,
    argc: 1,
    get: (c) => String(c.hz),
    set: (c, [v]) => {
      c.hz = Math.min(500, Math.max(1, integer(v!, 0, 2147483647, false)));
    },
  },
  boolParam('latency-tracking', 'latencyTracking'),
  {
    name: 'latency-tracking-info-percentiles',
    mutable: true,
    argc: -1,
    get: (c) => c.latencyTrackingInfoPercentiles.map(formatPercentile).join(' '),
    set: (c, args) => {
      c.latencyTrackingInfoPercentiles = percentiles(words(args));
    },
  },
  // Asked by tools and job queues (which want noeviction). Strata keeps its data on disk, so it never evicts;
  // no pub/sub here, so no keyspace notifications either.
  fixedParam('maxmemory', '0', 'Strata evicts nothing (its data lives on disk): maxmemory must be 0', (v) => parseMemory(v) === 0),
  fixedParam('maxmemory-policy', 'noeviction', 'Strata evicts nothing: the only policy is noeviction'),
  fixedParam('notify-keyspace-events', '', 'keyspace notifications are not supported'),
  // Asked by redis-benchmark and other tools, and present in every redis.conf. Strata keeps no RDB snapshots
  // and always logs writes to the engine's WAL, so these read as `save ""` and `appendonly yes` whatever is
  // set; setting them is accepted (so a redis.conf loads unchanged) and has no effect.
  { name: 'save', mutable: true, argc: -1, get: () => '', set: () => {} },
  {
    name: 'appendonly',
    mutable: true,
    argc: 1,
    get: () => 'yes',
    set: (_c, [v]) => {
      yesNo(v!);
    },
  },
];

const BY_NAME = new Map(PARAMS.map((p) => [p.name, p]));

/** Redis's stringmatchlen for CONFIG GET patterns: * ? [...] and \ escapes, case-insensitive. */
export function globMatch(pattern: string, text: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (ch === '\\' && i + 1 < pattern.length) re += escapeRegExp(pattern[++i]!);
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return false;
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\]\\]/g, '\\$&')}]`;
      i = end;
    } else re += escapeRegExp(ch);
  }
  return new RegExp(`^${re}$`, 'is').test(text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** CONFIG GET: every parameter matching any of the patterns, once each. A plain name is echoed as given
 *  (`CONFIG GET PORT` answers `PORT`), as Redis does. */
export function configGet(config: ServerConfig, patterns: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const pattern of patterns) {
    const plain = !/[*?[]/.test(pattern);
    for (const param of plain ? [BY_NAME.get(pattern.toLowerCase())] : PARAMS) {
      if (param === undefined || seen.has(param.name) || !globMatch(pattern, param.name)) continue;
      seen.add(param.name);
      out.push([plain ? pattern : param.name, param.get(config)]);
    }
  }
  return out;
}

/** CONFIG SET name value [name value ...]: all or nothing. Throws ConfigError with Redis's full message. */
export function configSet(config: ServerConfig, pairs: ReadonlyArray<readonly [string, string]>): void {
  const next: ServerConfig = structuredClone(config);
  const seen = new Set<string>();
  for (const [rawName, value] of pairs) {
    const name = rawName.toLowerCase();
    const param = BY_NAME.get(name);
    if (param === undefined) {
      throw new ConfigError(`ERR Unknown option or number of arguments for CONFIG SET - '${rawName}'`);
    }
    const fail = (why: string): never => {
      throw new ConfigError(`ERR CONFIG SET failed (possibly related to argument '${rawName}') - ${why}`);
    };
    if (seen.has(name)) fail('duplicate parameter');
    seen.add(name);
    if (!param.mutable) fail("can't set immutable config");
    try {
      param.set(next, [value]);
    } catch (err) {
      if (err instanceof ConfigError) fail(err.message);
      throw err;
    }
  }
  Object.assign(config, next);
}

/** Apply one directive (from a config file line or a `--name value` argument). */
export function applyDirective(config: ServerConfig, name: string, args: string[]): void {
  const param = BY_NAME.get(name.toLowerCase());
  if (param === undefined || (param.argc === -1 ? args.length === 0 : args.length !== param.argc)) {
    throw new ConfigError('Bad directive or wrong number of arguments');
  }
  param.set(config, args);
}

/** A value as a config file line writes it: multi-word parameters as words, others quoted when needed. */
function configValue(param: ConfigParam, value: string): string {
  if (value === '') return '""';
  if (param.argc === -1 || /^[^\s"'\\]+$/.test(value)) return value;
  return `"${value.replace(/["\\]/g, '\\$&').replace(/\n/g, '\\n')}"`;
}

/** CONFIG REWRITE: the file's text with each known parameter's line set to its current value (later
 *  duplicates dropped), other lines and comments kept, and parameters that differ from their default and have
 *  no line yet appended, as Redis does. */
export function rewriteConfigText(config: ServerConfig, text: string): string {
  const defaults = defaultConfig();
  const written = new Set<string>();
  const out: string[] = [];
  for (const line of text.replace(/\n$/, '').split('\n')) {
    const words = splitArgs(line.trim());
    const param = words?.[0] === undefined ? undefined : BY_NAME.get(words[0].toLowerCase());
    if (param === undefined) {
      out.push(line);
    } else if (!written.has(param.name)) {
      written.add(param.name);
      out.push(`${param.name} ${configValue(param, param.get(config))}`);
    }
  }
  const added = PARAMS.filter((p) => !written.has(p.name) && p.get(config) !== p.get(defaults));
  if (added.length > 0) {
    out.push('# Generated by CONFIG REWRITE', ...added.map((p) => `${p.name} ${configValue(p, p.get(config))}`));
  }
  return `${out.join('\n')}\n`;
}

/** Redis's sdssplitargs: words separated by blanks; "double quotes" with \n \t \xHH escapes; 'single'.
 *  Returns undefined for unbalanced quotes. */
export function splitArgs(line: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  const blank = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  for (;;) {
    while (blank(line[i])) i++;
    if (i >= line.length) return out;
    let word = '';
    let inDouble = false;
    let inSingle = false;
    for (;;) {
      const c = line[i];
      if (inDouble) {
        if (c === undefined) return undefined;
        if (c === '\\' && line[i + 1] === 'x' && /^[0-9a-f]{2}$/i.test(line.slice(i + 2, i + 4))) {
          word += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === '\\' && i + 1 < line.length) {
          const e = line[++i]!;
          word += ({ n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' } as Record<string, string>)[e] ?? e;
        } else if (c === '"') {
          if (line[i + 1] !== undefined && !blank(line[i + 1])) return undefined;
          inDouble = false;
          i++;
          break;
        } else word += c;
      } else if (inSingle) {
        if (c === undefined) return undefined;
        if (c === '\\' && line[i + 1] === "'") {
          word += "'";
          i++;
        } else if (c === "'") {
          if (line[i + 1] !== undefined && !blank(line[i + 1])) return undefined;
          inSingle = false;
          i++;
          break;
        } else word += c;
      } else if (c === undefined || blank(c)) break;
      else if (c === '"' && word === '') inDouble = true;
      else if (c === "'" && word === '') inSingle = true;
      else word += c;
      i++;
    }
    out.push(word);
  }
}

/** Load redis.conf-syntax text into `config`. Errors name the line, as Redis's "FATAL CONFIG FILE ERROR". */
export function parseConfigText(config: ServerConfig, text: string): void {
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const words = splitArgs(line);
    const fail = (why: string): never => {
      throw new ConfigError(`Reading the configuration file, at line ${index + 1}\n>>> '${line}'\n${why}`);
    };
    if (words === undefined) return fail('Unbalanced quotes in configuration line');
    try {
      applyDirective(config, words[0]!, words.slice(1));
    } catch (err) {
      if (err instanceof ConfigError) fail(err.message);
      throw err;
    }
  });
}
