// Inline commands ("SET a b" typed by hand, redis-benchmark's PING_INLINE): one line split into arguments
// with the quoting rules of Redis's sdssplitargs.
//   "..."  with escapes \n \r \t \b \a \xHH and \<any> = <any>
//   '...'  with \' only
// A closing quote must be followed by a blank or the end of the line. Blanks between arguments are
// C's isspace set; inside an unquoted argument only space, \t, \r, \n end it.

/** The line's arguments, or null when its quotes are unbalanced (Redis: "unbalanced quotes in request").
 *  The arguments are views of one fresh Buffer, never of `src`. */
export function splitInline(src: Uint8Array, start: number, end: number): Buffer[] | null {
  const out = Buffer.allocUnsafe(end - start);
  const args: Buffer[] = [];
  let w = 0;
  let p = start;
  for (;;) {
    while (p < end && isSpace(src[p]!)) p++;
    if (p === end) return args;
    const argStart = w;
    let inDouble = false;
    let inSingle = false;
    for (;;) {
      const c = p < end ? src[p]! : -1;
      if (inDouble) {
        if (c === -1) return null;
        if (c === BACKSLASH && p + 1 < end) {
          const next = src[p + 1]!;
          if (next === 120 /* x */ && p + 3 < end && isHex(src[p + 2]!) && isHex(src[p + 3]!)) {
            out[w++] = hexValue(src[p + 2]!) * 16 + hexValue(src[p + 3]!);
            p += 4;
          } else {
            out[w++] = unescape(next);
            p += 2;
          }
        } else if (c === DQUOTE) {
          if (p + 1 < end && !isSpace(src[p + 1]!)) return null;
          p++;
          break;
        } else {
          out[w++] = c;
          p++;
        }
      } else if (inSingle) {
        if (c === -1) return null;
        if (c === BACKSLASH && p + 1 < end && src[p + 1] === SQUOTE) {
          out[w++] = SQUOTE;
          p += 2;
        } else if (c === SQUOTE) {
          if (p + 1 < end && !isSpace(src[p + 1]!)) return null;
          p++;
          break;
        } else {
          out[w++] = c;
          p++;
        }
      } else if (c === -1 || c === 32 || c === 10 || c === 13 || c === 9) {
        break;
      } else {
        if (c === DQUOTE) inDouble = true;
        else if (c === SQUOTE) inSingle = true;
        else out[w++] = c;
        p++;
      }
    }
    args.push(out.subarray(argStart, w));
  }
}

const BACKSLASH = 92;
const DQUOTE = 34;
const SQUOTE = 39;

/** C's isspace: space, \t \n \v \f \r. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function hexValue(c: number): number {
  return c <= 57 ? c - 48 : (c | 0x20) - 87;
}

function unescape(c: number): number {
  switch (c) {
    case 110: return 10; // \n
    case 114: return 13; // \r
    case 116: return 9; // \t
    case 98: return 8; // \b
    case 97: return 7; // \a
    default: return c;
  }
}
