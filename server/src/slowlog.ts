// SLOWLOG: the commands that ran longer than `slowlog-log-slower-than` microseconds (0: every command; -1:
// none), the newest `slowlog-max-len` of them, each with Redis's entry fields. Arguments are kept as Redis
// keeps them: at most 32 (the last one then says how many more there were), each cut at 128 bytes, and
// passwords redacted as MONITOR shows them.

const MAX_ARGS = 32;
const MAX_ARG_BYTES = 128;

export interface SlowlogEntry {
  id: number;
  /** Unix seconds when the command finished. */
  time: number;
  micros: number;
  args: Buffer[];
  addr: string;
  name: string;
}

export class Slowlog {
  /** Newest first. */
  private entries: SlowlogEntry[] = [];
  /** Ids keep counting across RESET, as Redis's do. */
  private nextId = 0;

  get length(): number {
    return this.entries.length;
  }

  record(micros: number, args: readonly Buffer[], addr: string, name: string, maxLength: number): void {
    const kept = args.length > MAX_ARGS ? args.slice(0, MAX_ARGS - 1) : args;
    const entryArgs = kept.map((arg) =>
      arg.length > MAX_ARG_BYTES ? Buffer.concat([arg.subarray(0, MAX_ARG_BYTES), Buffer.from(`... (${arg.length - MAX_ARG_BYTES} more bytes)`)]) : Buffer.from(arg),
    );
    if (args.length > MAX_ARGS) entryArgs.push(Buffer.from(`... (${args.length - MAX_ARGS + 1} more arguments)`));
    this.entries.unshift({ id: this.nextId++, time: Math.floor(Date.now() / 1000), micros: Math.floor(micros), args: entryArgs, addr, name });
    if (this.entries.length > maxLength) this.entries.length = maxLength;
  }

  /** The newest `count` entries (all when count is -1). */
  newest(count: number): readonly SlowlogEntry[] {
    return count < 0 ? this.entries : this.entries.slice(0, count);
  }

  reset(): void {
    this.entries = [];
  }
}
