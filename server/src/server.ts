// The TCP server: opens the engine and the keyspace, listens, admits clients (maxclients, protected mode),
// runs the background cron (active expiry, client timeouts), and shuts down in order: stop accepting, let
// in-flight commands finish and their replies go out, make everything durable, close the engine.

import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { open, type Db, type OpenOptions } from '@strata/engine';
import type { ServerContext } from './command.js';
import { BlockedClients } from './blocked-clients.js';
import { ClientPause } from './client-pause.js';
import { ErrorStats } from './command-stats.js';
import { Slowlog } from './slowlog.js';
import { createCommandTable, type CommandTable } from './command-table.js';
import type { ServerConfig } from './config.js';
import { Connection, type Client } from './connection.js';
import type { Log } from './log.js';
import { LogRewrite } from './log-rewrite.js';
import { Keyspace } from './types/keyspace.js';
import { WriteScheduler } from './write-scheduler.js';
import { InstantaneousMetric, METRIC_PERIOD_MS } from './instantaneous-metric.js';

export interface ServerStats {
  totalConnections: number;
  totalCommands: number;
  rejectedConnections: number;
  netInputBytes: number;
  netOutputBytes: number;
  /** Error replies, in all and by code (INFO errorstats). */
  readonly errors: ErrorStats;
  /** Rates of the three counters above, as INFO's instantaneous_* fields. */
  readonly opsRate: InstantaneousMetric;
  readonly inputRate: InstantaneousMetric;
  readonly outputRate: InstantaneousMetric;
}

/** What the connection and server command families see of the server (INFO, CLIENT, COMMAND, SHUTDOWN). */
export interface ServerRuntime extends ServerContext {
  readonly commands: CommandTable;
  readonly clients: ReadonlyMap<number, Client>;
  /** Clients in MONITOR mode. */
  readonly monitors: Set<Client>;
  readonly stats: ServerStats;
  /** CLIENT PAUSE / UNPAUSE. */
  readonly pause: ClientPause;
  /** Clients blocked in WAIT. */
  readonly blocked: BlockedClients;
  readonly slowlog: Slowlog;
  readonly log: Log;
  /** The TCP port actually listened on. */
  readonly port: number;
  /** Unix ms of the start. */
  readonly startedAt: number;
  /** Writes released replies once per turn of the event loop. */
  readonly writes: WriteScheduler;
  /** Unix seconds of the last successful SAVE (LASTSAVE); the start time before any. */
  readonly lastSave: number;
  /** SAVE/BGSAVE: make every write durable and flush the memtable to a table. */
  save(): Promise<void>;
  /** BGREWRITEAOF and its INFO persistence fields. */
  readonly logRewrite: LogRewrite;
  /** Stop the server (SHUTDOWN, SIGTERM); resolves when the engine is closed. */
  shutdown(): Promise<void>;
}

/** Addresses of the loopback interface (protected mode, enable-debug-command local). */
export const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const DENIED =
  "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

export class Server implements ServerRuntime {
  readonly config: ServerConfig;
  readonly engine: Db;
  readonly keyspace: Keyspace;
  readonly commands = createCommandTable();
  readonly clients = new Map<number, Connection>();
  readonly monitors = new Set<Client>();
  readonly stats: ServerStats = {
    totalConnections: 0,
    totalCommands: 0,
    rejectedConnections: 0,
    netInputBytes: 0,
    netOutputBytes: 0,
    errors: new ErrorStats(),
    opsRate: new InstantaneousMetric(),
    inputRate: new InstantaneousMetric(),
    outputRate: new InstantaneousMetric(),
  };
  readonly pause = new ClientPause();
  readonly blocked = new BlockedClients();
  readonly slowlog = new Slowlog();
  readonly log: Log;
  readonly startedAt = Date.now();
  lastSave = Math.floor(Date.now() / 1000);
  readonly logRewrite: LogRewrite;
  readonly writes: WriteScheduler;
  port = 0;
  /** Resolves with the process exit code once the server has shut down. */
  readonly closed: Promise<number>;

  private readonly listeners: NetServer[] = [];
  private nextClientId = 1;
  private cronTimer: NodeJS.Timeout | undefined;
  private lastClientsCron = 0;
  private lastMetricsSample = 0;
  private stopping: Promise<void> | undefined;
  private resolveClosed!: (code: number) => void;

  private constructor(config: ServerConfig, engine: Db, keyspace: Keyspace, log: Log) {
    this.config = config;
    this.engine = engine;
    this.keyspace = keyspace;
    this.log = log;
    this.writes = new WriteScheduler(() => engine.commitNow());
    this.logRewrite = new LogRewrite(engine, log);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  /** Open the data directory (the engine locks it: a second server on it fails here) and listen.
   *  `engineOptions` are added to the engine's (tests run a server in process on an in-memory file system
   *  that fails on demand). */
  static async start(config: ServerConfig, log: Log, engineOptions: OpenOptions = {}): Promise<Server> {
    const engine = await open(config.dir, { ...engineOptions, fsync: config.appendfsync });
    let server: Server;
    try {
      const keyspace = await Keyspace.open(engine, { databases: config.databases });
      server = new Server(config, engine, keyspace, log);
      await server.listen();
    } catch (err) {
      await engine.close();
      throw err;
    }
    log('notice', `Running mode=standalone, port=${server.port}.`);
    log('warning', 'Server initialized');
    server.scheduleCron();
    log('notice', 'Ready to accept connections tcp');
    return server;
  }

  async save(): Promise<void> {
    await this.engine.durable();
    await this.engine.flush();
    this.lastSave = Math.floor(Date.now() / 1000);
  }

  shutdown(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  private async stop(): Promise<void> {
    this.log('warning', 'User requested shutdown...');
    clearTimeout(this.cronTimer);
    for (const listener of this.listeners) listener.close();
    this.pause.unpause(); // commands held by a pause run no more: their connections are closing
    this.blocked.unblockAll(); // as in Redis, blocked clients are closed without an answer
    await Promise.all([...this.clients.values()].map((c) => c.finish()));
    let code = 0;
    try {
      await this.keyspace.close();
      await this.engine.durable();
      await this.engine.close();
    } catch (err) {
      this.log('warning', `Error closing the database: ${(err as Error).message}`);
      code = 1;
    }
    this.log('warning', 'Strata is now ready to exit, bye bye...');
    this.resolveClosed(code);
  }

  private async listen(): Promise<void> {
    for (const address of this.config.bind) {
      const listener = createServer((socket) => this.accept(socket));
      await new Promise<void>((resolve, reject) => {
        listener.once('error', (err: NodeJS.ErrnoException) =>
          reject(new Error(`Could not create server TCP listening socket ${address}:${this.port || this.config.port}: ${err.code ?? err.message}`)),
        );
        // With port 0 the first address picks a free port and the others share it.
        listener.listen(this.port || this.config.port, address, () => {
          listener.removeAllListeners('error');
          listener.on('error', (err) => this.log('warning', `Accepting on ${address}: ${err.message}`));
          resolve();
        });
      });
      const bound = listener.address();
      if (bound !== null && typeof bound === 'object') this.port = bound.port;
      this.listeners.push(listener);
    }
    this.config.port = this.port; // CONFIG GET port tells the port picked for 0
  }

  private accept(socket: Socket): void {
    if (this.stopping !== undefined) {
      socket.destroy();
      return;
    }
    const { config } = this;
    if (this.clients.size >= config.maxclients) {
      this.stats.rejectedConnections++;
      socket.end('-ERR max number of clients reached\r\n');
      return;
    }
    if (config.protectedMode && config.requirepass === '' && !LOOPBACK.has(socket.remoteAddress ?? '')) {
      this.stats.rejectedConnections++;
      this.log('warning', `Denied connection from ${socket.remoteAddress}: protected mode`);
      socket.end(DENIED);
      return;
    }
    const id = this.nextClientId++;
    this.stats.totalConnections++;
    const connection = new Connection(socket, this, id);
    this.clients.set(id, connection);
    socket.on('close', () => this.clients.delete(id));
    this.log('verbose', `Accepted ${connection.addr}`);
  }

  /** Redis's serverCron at `hz`: the active expire cycle every tick, the instantaneous metrics every 100 ms,
   *  client checks once a second. */
  private scheduleCron(): void {
    this.cronTimer = setTimeout(() => {
      try {
        if (!this.pause.active) this.keyspace.activeExpireCycle();
      } catch (err) {
        this.log('warning', `Active expire cycle failed: ${(err as Error).message}`);
      }
      const now = Date.now();
      if (now - this.lastMetricsSample >= METRIC_PERIOD_MS) {
        this.lastMetricsSample = now;
        const { stats } = this;
        stats.opsRate.sample(now, stats.totalCommands);
        stats.inputRate.sample(now, stats.netInputBytes);
        stats.outputRate.sample(now, stats.netOutputBytes);
      }
      if (now - this.lastClientsCron >= 1000) {
        this.lastClientsCron = now;
        for (const client of this.clients.values()) client.cron(now);
      }
      this.scheduleCron();
    }, 1000 / this.config.hz);
  }
}
