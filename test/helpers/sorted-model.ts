// The reference model for engine tests: a map from byte-string keys to values, ordered bytewise.
// Keys are held as hex strings, whose string order is exactly the bytewise order of the keys.

export interface Range {
  gt?: Uint8Array;
  gte?: Uint8Array;
  lt?: Uint8Array;
  lte?: Uint8Array;
  reverse?: boolean;
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');

export class SortedModel {
  private readonly values = new Map<string, Uint8Array>();
  /** Keys in bytewise order. */
  private readonly keys: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.values.get(hex(key));
  }

  put(key: Uint8Array, value: Uint8Array): void {
    const k = hex(key);
    if (!this.values.has(k)) this.keys.splice(this.lowerBound(k), 0, k);
    this.values.set(k, value.slice());
  }

  del(key: Uint8Array): void {
    const k = hex(key);
    if (!this.values.delete(k)) return;
    this.keys.splice(this.lowerBound(k), 1);
  }

  clone(): SortedModel {
    const copy = new SortedModel();
    copy.keys.push(...this.keys);
    for (const [k, v] of this.values) copy.values.set(k, v);
    return copy;
  }

  /** The entries of a range, in the range's direction. */
  range(range: Range = {}): Array<[Uint8Array, Uint8Array]> {
    let start = 0;
    let end = this.keys.length;
    if (range.gte !== undefined) start = Math.max(start, this.lowerBound(hex(range.gte)));
    if (range.gt !== undefined) start = Math.max(start, this.upperBound(hex(range.gt)));
    if (range.lt !== undefined) end = Math.min(end, this.lowerBound(hex(range.lt)));
    if (range.lte !== undefined) end = Math.min(end, this.upperBound(hex(range.lte)));
    const out: Array<[Uint8Array, Uint8Array]> = [];
    for (let i = start; i < end; i++) {
      const k = this.keys[i] as string;
      out.push([Buffer.from(k, 'hex'), this.values.get(k) as Uint8Array]);
    }
    return range.reverse === true ? out.reverse() : out;
  }

  /** First index whose key is >= k. */
  private lowerBound(k: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.keys[mid] as string) < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose key is > k. */
  private upperBound(k: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.keys[mid] as string) <= k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
