// How Redis 7.0 prints floating point numbers. Two forms, chosen per command:
//  - formatDouble: C's "%.17g", used by addReplyDouble (ZSCORE, ZINCRBY, ZRANGE WITHSCORES, ... in RESP2 as a
//    bulk string, in RESP3 after ','); infinities are "inf" / "-inf".
//  - formatHumanDouble: ld2string(LD_STR_HUMAN), "%.17Lf" with trailing zeros removed and no exponent, used
//    where a float becomes a string value (INCRBYFLOAT, HINCRBYFLOAT replies and stored values).

const SIG_DIGITS = 17;

/** C's printf("%.17g", n), including glibc's round-half-even on exact ties (V8 rounds ties up). */
export function formatDouble(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const { digits, exponent } = significantDigits(n);
  const sign = n < 0 ? '-' : '';
  if (exponent < -4 || exponent >= SIG_DIGITS) {
    const mantissa = stripFraction(digits[0] + '.' + digits.slice(1));
    const e = Math.abs(exponent);
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  if (exponent < 0) return sign + stripFraction('0.' + '0'.repeat(-exponent - 1) + digits);
  return sign + stripFraction(digits.slice(0, exponent + 1) + '.' + digits.slice(exponent + 1));
}

/** The 17 significant digits of |n| rounded like glibc, and the decimal exponent of the first one. */
function significantDigits(n: number): { digits: string; exponent: number } {
  const abs = Math.abs(n);
  const rounded = abs.toExponential(SIG_DIGITS - 1);
  const longer = abs.toExponential(SIG_DIGITS);
  // A tie is possible only when the 18-digit form ends in 5 and is the exact value; then glibc rounds to even.
  if (longer[SIG_DIGITS + 1] === '5' && isExactDecimal(abs, longer)) {
    const truncated = longer.slice(0, SIG_DIGITS + 1).replace('.', '');
    if ((truncated.charCodeAt(SIG_DIGITS - 1) - 48) % 2 === 0) {
      return { digits: truncated, exponent: Number(longer.slice(longer.indexOf('e') + 1)) };
    }
  }
  return { digits: rounded.slice(0, SIG_DIGITS + 1).replace('.', ''), exponent: Number(rounded.slice(rounded.indexOf('e') + 1)) };
}

/** Whether the decimal string `text` (as toExponential prints it) is exactly the double `abs`. */
function isExactDecimal(abs: number, text: string): boolean {
  const e = text.indexOf('e');
  const digits = BigInt(text.slice(0, e).replace('.', ''));
  const pow10 = Number(text.slice(e + 1)) - (e - 2);
  const [mantissa, pow2] = binaryParts(abs);
  // Compare mantissa * 2^pow2 with digits * 10^pow10 in integers.
  let left = mantissa;
  let right = digits;
  if (pow2 >= 0) left <<= BigInt(pow2);
  else right <<= BigInt(-pow2);
  if (pow10 >= 0) right *= 10n ** BigInt(pow10);
  else left *= 10n ** BigInt(-pow10);
  return left === right;
}

/** abs = mantissa * 2^exponent with an integer mantissa. */
function binaryParts(abs: number): [bigint, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, abs);
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const fraction = bits & ((1n << 52n) - 1n);
  return biased === 0 ? [fraction, -1074] : [fraction | (1n << 52n), biased - 1075];
}

function stripFraction(s: string): string {
  if (!s.includes('.')) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

/**
 * Redis's human-friendly form ("%.17Lf", trailing zeros and dot removed, never an exponent, "-0" becomes "0").
 * Redis computes INCRBYFLOAT in 80-bit long double; we hold a double, so we print its shortest round-trip
 * digits (what Redis shows for the same decimal inputs in the common case), at most 17 after the point.
 */
export function formatHumanDouble(n: number): string {
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (Number.isNaN(n)) return 'nan';
  const text = stripFraction(toFixedNotation(Math.abs(n)));
  return text === '0' || n > 0 ? text : '-' + text;
}

/** |n| in positional notation from its shortest round-trip digits, rounded to 17 decimals. */
function toFixedNotation(abs: number): string {
  if (Number.isInteger(abs)) return BigInt(abs).toString();
  const shortest = abs.toString();
  const e = shortest.indexOf('e');
  if (e === -1) return shortest.length - shortest.indexOf('.') - 1 > SIG_DIGITS ? abs.toFixed(SIG_DIGITS) : shortest;
  // Only tiny numbers get here (large non-integers print positionally); they round to 17 decimals.
  return abs.toFixed(SIG_DIGITS);
}
