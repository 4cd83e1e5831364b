// The Node.js floor: a server that stores nothing and answers every command with a fixed reply of the type
// redis-benchmark expects, through the same node:net sockets and event loop as strata-server, one write per
// read. What it reaches is what any server running on Node.js can reach on this machine with these options
// before its commands do any work (`bench server --node-floor`). Run as `node node-floor.js <port>`.
import { createServer, type Socket } from 'node:net';

const CR = 13;
const LF = 10;
const STAR = 42;

/** The replies, by command: GET answers redis-benchmark's default 3-byte value; CONFIG (redis-benchmark
 *  reads the server's settings with CONFIG GET) a two-element array; any other command +OK. */
const GET = Buffer.from('$3\r\nxxx\r\n');
const PONG = Buffer.from('+PONG\r\n');
const ONE = Buffer.from(':1\r\n');
const CONFIG = Buffer.from('*2\r\n$4\r\nsave\r\n$0\r\n\r\n');
const OK = Buffer.from('+OK\r\n');

/** The reply to the command named data[start, end), by its length and first letter (case-insensitive). */
function replyTo(data: Buffer, start: number, end: number): Buffer {
  const first = data[start]! | 0x20;
  const length = end - start;
  if (length === 3 && first === 0x67) return GET; // g
  if (length === 4 && first === 0x70) return PONG; // p
  if (length === 4 && first === 0x69) return ONE; // i
  if (length === 6 && first === 0x63) return CONFIG; // c
  return OK;
}

/** The number of the last header line read. */
let lineValue = 0;

/** Reads the header line at `pos` (its type byte skipped) into `lineValue`; returns where the next line
 *  starts, -1 if the line is not complete yet. */
function headerLine(data: Buffer, pos: number): number {
  let value = 0;
  for (let i = pos + 1; i < data.length; i++) {
    const c = data[i]!;
    if (c === CR) {
      lineValue = value;
      return i + 2 <= data.length ? i + 2 : -1;
    }
    value = value * 10 + (c - 48);
  }
  return -1;
}

/** Answers a connection's commands (multibulk or inline), with one write per read. */
class Responder {
  private rest: Buffer | null = null;
  private out = Buffer.allocUnsafe(64 * 1024);
  /** The reply to the command multibulk() or inline() last framed. */
  private reply: Buffer = OK;

  constructor(private readonly socket: Socket) {}

  feed(chunk: Buffer): void {
    const data = this.rest === null ? chunk : Buffer.concat([this.rest, chunk]);
    let pos = 0;
    let used = 0;
    while (pos < data.length) {
      const end = data[pos] === STAR ? this.multibulk(data, pos) : this.inline(data, pos);
      if (end === -1) break;
      const reply = this.reply;
      if (used + reply.length > this.out.length) {
        this.socket.write(this.out.subarray(0, used));
        this.out = Buffer.allocUnsafe(this.out.length);
        used = 0;
      }
      used += reply.copy(this.out, used);
      pos = end;
    }
    this.rest = pos < data.length ? data.subarray(pos) : null;
    if (used > 0) {
      this.socket.write(this.out.subarray(0, used));
      this.out = this.out.subarray(used); // the socket may still hold the bytes written
      if (this.out.length < 1024) this.out = Buffer.allocUnsafe(64 * 1024);
    }
  }

  /** The end of the multibulk command at `pos`, -1 if incomplete; sets `reply`. */
  private multibulk(data: Buffer, pos: number): number {
    let at = headerLine(data, pos);
    if (at === -1) return -1;
    const count = lineValue;
    this.reply = OK;
    for (let i = 0; i < count; i++) {
      if (at >= data.length) return -1;
      const body = headerLine(data, at);
      if (body === -1 || body + lineValue + 2 > data.length) return -1;
      if (i === 0) this.reply = replyTo(data, body, body + lineValue);
      at = body + lineValue + 2;
    }
    return at;
  }

  /** The end of the inline command at `pos`, -1 if incomplete; sets `reply`. */
  private inline(data: Buffer, pos: number): number {
    const lf = data.indexOf(LF, pos);
    if (lf === -1) return -1;
    let end = pos;
    while (end < lf && data[end] !== 0x20 && data[end] !== CR) end++;
    this.reply = end > pos ? replyTo(data, pos, end) : OK;
    return lf + 1;
  }
}

function serve(socket: Socket): void {
  socket.setNoDelay(true);
  const responder = new Responder(socket);
  socket.on('data', (chunk: Buffer) => responder.feed(chunk));
  socket.on('error', () => socket.destroy());
}

const port = Number(process.argv[2]);
const server = createServer(serve).listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
