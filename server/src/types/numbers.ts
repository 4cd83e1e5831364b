// Numbers in string values and arguments, parsed and printed exactly as Redis does: string2ll for integers
// (no sign '+', no leading zeros, no spaces, 64-bit range), and for INCRBYFLOAT decimal arithmetic printed
// like ld2string's "%.17Lf" with trailing zeros cut. Redis computes INCRBYFLOAT in 80-bit long double; we add
// the decimal operands exactly, which prints the same digits whenever the sum has up to ~18 significant digits
// (where long double itself is exact to 17 decimals), e.g. 10.50 + 0.1 = "10.6" and 0.1 + 0.2 = "0.3".

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

/** An exact decimal: mantissa × 10^exponent. */
export interface Decimal {
  mantissa: bigint;
  exponent: number;
}

/** Largest and smallest decimal exponents of a finite nonzero x87 long double (strtold's range). */
const MAX_EXPONENT = 4932;
const MIN_EXPONENT = -4951;

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?$/;
const INFINITY = /^[+-]?inf(inity)?$/i;

/** Parses a float as Redis's string2ld accepts it; 'infinite' for inf/infinity, undefined if not valid. */
export function parseDecimal(bytes: Uint8Array): Decimal | 'infinite' | undefined {
  if (bytes.length === 0 || bytes.length > 5000) return undefined;
  const text = Buffer.from(bytes).toString('latin1');
  if (INFINITY.test(text)) return 'infinite';
  const m = DECIMAL.exec(text);
  if (m === null) return undefined;
  const body = m[1]!;
  const dot = body.indexOf('.');
  const digits = dot < 0 ? body : body.slice(0, dot) + body.slice(dot + 1);
  const fraction = dot < 0 ? 0 : body.length - dot - 1;
  const exponent = Number(m[2] ?? '0') - fraction;
  let mantissa = BigInt(digits);
  if (text.startsWith('-')) mantissa = -mantissa;
  if (mantissa !== 0n) {
    const magnitude = exponent + (mantissa < 0n ? -mantissa : mantissa).toString().length - 1;
    if (magnitude > MAX_EXPONENT || magnitude < MIN_EXPONENT) return undefined; // strtold: ERANGE
  }
  return { mantissa, exponent };
}

export function addDecimals(a: Decimal, b: Decimal): Decimal {
  const exponent = Math.min(a.exponent, b.exponent);
  const scale = (d: Decimal): bigint => d.mantissa * 10n ** BigInt(d.exponent - exponent);
  return { mantissa: scale(a) + scale(b), exponent };
}

/** Whether the value is beyond long double's range (Redis: "increment would produce NaN or Infinity"). */
export function isOutOfRange(d: Decimal): boolean {
  if (d.mantissa === 0n) return false;
  return d.exponent + (d.mantissa < 0n ? -d.mantissa : d.mantissa).toString().length - 1 > MAX_EXPONENT;
}

/** ld2string(LD_STR_HUMAN): 17 decimals rounded half away from zero, trailing zeros and '.' cut, never "-0". */
export function formatDecimal(d: Decimal): string {
  const negative = d.mantissa < 0n;
  let abs = negative ? -d.mantissa : d.mantissa;
  let exponent = d.exponent;
  if (exponent < -17) {
    const divisor = 10n ** BigInt(-17 - exponent);
    abs = (abs + divisor / 2n) / divisor;
    exponent = -17;
  }
  let digits = abs.toString();
  if (exponent > 0) digits += '0'.repeat(exponent);
  let text = digits;
  if (exponent < 0) {
    const places = -exponent;
    digits = digits.padStart(places + 1, '0');
    text = (digits.slice(0, digits.length - places) + '.' + digits.slice(digits.length - places)).replace(/\.?0+$/, '');
  }
  return negative && text !== '0' ? '-' + text : text;
}

/** Redis's getIntFromObject: a canonical integer that fits 32 bits (DB indexes), else undefined. */
export function parseI32(bytes: Uint8Array): number | undefined {
  const n = parseI64(bytes);
  return n === undefined || n < -(2n ** 31n) || n >= 2n ** 31n ? undefined : Number(n);
}
