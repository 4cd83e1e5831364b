// Size-tiered ("universal") compaction picking, after RocksDB's universal compaction. The store is a list
// of sorted runs, newest first; each flush adds one and a compaction merges neighbouring runs into one.
// In order of preference:
//  1. size amplification: when all the runs above the oldest hold more than `maxSizeAmplificationPercent`
//     of the oldest run's bytes, or of its entries, merge everything (the only way to drop shadowed data
//     and tombstones). Entries count too because a small tombstone or overwrite in a new run can shadow a
//     large entry in the oldest: bytes alone would leave deleted data on disk indefinitely;
//  2. size ratio: from the newest run on, take runs while the next one is no bigger than the bytes taken
//     so far (plus `sizeRatio` percent); merge them if at least `minMergeWidth` were taken;
//  3. run count: when the runs still number `trigger` or more, merge the newest ones to get below it.
// Nothing is picked below `trigger` runs. Runs in a running compaction are busy: a pick never includes
// one, and the runs it takes are always neighbours, so runs stay ordered by age.

export interface SortedRun {
  /** Bytes of the run's tables, and entries in them. */
  readonly bytes: number;
  readonly entries: number;
  /** Part of a running compaction. */
  readonly busy: boolean;
}

export interface UniversalOptions {
  /** Runs at which compaction starts (RocksDB's level0_file_num_compaction_trigger). */
  trigger: number;
  /** Percent by which a run may exceed the runs taken so far and still be taken. */
  sizeRatio: number;
  minMergeWidth: number;
  maxMergeWidth: number;
  /** Percent of extra bytes above the oldest run at which everything is merged. */
  maxSizeAmplificationPercent: number;
}

export type PickReason = 'size-amplification' | 'size-ratio' | 'run-count';

/** Runs `first .. first + count - 1` (indexes into the newest-first list) to merge, and why. */
export interface Pick {
  first: number;
  count: number;
  reason: PickReason;
}

export function pickCompaction(runs: readonly SortedRun[], o: UniversalOptions): Pick | undefined {
  const n = runs.length;
  if (n < o.trigger || n < 2) return undefined;
  return pickSizeAmplification(runs, o) ?? pickSizeRatio(runs, o) ?? pickRunCount(runs, o);
}

function pickSizeAmplification(runs: readonly SortedRun[], o: UniversalOptions): Pick | undefined {
  if (runs.some((r) => r.busy)) return undefined;
  const oldest = runs[runs.length - 1]!;
  let bytes = 0;
  let entries = 0;
  for (let i = 0; i < runs.length - 1; i++) {
    bytes += runs[i]!.bytes;
    entries += runs[i]!.entries;
  }
  const limit = o.maxSizeAmplificationPercent;
  if (bytes * 100 < oldest.bytes * limit && entries * 100 < oldest.entries * limit) return undefined;
  return { first: 0, count: runs.length, reason: 'size-amplification' };
}

function pickSizeRatio(runs: readonly SortedRun[], o: UniversalOptions): Pick | undefined {
  for (let first = 0; first < runs.length; first++) {
    if (runs[first]!.busy) continue;
    let taken = runs[first]!.bytes;
    let count = 1;
    while (first + count < runs.length && count < o.maxMergeWidth) {
      const next = runs[first + count]!;
      if (next.busy || next.bytes * 100 > taken * (100 + o.sizeRatio)) break;
      taken += next.bytes;
      count++;
    }
    if (count >= o.minMergeWidth) return { first, count, reason: 'size-ratio' };
  }
  return undefined;
}

function pickRunCount(runs: readonly SortedRun[], o: UniversalOptions): Pick | undefined {
  const want = Math.min(o.maxMergeWidth, Math.max(o.minMergeWidth, runs.length - o.trigger + 2));
  let count = 0;
  while (count < want && count < runs.length && !runs[count]!.busy) count++;
  return count >= 2 ? { first: 0, count, reason: 'run-count' } : undefined;
}
