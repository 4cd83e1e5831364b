// A tiny raw RESP client for tests: sends argv as a RESP array (or any raw bytes) and reads typed replies,
// RESP2 and RESP3. Each reply is available decoded (for convenient assertions) and as its exact wire bytes
// (to check the wire format byte for byte against what Redis sends).
//
//   const c = await RespClient.connect(server.port);
//   assert.equal(await c.call('SET', 'k', 'v'), 'OK');
//   assert.equal(await c.raw('GET', 'k'), '$1\r\nv\r\n');
//   assert.deepEqual(await c.call('GET', 'x', 'y'), { error: "ERR wrong number of arguments for 'get' command" });
//   await c.close();
//
// Decoded values: simple and bulk strings and verbatim strings -> string (utf8); errors -> { error: message }
// (returned, never thrown, so pipelines go on); integers -> number (bigint beyond 2^53); RESP3 doubles ->
// number; booleans -> boolean; big numbers -> bigint; nulls (`$-1`, `*-1`, `_`) -> null; arrays -> arrays;
// maps -> Map; sets -> Set; pushes -> { push: [...] }; attributes are skipped.

import { connect, type Socket } from 'node:net';

export type Reply =
  | string
  | number
  | bigint
  | boolean
  | null
  | { error: string }
  | { push: Reply[] }
  | Reply[]
  | Map<Reply, Reply>
  | Set<Reply>;

export interface RawReply {
  value: Reply;
  /** The reply's exact bytes, as a latin1 string (byte n = char n). */
  raw: string;
}

type Arg = string | number | Buffer;

/** Encode argv as a RESP array of bulk strings. */
export function encodeCommand(argv: readonly Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const arg of argv) {
    const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg));
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

class Incomplete extends Error {}

/** Parse one reply from `buf` at `pos`; throws Incomplete when more bytes are needed. */
function parse(buf: Buffer, pos: number): [Reply | undefined, number] {
  const eol = buf.indexOf('\r\n', pos);
  if (eol < 0) throw new Incomplete();
  const type = String.fromCharCode(buf[pos]!);
  const line = buf.toString('utf8', pos + 1, eol);
  let next = eol + 2;
  const bulk = (): [string | null, number] => {
    const n = Number(line);
    if (n < 0) return [null, next];
    if (buf.length < next + n + 2) throw new Incomplete();
    return [buf.toString('utf8', next, next + n), next + n + 2];
  };
  const items = (count: number): [Reply[], number] => {
    const out: Reply[] = [];
    while (out.length < count) {
      const [item, after] = parse(buf, next);
      next = after;
      if (item !== undefined) out.push(item);
    }
    return [out, next];
  };
  switch (type) {
    case '+':
      return [line, next];
    case '-':
      return [{ error: line }, next];
    case ':': {
      const n = BigInt(line);
      return [n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n, next];
    }
    case '$':
      return bulk();
    case '=': {
      const [text, after] = bulk();
      return [text === null ? null : text.slice(4), after]; // drop the "txt:" format prefix
    }
    case '_':
      return [null, next];
    case ',':
      return [line === 'inf' ? Infinity : line === '-inf' ? -Infinity : Number(line), next];
    case '#':
      return [line === 't', next];
    case '(':
      return [BigInt(line), next];
    case '*':
      return Number(line) < 0 ? [null, next] : items(Number(line));
    case '~': {
      const [list, after] = items(Number(line));
      return [new Set(list), after];
    }
    case '>': {
      const [list, after] = items(Number(line));
      return [{ push: list }, after];
    }
    case '%':
    case '|': {
      const [list, after] = items(Number(line) * 2);
      const map = new Map<Reply, Reply>();
      for (let i = 0; i < list.length; i += 2) map.set(list[i]!, list[i + 1]!);
      return [type === '%' ? map : undefined, after];
    }
    default:
      throw new Error(`unexpected reply type byte ${JSON.stringify(type)} in ${JSON.stringify(buf.toString('latin1', pos, eol))}`);
  }
}

export class RespClient {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly replies: RawReply[] = [];
  private readonly waiters: Array<{ resolve: (r: RawReply) => void; reject: (e: Error) => void }> = [];
  private ended = false;
  /** Resolves when the server closes the connection (or it errors). */
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => this.onData(chunk));
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.ended = true;
        for (const w of this.waiters.splice(0)) w.reject(new Error('connection closed by the server'));
        resolve();
      });
    });
    socket.on('error', () => {}); // 'close' follows and reports it
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host }, () => {
        socket.off('error', reject);
        resolve(new RespClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Send one command and return its decoded reply. */
  async call(...argv: Arg[]): Promise<Reply> {
    this.write(encodeCommand(argv));
    return (await this.next()).value;
  }

  /** Send one command and return its reply's exact bytes (latin1). */
  async raw(...argv: Arg[]): Promise<string> {
    this.write(encodeCommand(argv));
    return (await this.next()).raw;
  }

  /** Send every command in a single write; return their decoded replies in order. */
  async pipeline(commands: readonly Arg[][]): Promise<Reply[]> {
    this.write(Buffer.concat(commands.map(encodeCommand)));
    const out: Reply[] = [];
    for (let i = 0; i < commands.length; i++) out.push((await this.next()).value);
    return out;
  }

  /** Write raw bytes (inline commands, malformed input). */
  write(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  /** The next reply in order; rejects if the connection closes first. */
  next(): Promise<RawReply> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.ended) return Promise.reject(new Error('connection closed by the server'));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Close our side and wait until the socket is fully closed. */
  async close(): Promise<void> {
    this.socket.end();
    await this.closed;
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let pos = 0;
    while (pos < this.buffer.length) {
      let value: Reply | undefined;
      let after: number;
      try {
        [value, after] = parse(this.buffer, pos);
      } catch (err) {
        if (err instanceof Incomplete) break;
        throw err;
      }
      const reply = { value: value ?? null, raw: this.buffer.toString('latin1', pos, after) };
      pos = after;
      if (value === undefined) continue; // a top-level attribute precedes the reply it annotates
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(reply);
      else this.replies.push(reply);
    }
    this.buffer = this.buffer.subarray(pos);
  }
}
