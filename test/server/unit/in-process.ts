// Runs data commands in process, through the real command table, keyspace and engine (in a temp dir), and
// returns each reply's exact bytes. Faster than a server process, and it can plant keys of types the server
// cannot create yet (lists, for WRONGTYPE cases).

import { open, type Db } from '@strata/engine';
import { ReplyWriter } from '@strata/protocol';
import {
  Keyspace,
  KeyType,
  StringEncoding,
  createCommandTable,
  defaultConfig,
  type ClientState,
  type CommandContext,
  type ServerContext,
} from '@strata/server';

const table = createCommandTable();

export class InProcessServer {
  private nextId = 1;

  private constructor(readonly context: ServerContext) {}

  static async open(dir: string, databases = 16): Promise<InProcessServer> {
    const engine = await open(dir, { fsync: 'no' });
    const keyspace = await Keyspace.open(engine, { databases });
    return new InProcessServer({ config: { ...defaultConfig(), databases, dir }, engine, keyspace });
  }

  get keyspace(): Keyspace {
    return this.context.keyspace;
  }

  get engine(): Db {
    return this.context.engine;
  }

  client(): InProcessClient {
    const state: ClientState = { id: this.nextId++, name: '', db: 0, protocol: 2, authenticated: true };
    return new InProcessClient(this.context, state);
  }

  close(): Promise<void> {
    return this.context.engine.close();
  }
}

export class InProcessClient {
  private readonly reply = new ReplyWriter(2);

  constructor(
    private readonly server: ServerContext,
    readonly state: ClientState,
  ) {}

  /** Runs one command; returns the reply bytes as latin1. */
  run(...args: Array<string | Buffer>): string {
    const argv = args.map((a) => (typeof a === 'string' ? Buffer.from(a, 'latin1') : a));
    const resolved = table.resolve(argv);
    if (resolved.error !== undefined) this.reply.error(resolved.error);
    else {
      const ctx: CommandContext = { client: this.state, reply: this.reply, server: this.server };
      const result = resolved.spec.handler(ctx, argv);
      if (result !== undefined) throw new Error(`${resolved.spec.name} returned a promise; data commands are synchronous`);
    }
    return this.reply.take().toString('latin1');
  }

  setProtocol(protocol: 2 | 3): void {
    this.state.protocol = protocol;
    this.reply.protocol = protocol;
  }

  /** Plants a key of a collection type (its metadata only), which no command can create yet. */
  plantList(key: string): void {
    const batch = this.server.keyspace.batch();
    batch.set(this.state.db, Buffer.from(key, 'latin1'), {
      type: KeyType.List,
      expireAt: 0,
      encoding: StringEncoding.Auto,
      value: new Uint8Array(0),
    });
    batch.commit();
  }
}
