// Redis's glob matching (util.c stringmatchlen) over bytes: * ? [abc] [^a] [a-z] and \x escapes, with the
// same quirks (an unterminated [ matches up to the end, ranges may be given high-low), plus the literal
// prefix of a pattern so SCAN and KEYS can seek straight to it.

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const CARET = 0x5e;
const DASH = 0x2d;
const BACKSLASH = 0x5c;

/** Whether `str` matches `pattern`, as Redis's stringmatchlen (case-sensitive). */
export function globMatch(pattern: Uint8Array, str: Uint8Array): boolean {
  return matchFrom(pattern, 0, str, 0, 0) === Match.Yes;
}

const enum Match {
  No,
  Yes,
  /** The string ran out while a * still had to match: no later * can succeed either (Redis's skipLongerMatches). */
  Exhausted,
}

/** Nesting bound for consecutive '*' recursion, as Redis 7 limits pathological patterns. */
const MAX_NESTING = 1000;

function matchFrom(p: Uint8Array, pi: number, s: Uint8Array, si: number, nesting: number): Match {
  if (nesting > MAX_NESTING) return Match.No;
  while (pi < p.length && si < s.length) {
    const c = p[pi]!;
    if (c === STAR) {
      while (pi + 1 < p.length && p[pi + 1] === STAR) pi++;
      if (pi + 1 === p.length) return Match.Yes;
      for (; si < s.length; si++) {
        const m = matchFrom(p, pi + 1, s, si, nesting + 1);
        if (m !== Match.No) return m;
      }
      return Match.Exhausted;
    } else if (c === OPEN) {
      const end = matchClass(p, pi + 1, s[si]!);
      if (end < 0) return Match.No;
      pi = end - 1;
    } else if (c !== QUESTION) {
      if (c === BACKSLASH && pi + 1 < p.length) pi++;
      if (p[pi] !== s[si]) return Match.No;
    }
    pi++;
    si++;
    // As Redis: once the string is consumed, trailing stars match the empty rest (but an empty string
    // never reaches this point, so "*" alone does not match "" here: callers short-circuit "*").
    if (si === s.length) while (pi < p.length && p[pi] === STAR) pi++;
  }
  return pi === p.length && si === s.length ? Match.Yes : Match.No;
}

/** Matches byte `b` against the class starting after '['; returns the pattern index after the class, or -1. */
function matchClass(p: Uint8Array, pi: number, b: number): number {
  const not = p[pi] === CARET;
  if (not) pi++;
  let matched = false;
  for (;;) {
    if (pi >= p.length) {
      pi--; // unterminated: Redis treats the end of the pattern as the end of the class
      break;
    }
    const c = p[pi]!;
    if (c === BACKSLASH && pi + 1 < p.length) {
      pi++;
      if (p[pi] === b) matched = true;
    } else if (c === CLOSE) {
      break;
    } else if (pi + 2 < p.length && p[pi + 1] === DASH) {
      let start = c;
      let end = p[pi + 2]!;
      if (start > end) [start, end] = [end, start];
      pi += 2;
      if (b >= start && b <= end) matched = true;
    } else if (c === b) {
      matched = true;
    }
    pi++;
  }
  if (not) matched = !matched;
  return matched ? pi + 1 : -1;
}

/** The bytes every match of `pattern` must start with (up to its first special character). */
export function literalPrefix(pattern: Uint8Array): Buffer {
  const out: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === STAR || c === QUESTION || c === OPEN) break;
    if (c === BACKSLASH) {
      if (i + 1 === pattern.length) break; // a trailing backslash: a shorter prefix is still a correct bound
      out.push(pattern[++i]!);
      continue;
    }
    out.push(c);
  }
  return Buffer.from(out);
}

/** True for the pattern "*", which Redis's KEYS and SCAN treat as "everything" without matching. */
export function matchesAll(pattern: Uint8Array): boolean {
  return pattern.length === 1 && pattern[0] === STAR;
}
