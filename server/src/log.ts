// The server log, in Redis's format ("pid:M 25 Nov 2026 12:03:44.807 * message") on stdout, so tools and
// people that read Redis logs read ours. Levels as Redis's `loglevel`; '.' '-' '*' '#' mark them.

import type { LogLevel, ServerConfig } from './config.js';

const RANK: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3 };
const MARK: Record<LogLevel, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export type Log = (level: LogLevel, message: string) => void;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function timestamp(d: Date): string {
  return (
    `${pad(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
  );
}

/** A log that honours the config's current loglevel (CONFIG SET loglevel takes effect at once). */
export function createLog(config: Pick<ServerConfig, 'loglevel'>, write = (line: string) => process.stdout.write(line)): Log {
  return (level, message) => {
    if (RANK[level] < RANK[config.loglevel]) return;
    write(`${process.pid}:M ${timestamp(new Date())} ${MARK[level]} ${message}\n`);
  };
}
