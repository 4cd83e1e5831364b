// Reply encoding for RESP2 and RESP3 into one growing byte buffer.
// Replies are appended to a slab; take() hands out a view of the bytes written since the last take and moves
// on, so a reply costs no allocation of its own and bytes handed out are never overwritten (the socket may
// still hold them). A new slab is allocated only when the current one is full.

import { formatDouble } from './double-format.js';

export type ProtocolVersion = 2 | 3;

const SLAB_SIZE = 64 * 1024;
/** A slab grown beyond this for one big reply is dropped at the next take(), not kept for small ones. */
const MAX_RETAINED_SLAB = 1024 * 1024;

const CR = 13;
const LF = 10;
const COLON = 58; // ':' integer
const DOLLAR = 36; // '$' bulk string
const STAR = 42; // '*' array
const PERCENT = 37; // '%' map
const TILDE = 126; // '~' set
const GREATER = 62; // '>' push
const COMMA = 44; // ',' double
const LPAREN = 40; // '(' big number
const EQUALS = 61; // '=' verbatim string

const LINE_BREAKS = /[\r\n]/g;
/** Lines up to this many characters are written without the UTF-8 encoder when they are ASCII. */
const SHORT_LINE = 32;

export class ReplyWriter {
  /** RESP version of the connection; HELLO changes it. */
  protocol: ProtocolVersion = 2;
  /** Told of every error reply written (a server counts them). */
  onError: ((message: string) => void) | undefined = undefined;
  private buf: Buffer;
  /** First byte not yet taken. */
  private start = 0;
  /** End of the written bytes. */
  private end = 0;

  constructor(protocol: ProtocolVersion = 2) {
    this.protocol = protocol;
    this.buf = Buffer.allocUnsafe(SLAB_SIZE);
  }

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.end - this.start;
  }

  /** The bytes written since the last take(); the writer is then empty. The view stays valid for good. */
  take(): Buffer {
    const out = this.buf.subarray(this.start, this.end);
    this.start = this.end;
    if (this.buf.length > MAX_RETAINED_SLAB) {
      this.buf = Buffer.allocUnsafe(SLAB_SIZE);
      this.start = this.end = 0;
    }
    return out;
  }

  /** `+s`: a status reply such as OK. */
  simple(s: string): void {
    this.line(43, s);
  }

  /** `-message`; the message starts with its code ('ERR ...', 'WRONGTYPE ...'). Line breaks become spaces. */
  error(message: string): void {
    const line = message.replace(LINE_BREAKS, ' ');
    this.onError?.(line);
    this.line(45, line);
  }

  integer(n: number | bigint): void {
    if (typeof n === 'number' && Number.isSafeInteger(n)) this.header(COLON, n);
    else this.line(COLON, typeof n === 'bigint' ? n.toString() : BigInt(n).toString());
  }

  bulk(value: Uint8Array | string): void {
    if (typeof value === 'string') {
      const size = Buffer.byteLength(value);
      this.header(DOLLAR, size);
      this.reserve(size + 2);
      this.end += this.buf.write(value, this.end, size, 'utf8');
    } else {
      this.header(DOLLAR, value.length);
      this.reserve(value.length + 2);
      this.buf.set(value, this.end);
      this.end += value.length;
    }
    this.crlf();
  }

  /** A missing value: RESP2 `$-1`, RESP3 `_`. */
  null(): void {
    if (this.protocol === 3) this.nullLine();
    else this.header(DOLLAR, -1);
  }

  /** A missing array (e.g. LPOP key count on a missing key): RESP2 `*-1`, RESP3 `_`. */
  nullArray(): void {
    if (this.protocol === 3) this.nullLine();
    else this.header(STAR, -1);
  }

  /** Header of an array of `length` replies that follow. */
  array(length: number): void {
    this.header(STAR, length);
  }

  /** Header of a map of `pairs` key/value pairs that follow (RESP2: a flat array of 2 × pairs). */
  map(pairs: number): void {
    if (this.protocol === 3) this.header(PERCENT, pairs);
    else this.header(STAR, pairs * 2);
  }

  /** Header of a set of `length` members that follow (RESP2: an array). */
  set(length: number): void {
    this.header(this.protocol === 3 ? TILDE : STAR, length);
  }

  /** Header of an out-of-band push message (RESP2: an array, as Redis sends pub/sub messages). */
  push(length: number): void {
    this.header(this.protocol === 3 ? GREATER : STAR, length);
  }

  /** A double as Redis's addReplyDouble sends it: "%.17g", RESP3 `,` or RESP2 a bulk string. */
  double(n: number): void {
    const text = formatDouble(n);
    if (this.protocol === 3) this.line(COMMA, text);
    else this.bulk(text);
  }

  /** RESP3 `#t`/`#f`; RESP2 `:1`/`:0`. */
  boolean(b: boolean): void {
    if (this.protocol === 3) this.line(35, b ? 't' : 'f');
    else this.header(COLON, b ? 1 : 0);
  }

  /** RESP3 verbatim string `=` with a three-letter format ('txt', 'mkd'); RESP2 a bulk string. */
  verbatim(text: string, format = 'txt'): void {
    if (this.protocol !== 3) return this.bulk(text);
    const size = Buffer.byteLength(text);
    this.header(EQUALS, size + 4);
    this.reserve(size + 6);
    this.end += this.buf.write(format, this.end, 3, 'latin1');
    this.buf[this.end++] = COLON;
    this.end += this.buf.write(text, this.end, size, 'utf8');
    this.crlf();
  }

  /** RESP3 big number `(digits`; RESP2 a bulk string of the digits. */
  bigNumber(digits: string | bigint): void {
    const text = typeof digits === 'bigint' ? digits.toString() : digits;
    if (this.protocol === 3) this.line(LPAREN, text);
    else this.bulk(text);
  }

  /** Bytes that are already a complete RESP encoding. */
  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.end);
    this.end += bytes.length;
  }

  private nullLine(): void {
    this.reserve(3);
    this.buf[this.end] = 95; // '_'
    this.buf[this.end + 1] = CR;
    this.buf[this.end + 2] = LF;
    this.end += 3;
  }

  /** `<type><text>\r\n` for text without line breaks. */
  private line(type: number, text: string): void {
    if (text.length <= SHORT_LINE) {
      // Status replies (OK, PONG, QUEUED) are short and ASCII: copied by hand, without the UTF-8 encoder's
      // call into C++ (half a microsecond, as much as the rest of a reply).
      this.reserve(text.length + 3);
      const buf = this.buf;
      let at = this.end + 1;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80) return this.utf8Line(type, text);
        buf[at++] = c;
      }
      buf[this.end] = type;
      this.end = at;
      this.crlf();
      return;
    }
    this.utf8Line(type, text);
  }

  private utf8Line(type: number, text: string): void {
    const size = Buffer.byteLength(text);
    this.reserve(size + 3);
    this.buf[this.end++] = type;
    this.end += this.buf.write(text, this.end, size, 'utf8');
    this.crlf();
  }

  /** `<type><integer>\r\n`, digits written in place. */
  private header(type: number, n: number): void {
    this.reserve(24);
    const buf = this.buf;
    buf[this.end++] = type;
    if (n < 0) {
      buf[this.end++] = 45; // '-'
      n = -n;
    }
    let width = 1;
    for (let p = 10; p <= n; p *= 10) width++;
    for (let i = this.end + width - 1; i >= this.end; i--) {
      buf[i] = 48 + (n % 10);
      n = Math.floor(n / 10);
    }
    this.end += width;
    buf[this.end++] = CR;
    buf[this.end++] = LF;
  }

  private crlf(): void {
    this.buf[this.end++] = CR;
    this.buf[this.end++] = LF;
  }

  /** Makes room for `n` more bytes, moving the untaken bytes to a larger slab if needed. */
  private reserve(n: number): void {
    if (this.end + n <= this.buf.length) return;
    const pending = this.end - this.start;
    const next = Buffer.allocUnsafe(Math.max(SLAB_SIZE, (pending + n) * 2));
    this.buf.copy(next, 0, this.start, this.end);
    this.buf = next;
    this.start = 0;
    this.end = pending;
  }
}
