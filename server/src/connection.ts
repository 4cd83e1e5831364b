// One client connection: socket bytes -> RequestDecoder -> command queue -> dispatch -> ReplyWriter -> socket.
//
// Commands run in order, synchronously one after another, so each is atomic (as on Redis's single thread); a
// handler that returns a promise pauses this connection only. Replies are taken per batch (everything decoded
// from one read, or up to a pause) and released to the socket only once the engine has made durable every
// write applied so far (`lastSequence`): nobody sees a write that a crash could take back, and the batches of
// many clients share one group commit. Batches wait in order, so replies stay in order.
//
// Replies are written once per turn of the event loop (write-scheduler.ts), after the server has handed the
// turn's writes to the WAL. A batch that reveals no write beyond the engine's durable sequence, with no batch
// waiting before it, is released at once; the others are released by that round if the hand-over made them
// durable (`everysec`, `no`), else when their sync ends: the connection then holds one durable() promise at a
// time, for its oldest waiting batch.

import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Db } from '@strata/engine';
import { ProtocolError, ReplyWriter, RequestDecoder } from '@strata/protocol';
import type { ClientState, CommandContext, CommandSpec } from './command.js';
import type { CommandStats } from './command-stats.js';
import type { ServerRuntime } from './server.js';
import type { PendingWriter } from './write-scheduler.js';

export type ReplyMode = 'on' | 'off' | 'skip';

/** A connected client as the connection and server commands see it (CLIENT, QUIT, RESET, INFO). */
export interface Client extends ClientState {
  readonly addr: string;
  readonly laddr: string;
  noEvict: boolean;
  /** The CLIENT LIST / CLIENT INFO line, without its newline. */
  describe(): string;
  /** RESET: database 0, RESP2, no name, replies on, and unauthenticated if a password is required. */
  reset(): void;
  /** CLIENT REPLY: the reply of the command that sets OFF or SKIP is suppressed too (it writes none). */
  setReplyMode(mode: ReplyMode): void;
  /** Close once the replies so far are written (QUIT). */
  closeAfterReply(): void;
  /** Close now, dropping whatever is not yet written (CLIENT KILL). */
  kill(): void;
  /** MONITOR: from now on this client is sent every command the server runs. */
  startMonitor(): void;
}

/** Reply bytes held for durability beyond this stop reading from the client until they are written. */
const MAX_HELD_BYTES = 8 * 1024 * 1024;

type Queued = Buffer[] | ProtocolError;

export class Connection implements Client, PendingWriter {
  readonly id: number;
  name = '';
  db = 0;
  noEvict = false;
  authenticated: boolean;
  readonly addr: string;
  readonly laddr: string;

  private readonly socket: Socket;
  private readonly server: ServerRuntime;
  private readonly engine: Db;
  private readonly reply: ReplyWriter;
  private readonly decoder: RequestDecoder;
  private readonly ctx: CommandContext;

  private readonly createdAt = Date.now();
  private lastInteraction = Date.now();
  private lastCommand = 'NULL';

  /** Decoded commands not yet run: queue[head..]. */
  private queue: Queued[] = [];
  private head = 0;
  /** True from the start of a drain until the queue is empty or the connection blocks on output. */
  private running = false;
  /** Settles when a command that paused the connection has finished. */
  private paused: Promise<void> | undefined;
  /** Run no more commands (QUIT, protocol error, kill, shutdown). */
  private closing = false;
  private closed = false;

  /** Reply bytes of the current batch taken out of the writer early (to cut a failed or silenced reply). */
  private held: Buffer[] = [];
  /** Batches waiting for durability, oldest first, and the engine sequence each one may reveal. */
  private waiting: Buffer[] = [];
  private waitingSequences: number[] = [];
  /** Bytes in `waiting`. */
  private heldBytes = 0;
  /** Batches released, to be written at the end of this turn of the event loop. */
  private outgoing: Buffer[] = [];
  /** This connection is in the write scheduler's next round (for outgoing or waiting batches). */
  private writeScheduled = false;
  /** The sequence a durable() promise is out for, 0 if none. */
  private awaitedSequence = 0;
  /** Called once `waiting` is empty (shutdown, QUIT). */
  private whenSentCallbacks: Array<() => void> = [];
  private durabilityFailed = false;
  private socketBlocked = false;
  private readingPaused = false;
  /** When the output first went over the soft limit (0: it is under). */
  private softLimitSince = 0;

  /** Error replies written so far (a command that adds one failed). */
  private errorReplies = 0;
  private replyOff = false;
  private skipThis = false;
  private skipNext = false;

  constructor(socket: Socket, server: ServerRuntime, id: number) {
    this.socket = socket;
    this.server = server;
    this.engine = server.engine;
    this.id = id;
    this.addr = `${socket.remoteAddress}:${socket.remotePort}`;
    this.laddr = `${socket.localAddress}:${socket.localPort}`;
    this.reply = new ReplyWriter(2);
    this.reply.onError = (message) => {
      this.errorReplies++;
      server.stats.errors.count(message);
    };
    this.decoder = new RequestDecoder({
      onCommand: (argv) => this.queue.push(argv),
      onError: (err) => this.queue.push(err),
    });
    this.authenticated = server.config.requirepass === '';
    this.ctx = { client: this, reply: this.reply, server };

    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => {
      this.socketBlocked = false;
      this.softLimitSince = 0;
      this.updateReading();
      this.run();
    });
    socket.on('error', (err) => this.server.log('verbose', `Client id=${id} addr=${this.addr}: ${err.message}`));
    socket.on('close', () => this.onClose());
  }

  get protocol(): 2 | 3 {
    return this.reply.protocol;
  }

  set protocol(version: 2 | 3) {
    this.reply.protocol = version;
  }

  describe(): string {
    const now = Date.now();
    const seconds = (ms: number): number => Math.floor(ms / 1000);
    const omem = this.socket.writableLength + this.heldBytes;
    return (
      `id=${this.id} addr=${this.addr} laddr=${this.laddr} fd=${socketFd(this.socket)} name=${this.name} ` +
      `age=${seconds(now - this.createdAt)} idle=${seconds(now - this.lastInteraction)} flags=${this.flags()} ` +
      `db=${this.db} sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 ` +
      `oll=0 omem=${omem} tot-mem=${omem} events=r cmd=${this.lastCommand} user=default redir=-1 resp=${this.protocol}`
    );
  }

  /** Redis's client flags, in its order: O monitor, b blocked, c closing after the reply, e no-evict; N for
   *  none. */
  private flags(): string {
    const { monitors, blocked } = this.server;
    const flags = `${monitors.has(this) ? 'O' : ''}${blocked.has(this.id) ? 'b' : ''}${this.closing ? 'c' : ''}${this.noEvict ? 'e' : ''}`;
    return flags === '' ? 'N' : flags;
  }

  reset(): void {
    this.server.monitors.delete(this);
    this.db = 0;
    this.name = '';
    this.protocol = 2;
    this.noEvict = false;
    this.setReplyMode('on');
    this.authenticated = this.server.config.requirepass === '';
  }

  setReplyMode(mode: ReplyMode): void {
    this.replyOff = mode === 'off';
    this.skipNext = mode === 'skip';
    if (mode === 'on') this.skipThis = false;
  }

  startMonitor(): void {
    this.server.monitors.add(this);
  }

  /** One MONITOR line. It goes out with this client's next batch, held like any reply until the writes it
   *  shows are durable. */
  feedMonitor(line: string): void {
    this.reply.simple(line);
    if (!this.running) queueMicrotask(() => this.flush());
  }

  closeAfterReply(): void {
    this.closing = true;
    this.decoder.close();
  }

  kill(): void {
    this.closing = true;
    this.decoder.close();
    this.socket.destroy();
  }

  /** Server shutdown: run no more commands, let the one in flight finish, write the replies, close. */
  async finish(): Promise<void> {
    this.closeAfterReply();
    this.socket.pause();
    while (this.paused !== undefined) await this.paused;
    await new Promise<void>((resolve) => this.whenSent(resolve));
    this.socket.end();
  }

  /** Called by the server about once a second: idle timeout and the soft output buffer limit. */
  cron(now: number): void {
    const { timeout, clientOutputBufferLimit: limit } = this.server.config;
    if (timeout > 0 && !this.running && now - this.lastInteraction > timeout * 1000) {
      this.server.log('verbose', `Closing idle client id=${this.id} addr=${this.addr}`);
      this.kill();
    } else if (limit.softBytes > 0 && this.softLimitSince > 0 && now - this.softLimitSince > limit.softSeconds * 1000) {
      this.overLimit();
    }
  }

  private onData(chunk: Buffer): void {
    this.server.stats.netInputBytes += chunk.length;
    this.lastInteraction = Date.now();
    // Limits as configured now (CONFIG SET applies to connected clients too); unauthenticated clients get
    // Redis's tighter request limits.
    const { config } = this.server;
    const limits = this.decoder.limits;
    limits.maxBulkLength = config.protoMaxBulkLen;
    limits.maxQueryBuffer = config.clientQueryBufferLimit;
    this.decoder.authRequired = !this.authenticated && config.requirepass !== '';
    this.decoder.feed(chunk);
    this.run();
  }

  private onClose(): void {
    this.server.monitors.delete(this);
    this.server.blocked.unblock(this.id, 'gone');
    this.closed = true;
    this.closing = true;
    this.decoder.close();
    this.queue = [];
    this.head = 0;
    this.outgoing = [];
    this.dropWaiting();
  }

  /** Start draining the queue unless a drain is already under way or paused. */
  private run(): void {
    if (this.running || this.closed) return;
    this.running = true;
    this.drain();
  }

  private drain(): void {
    while (this.head < this.queue.length && !this.closing) {
      if (this.outputBlocked()) {
        this.flush();
        this.running = false; // 'drain' or a written batch starts us again
        return;
      }
      const item = this.queue[this.head++]!;
      const pause = item instanceof ProtocolError ? this.protocolError(item) : this.execute(item);
      if (pause !== undefined) {
        this.paused = pause.then(() => {
          this.paused = undefined;
          this.drain();
        });
        return;
      }
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    this.flush();
    this.running = false;
    if (this.closing && !this.closed) this.whenSent(this.endSocket);
  }

  /** Run one command; a promise means the connection waits for it before the next. */
  private execute(argv: Buffer[]): Promise<void> | undefined {
    const { reply, server } = this;
    const before = reply.length;
    const found = server.commands.resolve(argv);
    if (found.error !== undefined) {
      if (found.rejected !== undefined) found.rejected.rejected++;
      reply.error(found.error);
      this.afterCommand(before);
      return undefined;
    }
    const { spec, stats, writes } = found;
    if (!this.authenticated && server.config.requirepass !== '' && !spec.flags.includes('no_auth')) {
      stats.rejected++;
      reply.error('NOAUTH Authentication required.');
      this.afterCommand(before);
      return undefined;
    }
    const held = server.pause.holds(writes);
    if (held !== undefined) {
      // CLIENT PAUSE: this command and the ones after it wait for the end of the pause, then run anew.
      this.flush();
      return held.then(() => (this.closing ? undefined : this.execute(argv)));
    }
    if (writes) {
      // Back-pressure: when flushes or compactions fall behind, writers wait (slowed, never failed). Should
      // the stall end in an engine failure, the command runs and meets that failure itself.
      const stall = this.engine.writeStall();
      if (stall !== undefined) {
        this.flush();
        const resume = (): Promise<void> | undefined => this.invoke(spec, stats, argv);
        return stall.then(resume, resume);
      }
    }
    return this.invoke(spec, stats, argv);
  }

  private invoke(spec: CommandSpec, stats: CommandStats, argv: Buffer[]): Promise<void> | undefined {
    const before = this.reply.length;
    const errorsBefore = this.errorReplies;
    this.lastCommand = spec.name;
    this.server.stats.totalCommands++;
    const started = performance.now();
    let result: void | Promise<void>;
    try {
      result = spec.handler(this.ctx, argv);
    } catch (err) {
      this.failCommand(spec, before, err);
      result = undefined;
    }
    // As Redis feeds MONITOR once the command's procedure returns: a command that waits (WAIT) shows when it
    // starts waiting, not when it ends.
    this.feedMonitors(spec, argv);
    if (result === undefined) {
      this.finished(spec, stats, argv, before, errorsBefore, started);
      return undefined;
    }
    // Time spent blocked (WAIT) is not the command's own: Redis leaves it out of commandstats and SLOWLOG.
    const unblocked = (): number => started + this.server.blocked.takeBlockedMillis(this.id);
    return result.then(
      () => this.finished(spec, stats, argv, before, errorsBefore, unblocked()),
      (err: unknown) => {
        this.failCommand(spec, before, err);
        this.finished(spec, stats, argv, before, errorsBefore, unblocked());
      },
    );
  }

  /** After a command: its statistics, SLOWLOG, CLIENT REPLY. */
  private finished(spec: CommandSpec, stats: CommandStats, argv: Buffer[], before: number, errorsBefore: number, started: number): void {
    const micros = (performance.now() - started) * 1000;
    stats.calls++;
    stats.usec += micros;
    if (this.errorReplies !== errorsBefore) stats.failed++;
    const { slowlogLogSlowerThan: slower, slowlogMaxLen, latencyTracking } = this.server.config;
    if (latencyTracking) stats.recordLatency(micros);
    if (slower >= 0 && micros >= slower) this.server.slowlog.record(micros, spec.monitorArgs?.(argv) ?? argv, this.addr, this.name, slowlogMaxLen);
    this.afterCommand(before);
  }

  /** Redis's MONITOR line: `+<seconds>.<micros> [<db> <addr>] "arg" ...`, arguments escaped as sdscatrepr. As
   *  Redis, it is fed once the handler returned (SELECT shows the new db), never for admin commands. */
  private feedMonitors(spec: CommandSpec, argv: Buffer[]): void {
    if (this.server.monitors.size === 0 || spec.flags.includes('admin') || spec.flags.includes('skip_monitor')) return;
    const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    const time = `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
    const shown = spec.monitorArgs?.(argv) ?? argv;
    const line = `${time} [${this.db} ${this.addr}] ${shown.map(quoteArg).join(' ')}`;
    for (const monitor of this.server.monitors) if (monitor !== this) (monitor as Connection).feedMonitor(line);
  }

  /** A handler threw: its partial reply is replaced by an error, and the server goes on. */
  private failCommand(spec: CommandSpec, before: number, err: unknown): void {
    this.cut(before);
    const message = err instanceof Error ? err.message : String(err);
    this.server.log('warning', `Command '${spec.name}' failed: ${message}`);
    this.reply.error(`ERR ${message}`);
  }

  /** CLIENT REPLY OFF/SKIP: drop what the command just replied. */
  private afterCommand(before: number): void {
    const silence = this.replyOff || this.skipThis;
    this.skipThis = this.skipNext;
    this.skipNext = false;
    if (silence) this.cut(before);
  }

  /** Drop the reply bytes written after the first `keep` untaken ones. */
  private cut(keep: number): void {
    const all = this.reply.take();
    if (keep > 0) this.held.push(all.subarray(0, keep));
  }

  private protocolError(err: ProtocolError): undefined {
    this.server.log('verbose', `Protocol error (${err.message}) from client: id=${this.id} addr=${this.addr}`);
    if (err.reply) this.reply.error(`ERR ${err.message}`);
    this.closeAfterReply();
    return undefined;
  }

  /** End of a batch: its replies go out now if every write applied so far is durable and no batch waits
   *  before them; otherwise they wait, in order, for the group commit that makes those writes durable. */
  private flush(): void {
    let bytes = this.reply.take();
    if (this.held.length > 0) {
      this.held.push(bytes);
      bytes = Buffer.concat(this.held);
      this.held = [];
    }
    if (bytes.length === 0 || this.closed || this.durabilityFailed) return;
    const sequence = this.engine.lastSequence;
    if (this.waiting.length === 0 && sequence <= this.engine.durableSequence) {
      this.release(bytes);
      return;
    }
    this.waiting.push(bytes);
    this.waitingSequences.push(sequence);
    this.heldBytes += bytes.length;
    this.updateReading();
    this.scheduleWrite(); // the round hands the writes to the WAL first, then releases what is durable
  }

  /** Moves the waiting batches now durable to `outgoing`, in order; one durable() promise waits for the
   *  oldest of the others. */
  private releaseDurable(): void {
    const durable = this.engine.durableSequence;
    const sequences = this.waitingSequences;
    let n = 0;
    while (n < sequences.length && sequences[n]! <= durable) n++;
    if (n > 0) {
      for (let i = 0; i < n; i++) {
        this.heldBytes -= this.waiting[i]!.length;
        this.outgoing.push(this.waiting[i]!);
      }
      if (n === sequences.length) {
        // The usual case: all of them (fresh arrays cost less than emptying these).
        this.waiting = [];
        this.waitingSequences = [];
      } else {
        this.waiting.splice(0, n);
        sequences.splice(0, n);
      }
      this.updateReading();
    }
    if (this.waiting.length > 0 && this.awaitedSequence === 0) {
      this.awaitedSequence = sequences[0]!;
      this.engine.durable(this.awaitedSequence).then(this.onDurable, this.onDurabilityFailure);
    }
  }

  /** The awaited sync ended: the next write round releases what it made durable. */
  private readonly onDurable = (): void => {
    this.awaitedSequence = 0;
    if (this.durabilityFailed || this.closed) return;
    this.scheduleWrite();
  };

  /** Queues a batch for the write at the end of this turn of the event loop. */
  private release(bytes: Buffer): void {
    this.outgoing.push(bytes);
    this.scheduleWrite();
  }

  private scheduleWrite(): void {
    if (!this.writeScheduled) {
      this.writeScheduled = true;
      this.server.writes.schedule(this);
    }
  }

  /** Writes the released batches, and the waiting ones now durable, several in one system call. */
  writePending(): void {
    this.writeScheduled = false;
    if (this.waiting.length > 0 && !this.closed && !this.durabilityFailed) {
      this.releaseDurable();
      // A drain stopped by held bytes goes on (its replies join a later round).
      if (!this.running && !this.outputBlocked() && this.head < this.queue.length) this.run();
    }
    const batches = this.outgoing;
    if (batches.length === 0) return;
    this.outgoing = [];
    if (!this.socket.writable) return this.sent();
    let bytes = 0;
    let drained: boolean;
    if (batches.length === 1) {
      bytes = batches[0]!.length;
      drained = this.socket.write(batches[0]!);
    } else {
      this.socket.cork();
      for (const batch of batches) {
        bytes += batch.length;
        this.socket.write(batch);
      }
      this.socket.uncork();
      drained = this.socket.writableLength === 0;
    }
    this.server.stats.netOutputBytes += bytes;
    if (!drained) {
      this.socketBlocked = true;
      this.updateReading();
    }
    if (this.socket.writableLength > 0) this.checkOutputLimit();
    if (this.waiting.length === 0) this.sent();
  }

  /** Calls `callback` once every batch is written (at once if none is pending). */
  private whenSent(callback: () => void): void {
    if (this.waiting.length === 0 && this.outgoing.length === 0) callback();
    else this.whenSentCallbacks.push(callback);
  }

  private sent(): void {
    const callbacks = this.whenSentCallbacks;
    if (callbacks.length === 0) return;
    this.whenSentCallbacks = [];
    for (const callback of callbacks) callback();
  }

  private readonly endSocket = (): void => {
    this.socket.end();
  };

  /** The WAL failed: the held replies may describe writes that are lost, so none of them is sent. */
  private readonly onDurabilityFailure = (err: unknown): void => {
    this.awaitedSequence = 0;
    this.dropWaiting();
    if (this.durabilityFailed || this.closed) return;
    this.durabilityFailed = true;
    this.writePending(); // replies released before the failure are durable
    const message = err instanceof Error ? err.message : String(err);
    this.server.log('warning', `Write-ahead log failure, closing client id=${this.id}: ${message}`);
    this.closing = true;
    this.decoder.close();
    this.socket.end(`-ERR Write-ahead log failure, the writes could not be made durable: ${message.replace(/[\r\n]/g, ' ')}\r\n`);
  };

  /** Forgets the waiting batches (closed, or the WAL failed): they will never be sent. */
  private dropWaiting(): void {
    this.waiting = [];
    this.waitingSequences = [];
    this.heldBytes = 0;
    if (this.outgoing.length === 0) this.sent();
  }

  private outputBlocked(): boolean {
    return this.socketBlocked || this.heldBytes > MAX_HELD_BYTES;
  }

  /** Stop reading while output is blocked, so neither the query nor the output side grows without bound. */
  private updateReading(): void {
    if (this.closing) return;
    const blocked = this.outputBlocked();
    if (blocked === this.readingPaused) return;
    this.readingPaused = blocked;
    if (blocked) this.socket.pause();
    else this.socket.resume();
  }

  private checkOutputLimit(): void {
    const { hardBytes, softBytes } = this.server.config.clientOutputBufferLimit;
    const pending = this.socket.writableLength;
    if (hardBytes > 0 && pending > hardBytes) return this.overLimit();
    if (softBytes > 0 && pending > softBytes) this.softLimitSince ||= Date.now();
    else this.softLimitSince = 0;
  }

  private overLimit(): void {
    this.server.log(
      'warning',
      `Client id=${this.id} addr=${this.addr} closed for overcoming of output buffer limits.`,
    );
    this.kill();
  }
}

/** The socket's file descriptor, for CLIENT LIST (Node keeps it on the internal handle). */
function socketFd(socket: Socket): number {
  const handle = (socket as unknown as { _handle?: { fd?: number } })._handle;
  return handle?.fd ?? -1;
}

const ESCAPES: Record<number, string> = { 0x5c: '\\\\', 0x22: '\\"', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x07: '\\a', 0x08: '\\b' };

/** Redis's sdscatrepr: a double-quoted string, non-printable bytes as \xHH. */
function quoteArg(arg: Buffer): string {
  let out = '"';
  for (const byte of arg) {
    out += ESCAPES[byte] ?? (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`);
  }
  return `${out}"`;
}
