// Numbers in string values and arguments, parsed and printed exactly as Redis does: string2ll for integers
// (no sign '+', no leading zeros, no spaces, 64-bit range), and for INCRBYFLOAT the x87 long double arithmetic
// Redis uses, emulated bit for bit, printed as ld2string's "%.17Lf" with trailing zeros cut.

export const I64_MIN = -(2n ** 63n);
export const I64_MAX = 2n ** 63n - 1n;

/** Redis's string2ll: the integer in `bytes`, or undefined if it is not exactly a canonical 64-bit integer. */
export function parseI64(bytes: Uint8Array): bigint | undefined {
  const len = bytes.length;
  if (len === 0 || len > 20) return undefined;
  if (len === 1 && bytes[0] === 0x30) return 0n;
  let i = 0;
  const negative = bytes[0] === 0x2d;
  if (negative) i++;
  if (i === len || bytes[i]! < 0x31 || bytes[i]! > 0x39) return undefined;
  // Up to 15 digits fit a double exactly: the common case stays off BigInt parsing of a string.
  let small = 0;
  for (let j = i; j < len; j++) {
    const d = bytes[j]! - 0x30;
    if (d < 0 || d > 9) return undefined;
    small = small * 10 + d;
  }
  const value = len - i <= 15 ? BigInt(small) : BigInt(Buffer.from(bytes.subarray(i)).toString('latin1'));
  const signed = negative ? -value : value;
  return signed < I64_MIN || signed > I64_MAX ? undefined : signed;
}

/** Whether Redis would store this string with the "int" encoding (tryObjectEncoding: ≤ 20 chars, string2l). */
export const isIntEncodable = (bytes: Uint8Array): boolean => bytes.length <= 20 && parseI64(bytes) !== undefined;

/** An x87 80-bit long double, as Redis's INCRBYFLOAT computes: sign × mantissa × 2^exponent, the mantissa
 *  rounded to 64 bits (round half to even). Exact BigInt arithmetic gives the same bits as the hardware. */
export interface LongDouble {
  negative: boolean;
  /** 0, or in [2^63, 2^64). */
  mantissa: bigint;
  exponent: number;
}

const MANTISSA_BITS = 64;
/** Finite long doubles are below 2^16384; nonzero ones (subnormals included) at least 2^-16445. */
const MAX_BINARY_EXPONENT = 16384;
const MIN_BINARY_EXPONENT = -16445;

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?$/;
/** strtold's hexadecimal floats: 0x1.8p3 = 12; the exponent is binary. */
const HEXADECIMAL = /^[+-]?0[xX]([\da-fA-F]+\.?[\da-fA-F]*|\.[\da-fA-F]+)(?:[pP]([+-]?\d+))?$/;
const INFINITY = /^[+-]?inf(inity)?$/i;

/** Parses a float as Redis's string2ld (strtold) accepts it: 'infinite' for inf/infinity, undefined if the
 *  text is not a float or is out of long double range. */
export function parseLongDouble(bytes: Uint8Array): LongDouble | 'infinite' | undefined {
  if (bytes.length === 0 || bytes.length > 5000) return undefined;
  const text = Buffer.from(bytes).toString('latin1');
  if (INFINITY.test(text)) return 'infinite';
  const hex = HEXADECIMAL.exec(text);
  if (hex !== null) return parseHexadecimal(text.startsWith('-'), hex[1]!, hex[2]);
  const m = DECIMAL.exec(text);
  if (m === null) return undefined;
  const body = m[1]!;
  const dot = body.indexOf('.');
  const digits = BigInt(dot < 0 ? body : body.slice(0, dot) + body.slice(dot + 1));
  const exponent10 = Number(m[2] ?? '0') - (dot < 0 ? 0 : body.length - dot - 1);
  // Beyond these the value is surely out of range (and 10^exponent would be needlessly large).
  if (digits !== 0n && Math.abs(exponent10) > 5500) return undefined;
  const negative = text.startsWith('-');
  const value =
    exponent10 >= 0
      ? roundBinary(negative, digits * 10n ** BigInt(exponent10), 0)
      : divideBinary(negative, digits, 10n ** BigInt(-exponent10));
  return inRange(value) ? value : undefined;
}

function parseHexadecimal(negative: boolean, body: string, binaryExponent: string | undefined): LongDouble | undefined {
  const dot = body.indexOf('.');
  const digits = dot < 0 ? body : body.slice(0, dot) + body.slice(dot + 1);
  const exponent = Number(binaryExponent ?? '0') - (dot < 0 ? 0 : 4 * (body.length - dot - 1));
  const magnitude = BigInt(`0x${digits}`);
  // Beyond this the value is surely out of range (and the shift would be needlessly large).
  if (magnitude !== 0n && Math.abs(exponent) > 4 * (MAX_BINARY_EXPONENT + 5000)) return undefined;
  const value = roundBinary(negative, magnitude, exponent);
  return inRange(value) ? value : undefined;
}

export function addLongDoubles(a: LongDouble, b: LongDouble): LongDouble {
  const low = Math.min(a.exponent, b.exponent);
  const signed = (x: LongDouble): bigint => (x.negative ? -x.mantissa : x.mantissa) << BigInt(x.exponent - low);
  const sum = signed(a) + signed(b);
  return roundBinary(sum < 0n, sum < 0n ? -sum : sum, low);
}

/** Whether the value overflowed to infinity (Redis: "increment would produce NaN or Infinity"). */
export const isInfinite = (x: LongDouble): boolean =>
  x.mantissa !== 0n && x.exponent + MANTISSA_BITS > MAX_BINARY_EXPONENT;

/** ld2string(LD_STR_HUMAN): printf("%.17Lf") (exact value, rounded half to even), trailing zeros and '.' cut,
 *  "-0" printed as "0". */
export function formatLongDouble(x: LongDouble): string {
  const scaled = x.mantissa * 10n ** 17n;
  let units: bigint;
  if (x.exponent >= 0) units = scaled << BigInt(x.exponent);
  else {
    const shift = BigInt(-x.exponent);
    units = scaled >> shift;
    const twice = (scaled - (units << shift)) * 2n;
    const half = 1n << shift;
    if (twice > half || (twice === half && units % 2n === 1n)) units++;
  }
  const digits = units.toString().padStart(18, '0');
  const text = (digits.slice(0, -17) + '.' + digits.slice(-17)).replace(/\.?0+$/, '');
  return x.negative && text !== '0' ? '-' + text : text;
}

/** magnitude × 2^exponent rounded to a 64-bit mantissa. */
function roundBinary(negative: boolean, magnitude: bigint, exponent: number): LongDouble {
  if (magnitude === 0n) return { negative, mantissa: 0n, exponent: 0 };
  const extra = magnitude.toString(2).length - MANTISSA_BITS;
  if (extra <= 0) return { negative, mantissa: magnitude << BigInt(-extra), exponent: exponent + extra };
  const shift = BigInt(extra);
  let mantissa = magnitude >> shift;
  const twice = (magnitude - (mantissa << shift)) * 2n;
  const half = 1n << shift;
  if (twice > half || (twice === half && mantissa % 2n === 1n)) mantissa++;
  if (mantissa === 1n << 64n) return { negative, mantissa: mantissa >> 1n, exponent: exponent + extra + 1 };
  return { negative, mantissa, exponent: exponent + extra };
}

/** numerator / denominator rounded to a 64-bit mantissa. */
function divideBinary(negative: boolean, numerator: bigint, denominator: bigint): LongDouble {
  if (numerator === 0n) return { negative, mantissa: 0n, exponent: 0 };
  // Scale so the quotient has at least 66 bits (64 + guard bits); the remainder decides the rounding.
  const shift = Math.max(0, denominator.toString(2).length - numerator.toString(2).length + MANTISSA_BITS + 2);
  const scaled = numerator << BigInt(shift);
  const quotient = scaled / denominator;
  // A nonzero remainder is a sticky bit: it breaks ties upwards without changing anything else.
  const sticky = scaled % denominator === 0n ? 0n : 1n;
  return roundBinary(negative, (quotient << 1n) | sticky, -shift - 1);
}

function inRange(x: LongDouble): boolean {
  return x.mantissa === 0n || (!isInfinite(x) && x.exponent + MANTISSA_BITS > MIN_BINARY_EXPONENT);
}

/** Redis's getIntFromObject: a canonical integer that fits 32 bits (DB indexes), else undefined. */
export function parseI32(bytes: Uint8Array): number | undefined {
  const n = parseI64(bytes);
  return n === undefined || n < -(2n ** 31n) || n >= 2n ** 31n ? undefined : Number(n);
}
