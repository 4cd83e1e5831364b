// The Node.js floor: a server that stores nothing and answers every command with a fixed reply of the type
// redis-benchmark expects, through the same node:net sockets and event loop as strata-server, one write per
// read. What it reaches is what any server running on Node.js can reach on this machine with these options
// before its commands do any work (`bench server --node-floor`). Run as `node node-floor.js <port>`.
import { createServer, type Socket } from 'node:net';

const CR = 13;
const LF = 10;
const STAR = 42;
const DOLLAR = 36;

/** A reply per command name (upper case); any other command gets +OK. GET answers redis-benchmark's default
 *  3-byte value; CONFIG GET a two-element array, as redis-benchmark reads the server's settings with it. */
const REPLIES = new Map<string, Buffer>([
  ['GET', Buffer.from('$3\r\nxxx\r\n')],
  ['PING', Buffer.from('+PONG\r\n')],
  ['INCR', Buffer.from(':1\r\n')],
  ['CONFIG', Buffer.from('*2\r\n$4\r\nsave\r\n$0\r\n\r\n')],
]);
const OK = Buffer.from('+OK\r\n');

/** Splits a connection's bytes into commands (multibulk or inline) and knows only their names. */
class Framer {
  private rest: Buffer = Buffer.alloc(0);

  /** The names of the commands completed by `chunk`. */
  feed(chunk: Buffer): string[] {
    const data = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk]);
    const names: string[] = [];
    let pos = 0;
    for (;;) {
      const command = data[pos] === STAR ? multibulk(data, pos) : inline(data, pos);
      if (command === undefined) break;
      names.push(command.name);
      pos = command.end;
    }
    this.rest = data.subarray(pos);
    return names;
  }
}

/** The number on the line starting at `pos` (after its type byte), and where the next line starts. */
function headerLine(data: Buffer, pos: number): { value: number; next: number } | undefined {
  const lf = data.indexOf(LF, pos);
  if (lf === -1) return undefined;
  return { value: Number(data.toString('latin1', pos + 1, data[lf - 1] === CR ? lf - 1 : lf)), next: lf + 1 };
}

function multibulk(data: Buffer, pos: number): { name: string; end: number } | undefined {
  const count = headerLine(data, pos);
  if (count === undefined) return undefined;
  let at = count.next;
  let name = '';
  for (let i = 0; i < count.value; i++) {
    if (at >= data.length || data[at] !== DOLLAR) return undefined;
    const size = headerLine(data, at);
    if (size === undefined || size.next + size.value + 2 > data.length) return undefined;
    if (i === 0) name = data.toString('latin1', size.next, size.next + size.value);
    at = size.next + size.value + 2;
  }
  return { name: name.toUpperCase(), end: at };
}

function inline(data: Buffer, pos: number): { name: string; end: number } | undefined {
  const lf = data.indexOf(LF, pos);
  if (lf === -1) return undefined;
  const line = data.toString('latin1', pos, lf).trim();
  return { name: line.split(' ')[0]!.toUpperCase(), end: lf + 1 };
}

function serve(socket: Socket): void {
  socket.setNoDelay(true);
  const framer = new Framer();
  socket.on('data', (chunk: Buffer) => {
    const names = framer.feed(chunk);
    if (names.length === 1) socket.write(REPLIES.get(names[0]!) ?? OK);
    else if (names.length > 1) socket.write(Buffer.concat(names.map((name) => REPLIES.get(name) ?? OK)));
  });
  socket.on('error', () => socket.destroy());
}

const port = Number(process.argv[2]);
const server = createServer(serve).listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
