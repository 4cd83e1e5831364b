// Request decoding: RESP multibulk commands and inline commands, with Redis 7's limits and error texts.
//
// redis-parser is a reply parser: it does not validate lengths (it reads "*abc" as a number), accepts any
// reply type inside an array, and buffers a big bulk string whole before anyone could refuse it. So a small
// framer walks the bytes first, exactly as Redis's processMultibulkBuffer/processInlineBuffer do: it checks
// every header as it arrives, skips bulk bodies by length, and knows where each command ends. The complete
// commands of a chunk are copied once, together, into a Buffer of their own (never pinning the socket chunk)
// and that copy is handed to redis-parser in one call, which returns each command's arguments as views of it:
// a pipelined command costs no allocation or parser call of its own. A command that spans chunks is copied
// into a buffer of its own as its bytes arrive.

import RedisParser from 'redis-parser';
import { splitInline } from './inline.js';

export interface DecoderLimits {
  /** proto-max-bulk-len: longest bulk string argument. */
  maxBulkLength: number;
  /** Most arguments in one multibulk command (Redis 7.0: INT_MAX). */
  maxMultibulkLength: number;
  /** PROTO_INLINE_MAX_SIZE: longest unterminated inline request or header line that is buffered. */
  maxInlineLength: number;
  /** client-query-buffer-limit: most bytes one pending command may occupy. */
  maxQueryBuffer: number;
}

export const DEFAULT_DECODER_LIMITS: Readonly<DecoderLimits> = Object.freeze({
  maxBulkLength: 512 * 1024 * 1024,
  maxMultibulkLength: 2147483647,
  maxInlineLength: 64 * 1024,
  maxQueryBuffer: 1024 * 1024 * 1024,
});

export interface DecoderHandlers {
  /** One decoded command; argv is never empty and owns its memory. */
  onCommand(argv: Buffer[]): void;
  /** A protocol violation; called once, after which input is ignored and the connection should close. */
  onError(err: ProtocolError): void;
}

/** A request Redis would refuse. `message` is Redis's error text without the "ERR " prefix. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  /** False when Redis closes the connection without replying (query buffer limit); it only logs. */
  readonly reply: boolean;

  constructor(message: string, reply = true) {
    super(message);
    this.reply = reply;
  }
}

const INLINE_TOO_BIG = 'Protocol error: too big inline request';
const QUERY_BUFFER_EXCEEDED = 'Closing client that reached max query buffer length';
/** Without AUTH, Redis refuses larger requests (CVE-2021-32675). */
const UNAUTHENTICATED_MAX_MULTIBULK = 10;
const UNAUTHENTICATED_MAX_BULK = 16384;
const MIN_PENDING = 256;
/** Most a pending buffer grows beyond its content at once while the size of what follows is unknown. */
const GROWTH_CAP = 1024 * 1024;

const CR = 13;
const LF = 10;
const STAR = 42;
const DOLLAR = 36;
const MINUS = 45;

// Framer states.
const BOUNDARY = 0; // between commands
const INLINE = 1; // inside an inline line, looking for \n
const HEADER = 2; // inside a "*n" or "$n" line, looking for \r
const HEADER_END = 3; // after that \r: one more byte (Redis does not check that it is \n)
const BODY = 4; // inside a bulk body and its trailing two bytes
const STUCK = 5; // a NUL hid the line end from Redis's strchr: it waits for more bytes until too big
const DONE = 6; // failed or closed

/** Redis's string2ll over the bytes of a header line after its type byte, fed one byte at a time. */
class HeaderNumber {
  private length = 0;
  private negative = false;
  private digits = 0;
  private leadingZero = false;
  private valid = true;
  private value = 0;
  private big: bigint | null = null;

  reset(): void {
    this.length = 0;
    this.negative = false;
    this.digits = 0;
    this.leadingZero = false;
    this.valid = true;
    this.value = 0;
    this.big = null;
  }

  push(c: number): void {
    const first = this.length++ === 0;
    if (!this.valid) return;
    if (first && c === MINUS) {
      this.negative = true;
    } else if (c < 48 || c > 57 || this.leadingZero || (c === 48 && this.digits === 0 && this.negative)) {
      this.valid = false;
    } else if (++this.digits > 19) {
      this.valid = false; // beyond 64 bits whatever the digits
    } else if (c === 48 && this.digits === 1) {
      this.leadingZero = true;
    } else if (this.big !== null) {
      this.big = this.big * 10n + BigInt(c - 48);
    } else {
      const next = this.value * 10 + (c - 48);
      if (next > Number.MAX_SAFE_INTEGER) this.big = BigInt(this.value) * 10n + BigInt(c - 48);
      else this.value = next;
    }
  }

  /** The number, or undefined if string2ll would fail. Magnitudes beyond 2^53 come back as ±Infinity. */
  result(): number | undefined {
    if (!this.valid || this.digits === 0) return undefined;
    if (this.big === null) return this.negative ? -this.value : this.value;
    if (this.big > (this.negative ? 9223372036854775808n : 9223372036854775807n)) return undefined;
    return this.negative ? -Infinity : Infinity;
  }
}

export class RequestDecoder {
  /** Current limits; CONFIG SET may change any field at any time. */
  readonly limits: DecoderLimits;
  /** Set while the client must still AUTH: Redis then refuses more than 10 arguments or 16 KiB bulks. */
  authRequired = false;

  private readonly handlers: DecoderHandlers;
  private readonly parser: RedisParser;
  /** The run of complete commands in `runChunk[runStart, runEnd)` not yet handed to redis-parser. */
  private runChunk: Buffer | null = null;
  private runStart = 0;
  private runEnd = 0;

  private state = BOUNDARY;
  /** Bytes of a command that began in an earlier chunk (exact copy of them, in `pending[0, pendingLength)`). */
  private pending: Buffer | null = null;
  private pendingLength = 0;
  /** Bytes of the current command seen so far, including those in `pending`. */
  private commandBytes = 0;
  /** Bytes of the current line (header or inline) seen so far, excluding its terminator. */
  private lineBytes = 0;
  /** Whether the current header line is a command's "*N" rather than an argument's "$L". */
  private countLine = false;
  /** The first byte of the current header line ('*', '$' or what came instead), -1 before it arrives. */
  private headerType = -1;
  private stuckMessage = '';
  private readonly number = new HeaderNumber();
  private argsLeft = 0;
  /** Body bytes plus the two line-end bytes still to skip. */
  private bodyLeft = 0;

  constructor(handlers: DecoderHandlers, limits: Partial<DecoderLimits> = {}) {
    this.handlers = handlers;
    this.limits = { ...DEFAULT_DECODER_LIMITS };
    for (const key of Object.keys(limits) as (keyof DecoderLimits)[]) {
      const value = limits[key];
      if (value !== undefined) this.limits[key] = value; // an unset option keeps Redis's default
    }
    this.parser = new RedisParser({
      returnBuffers: true,
      // Each command of a parse() in order, none once a handler closed the decoder.
      returnReply: (argv: Buffer[]) => {
        if (this.state !== DONE) this.handlers.onCommand(argv);
      },
      // Unreachable: the framer has validated every byte it hands over.
      returnError: (err) => {
        throw err;
      },
    });
  }

  /** Stops decoding (e.g. after QUIT): commands still buffered or fed later are dropped. */
  close(): void {
    this.state = DONE;
    this.pending = null;
    this.pendingLength = 0;
  }

  /** Decodes every command completed by `chunk`, calling onCommand for each in order. */
  feed(chunk: Buffer): void {
    const end = chunk.length;
    let pos = 0;
    let start = 0; // where the current command begins in this chunk
    let nulAt = -2; // next NUL byte at or after pos in this chunk, -1 if none, -2 not searched yet
    while (pos < end) {
      switch (this.state) {
        case BOUNDARY:
          start = pos;
          this.commandBytes = 0;
          if (chunk[pos] === STAR) {
            this.startHeader(STAR);
            pos++;
            this.lineBytes = this.commandBytes = 1;
          } else {
            this.state = INLINE;
            this.lineBytes = 0;
          }
          break;
        case INLINE: {
          const lf = chunk.indexOf(LF, pos);
          if (nulAt !== -1 && nulAt < pos) nulAt = chunk.indexOf(0, pos);
          if (nulAt !== -1 && (lf === -1 || nulAt < lf)) {
            this.lineBytes += nulAt - pos;
            pos = nulAt;
            this.becomeStuck(INLINE_TOO_BIG);
          } else if (lf === -1) {
            this.lineBytes += end - pos;
            pos = end;
          } else {
            this.lineBytes += lf - pos;
            pos = lf + 1;
            this.state = BOUNDARY;
            this.inlineLine(chunk, start, lf);
          }
          break;
        }
        case HEADER: {
          const from = pos;
          while (pos < end) {
            const c = chunk[pos]!;
            if (c === CR || c === 0) break;
            if (this.headerType === -1) this.headerType = c;
            else this.number.push(c);
            pos++;
          }
          this.lineBytes += pos - from;
          this.commandBytes += pos - from;
          if (pos === end) break;
          if (chunk[pos] === 0) {
            this.becomeStuck(this.headerTooBig());
          } else {
            pos++;
            this.commandBytes++;
            this.state = HEADER_END;
          }
          break;
        }
        case HEADER_END:
          pos++;
          this.commandBytes++;
          if (this.countLine) this.multibulkHeader();
          else this.bulkHeader();
          break;
        case BODY: {
          const step = Math.min(this.bodyLeft, end - pos);
          pos += step;
          this.bodyLeft -= step;
          this.commandBytes += step;
          if (this.bodyLeft > 0) break;
          if (--this.argsLeft > 0) {
            this.startHeader(DOLLAR);
          } else {
            this.state = BOUNDARY;
            this.multibulkCommand(chunk, start, pos);
          }
          break;
        }
        case STUCK:
          this.lineBytes += end - pos;
          pos = end;
          break;
        default: // DONE
          return;
      }
    }
    this.parseRun();
    if (this.state !== DONE) this.endOfChunk(chunk, start, end);
  }

  /** Redis checks sizes once per read: an unterminated line or a command that outgrew its limit fails here. */
  private endOfChunk(chunk: Buffer, start: number, end: number): void {
    if (this.state === BOUNDARY || this.state === DONE) return;
    if (this.state !== STUCK) {
      this.appendPending(chunk, start, end, false);
      if (this.commandBytes > this.limits.maxQueryBuffer) return this.fail(QUERY_BUFFER_EXCEEDED, false);
    }
    if (this.lineBytes <= this.limits.maxInlineLength) return;
    if (this.state === STUCK) this.fail(this.stuckMessage);
    else if (this.state === INLINE) this.fail(INLINE_TOO_BIG);
    else if (this.state === HEADER) this.fail(this.headerTooBig());
  }

  private startHeader(type: number): void {
    this.state = HEADER;
    this.countLine = type === STAR;
    this.headerType = this.countLine ? STAR : -1;
    this.lineBytes = 0;
    this.number.reset();
  }

  private headerTooBig(): string {
    return this.countLine ? 'Protocol error: too big mbulk count string' : 'Protocol error: too big bulk count string';
  }

  private becomeStuck(message: string): void {
    this.state = STUCK;
    this.stuckMessage = message;
    this.pending = null;
    this.pendingLength = 0;
  }

  private multibulkHeader(): void {
    const count = this.number.result();
    if (count === undefined || count > this.limits.maxMultibulkLength) {
      return this.fail('Protocol error: invalid multibulk length');
    }
    if (count > UNAUTHENTICATED_MAX_MULTIBULK && this.authRequired) {
      return this.fail('Protocol error: unauthenticated multibulk length');
    }
    if (count > 0) {
      this.argsLeft = count;
      this.startHeader(DOLLAR);
      return;
    }
    // "*0" and "*-1" are dropped, as Redis does.
    this.state = BOUNDARY;
    this.pending = null;
    this.pendingLength = 0;
  }

  private bulkHeader(): void {
    // Redis looks at the type byte only once the whole line is there; an empty line has '\r' there.
    const type = this.headerType === -1 ? CR : this.headerType;
    if (type !== DOLLAR) {
      return this.fail(`Protocol error: expected '$', got '${String.fromCharCode(type)}'`);
    }
    const size = this.number.result();
    if (size === undefined || size < 0 || size > this.limits.maxBulkLength) {
      return this.fail('Protocol error: invalid bulk length');
    }
    if (size > UNAUTHENTICATED_MAX_BULK && this.authRequired) {
      return this.fail('Protocol error: unauthenticated bulk length');
    }
    if (this.commandBytes + size + 2 > this.limits.maxQueryBuffer) {
      return this.fail(QUERY_BUFFER_EXCEEDED, false);
    }
    this.bodyLeft = size + 2;
    this.state = BODY;
  }

  /** A complete multibulk command is `chunk[start, end)`, its beginning in `pending` if it spans chunks. One
   *  wholly in the chunk joins the run that parseRun() copies and parses. A run holds nothing else: bytes
   *  between two commands (a dropped "*0") end it. */
  private multibulkCommand(chunk: Buffer, start: number, end: number): void {
    if (this.pending === null) {
      if (this.runChunk !== null && start !== this.runEnd) this.parseRun();
      if (this.runChunk === null) {
        this.runChunk = chunk;
        this.runStart = start;
      }
      this.runEnd = end;
      return;
    }
    this.appendPending(chunk, start, end, true);
    const command = this.pending.subarray(0, this.pendingLength);
    this.pending = null;
    this.pendingLength = 0;
    this.parse(command);
  }

  /** Copies the run of complete commands once and hands them on; called before anything else is handed on
   *  (an inline command, an error), so commands stay in order. */
  private parseRun(): void {
    const chunk = this.runChunk;
    if (chunk === null) return;
    this.runChunk = null;
    const commands = Buffer.allocUnsafe(this.runEnd - this.runStart);
    chunk.copy(commands, 0, this.runStart, this.runEnd);
    this.parse(commands);
  }

  /** Lets redis-parser cut whole multibulk commands into arguments; it hands each on as it is cut. */
  private parse(commands: Buffer): void {
    try {
      this.parser.execute(commands);
    } catch (err) {
      this.parser.reset(); // a handler threw: the parser must not keep the rest of these bytes for later
      throw err;
    }
  }

  /** A complete inline line (without its \n) ends at `lf`. */
  private inlineLine(chunk: Buffer, start: number, lf: number): void {
    this.parseRun();
    if (this.state === DONE) return; // closed by a command of the run
    let src = chunk;
    let from = start;
    let to = lf;
    if (this.pending !== null) {
      this.appendPending(chunk, start, lf, true);
      src = this.pending;
      from = 0;
      to = this.pendingLength;
      this.pending = null;
      this.pendingLength = 0;
    }
    if (to > from && src[to - 1] === CR) to--;
    const argv = splitInline(src, from, to);
    if (argv === null) return this.fail('Protocol error: unbalanced quotes in request');
    if (argv.length > 0) this.handlers.onCommand(argv);
  }

  /** Keeps bytes of a command that spans chunks. The buffer grows geometrically, never past the end of a
   *  known bulk body (so a big value is copied about twice, and nothing is reserved before bytes arrive), and
   *  is exact when the command is complete, since its arguments will be views of it. */
  private appendPending(chunk: Buffer, from: number, to: number, complete: boolean): void {
    const need = this.pendingLength + (to - from);
    if (this.pending === null || this.pending.length < need) {
      const bound = complete ? need : need + (this.state === BODY ? this.bodyLeft : GROWTH_CAP);
      const next = Buffer.allocUnsafe(Math.min(Math.max(need * 2, MIN_PENDING), bound));
      if (this.pending !== null) this.pending.copy(next, 0, 0, this.pendingLength);
      this.pending = next;
    }
    chunk.copy(this.pending, this.pendingLength, from, to);
    this.pendingLength = need;
  }

  private fail(message: string, reply = true): void {
    this.parseRun();
    if (this.state === DONE) return; // closed by a command of the run, before this error was reached
    this.state = DONE;
    this.pending = null;
    this.pendingLength = 0;
    this.handlers.onError(new ProtocolError(message, reply));
  }
}
