// The command table: every family's CommandSpec[] joined into one lookup by lower-case name, and the checks
// Redis makes before running a command (unknown command or subcommand, arity), with Redis's exact errors.
// COMMAND (COUNT, INFO, DOCS, LIST) is answered from the same table.

import type { CommandSpec } from './command.js';
import { CommandStats } from './command-stats.js';
import { connectionCommands } from './commands/connection.js';
import { databaseCommands } from './commands/databases.js';
import { expireCommands } from './commands/expire.js';
import { keyCommands } from './commands/keys.js';
import { scanCommands } from './commands/scan.js';
import { serverCommands } from './commands/server.js';
import { bitCommands } from './commands/bits.js';
import { stringCommands } from './commands/strings.js';

/** What a request resolves to: the spec to run and its statistics, or the error to reply instead (and the
 *  statistics of the command it rejects, when it names one). */
export type Resolution = Found | { spec?: undefined; error: string; rejected?: CommandStats };
type Found = { spec: CommandSpec; stats: CommandStats; writes: boolean; error?: undefined };

/** Redis quotes at most this much of a bad command name or of its arguments in an error. */
const QUOTE_LIMIT = 128;

export class CommandTable {
  private readonly byName = new Map<string, CommandSpec>();
  /** Each command's resolution, made once, by a hash of its name folded to lower case: resolve() finds a
   *  command from argv[0]'s bytes without making a string of them. */
  private readonly byHash = new Map<number, Found[]>();
  /** Each subcommand's resolution by 'container|sub'. */
  private readonly subResolutions = new Map<string, Found>();
  /** Every command and subcommand, in table order. */
  private readonly resolutions: Found[] = [];

  constructor(families: ReadonlyArray<readonly CommandSpec[]>) {
    for (const family of families) {
      for (const spec of family) {
        if (this.byName.has(spec.name)) throw new Error(`command '${spec.name}' is defined twice`);
        // Every container answers HELP with Redis's own text (recorded in its family's file).
        if (spec.subcommands !== undefined && !spec.subcommands.some((s) => s.name === `${spec.name}|help`)) {
          throw new Error(`container '${spec.name}' has no HELP subcommand`);
        }
        this.byName.set(spec.name, spec);
        const hash = nameHash(Buffer.from(spec.name, 'latin1'));
        const bucket = this.byHash.get(hash);
        const found = resolution(spec);
        if (bucket === undefined) this.byHash.set(hash, [found]);
        else bucket.push(found);
        this.resolutions.push(found);
        for (const sub of spec.subcommands ?? []) {
          const subFound = resolution(sub);
          this.subResolutions.set(sub.name, subFound);
          this.resolutions.push(subFound);
        }
      }
    }
  }

  /** Top-level commands (subcommands are reached through their container). */
  get size(): number {
    return this.byName.size;
  }

  commands(): IterableIterator<CommandSpec> {
    return this.byName.values();
  }

  /** A command ('get') or a subcommand ('config|get'), by lower-case name. */
  get(name: string): CommandSpec | undefined {
    return name.includes('|') ? this.subResolutions.get(name)?.spec : this.byName.get(name);
  }

  /** The statistics of every command and subcommand that ran or was rejected, by name. */
  usedStats(): Array<[string, CommandStats]> {
    return this.resolutions.filter((f) => f.stats.calls > 0 || f.stats.rejected > 0).map((f) => [f.spec.name, f.stats]);
  }

  /** CONFIG RESETSTAT. */
  resetStats(): void {
    for (const found of this.resolutions) found.stats.reset();
  }

  /** Look up argv's command (and subcommand) and check its arity, as Redis's processCommand does. */
  resolve(argv: readonly Buffer[]): Resolution {
    let found = this.find(argv[0]!);
    if (found === undefined) return { error: unknownCommand(argv) };
    const { spec } = found;
    if (spec.subcommands !== undefined && argv.length >= 2) {
      const subName = `${spec.name}|${argv[1]!.toString('latin1').toLowerCase()}`;
      const sub = this.subResolutions.get(subName);
      if (sub === undefined) {
        return {
          error: `ERR unknown subcommand '${quote(argv[1]!, QUOTE_LIMIT)}'. Try ${spec.name.toUpperCase()} HELP.`,
        };
      }
      found = sub;
    }
    const { arity, name } = found.spec;
    if ((arity > 0 && argv.length !== arity) || argv.length < -arity) {
      return { error: `ERR wrong number of arguments for '${name}' command`, rejected: found.stats };
    }
    return found;
  }

  private find(name: Buffer): Found | undefined {
    if (name.length > MAX_NAME) return undefined;
    const bucket = this.byHash.get(nameHash(name));
    if (bucket === undefined) return undefined;
    for (const found of bucket) if (sameName(found.spec.name, name)) return found;
    return undefined;
  }
}

/** A command's resolution; `writes` is read for every command run (CLIENT PAUSE WRITE, write stalls). */
const resolution = (spec: CommandSpec): Found => ({ spec, stats: new CommandStats(), writes: spec.flags.includes('write') });

/** No command name is longer (a longer argv[0] is not looked up). */
const MAX_NAME = 32;

/** FNV-1a over the bytes with ASCII letters folded to lower case. */
function nameHash(name: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ lower(name[i]!), 0x01000193);
  return h >>> 0;
}

/** Whether `bytes` spell `name` (lower case), ignoring ASCII case. */
function sameName(name: string, bytes: Uint8Array): boolean {
  if (name.length !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (lower(bytes[i]!) !== name.charCodeAt(i)) return false;
  return true;
}

const lower = (c: number): number => (c >= 65 && c <= 90 ? c | 0x20 : c);

/** Every family's commands, joined. */
export function createCommandTable(): CommandTable {
  return new CommandTable([
    connectionCommands,
    serverCommands,
    stringCommands,
    bitCommands,
    keyCommands,
    expireCommands,
    scanCommands,
    databaseCommands,
  ]);
}

/** At most `limit` bytes of `arg`, ending at its first NUL byte as Redis's "%.*s" does. */
function quoted(arg: Buffer, limit: number): Buffer {
  const nul = arg.indexOf(0);
  return arg.subarray(0, Math.min(nul < 0 ? arg.length : nul, limit));
}

function quote(arg: Buffer, limit: number): string {
  return quoted(arg, limit).toString('utf8');
}

/** Redis: "unknown command 'foo', with args beginning with: 'a' 'b' " (args quoted up to 128 bytes in all). */
function unknownCommand(argv: readonly Buffer[]): string {
  const args: Buffer[] = [];
  let size = 0;
  for (let i = 1; i < argv.length && size < QUOTE_LIMIT; i++) {
    const arg = quoted(argv[i]!, QUOTE_LIMIT - size);
    args.push(QUOTE, arg, QUOTE_SPACE);
    size += arg.length + 3;
  }
  return `ERR unknown command '${quote(argv[0]!, QUOTE_LIMIT)}', with args beginning with: ${Buffer.concat(args).toString('utf8')}`;
}

const QUOTE = Buffer.from("'");
const QUOTE_SPACE = Buffer.from("' ");
