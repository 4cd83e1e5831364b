// Bloom filter over the user keys of one table (see FORMAT.md, "Filter block"). One 32-bit hash per key;
// k probes by double hashing (h += rotate(h, 17)), as LevelDB does. Build keeps 4 bytes per distinct key.

import { bloomHash } from '../util/bloom-hash.js';

const probesFor = (bitsPerKey: number): number => Math.min(30, Math.max(1, Math.round(bitsPerKey * 0.69)));

export class BloomFilterBuilder {
  private hashes = new Uint32Array(1024);
  private count = 0;

  constructor(private readonly bitsPerKey: number) {}

  addKey(key: Uint8Array): void {
    if (this.count === this.hashes.length) {
      const grown = new Uint32Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[this.count++] = bloomHash(key);
  }

  /** The filter contents: the bit array, then one byte with the number of probes. */
  finish(): Buffer {
    const bits = Math.max(64, this.count * this.bitsPerKey);
    const bytes = Math.ceil(bits / 8);
    const totalBits = bytes * 8;
    const k = probesFor(this.bitsPerKey);
    const out = Buffer.alloc(bytes + 1);
    for (let i = 0; i < this.count; i++) {
      let h = this.hashes[i]!;
      const delta = ((h >>> 17) | (h << 15)) >>> 0;
      for (let j = 0; j < k; j++) {
        const bit = h % totalBits;
        out[bit >>> 3]! |= 1 << (bit & 7);
        h = (h + delta) >>> 0;
      }
    }
    out[bytes] = k;
    return out;
  }
}

export class BloomFilter {
  private readonly bits: Buffer;
  private readonly totalBits: number;
  private readonly probes: number;

  /** `contents` as written by BloomFilterBuilder.finish; returns undefined if it is malformed. */
  static parse(contents: Buffer): BloomFilter | undefined {
    if (contents.length < 2) return undefined;
    const probes = contents[contents.length - 1]!;
    if (probes < 1 || probes > 30) return undefined;
    return new BloomFilter(contents, probes);
  }

  private constructor(contents: Buffer, probes: number) {
    this.bits = contents;
    this.totalBits = (contents.length - 1) * 8;
    this.probes = probes;
  }

  get byteLength(): number {
    return this.bits.length;
  }

  /** False only if `key` was certainly not added. */
  mayContain(key: Uint8Array): boolean {
    return this.mayContainHash(bloomHash(key));
  }

  /** mayContain for a key whose bloomHash is `hash`. */
  mayContainHash(hash: number): boolean {
    let h = hash;
    const delta = ((h >>> 17) | (h << 15)) >>> 0;
    const bits = this.bits;
    for (let j = 0; j < this.probes; j++) {
      const bit = h % this.totalBits;
      if ((bits[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
      h = (h + delta) >>> 0;
    }
    return true;
  }
}
