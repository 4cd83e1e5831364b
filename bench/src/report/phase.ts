// Runs one measured phase: `concurrency` async callers drain a shared operation counter, each operation
// timed into an HDR histogram (overall and per operation kind).
import { LatencyRecorder } from './latency.js';
import { Progress } from './progress.js';
import type { PhaseResult } from './result.js';
import type { Store } from '../adapters/index.js';

export interface PhaseSpec {
  name: string;
  operations: number;
  concurrency: number;
  /** Labels of the operation kinds `step` returns the index of (omit for a single kind). */
  kinds?: readonly string[];
  /** Perform operation `i`; resolve to the index of its kind in `kinds`. */
  step(i: number): Promise<number | void>;
  /** Give the event loop a turn (setImmediate, not timed) after this many operations of a caller. An
   *  operation that resolves without I/O (a get served from memory) never lets the loop turn, so a
   *  store's background work (group commits, flush slices, compaction installs) and any concurrent
   *  writer would wait for the whole phase; a server's socket reads let it turn between requests. */
  yieldEvery?: number;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function runPhase(spec: PhaseSpec, label: string): Promise<PhaseResult> {
  const overall = new LatencyRecorder();
  const byKind = (spec.kinds ?? []).map(() => new LatencyRecorder());
  const progress = new Progress(label, spec.operations);
  let next = 0;
  // Resident memory of this process (the store lives in it), sampled every 1024 operations but at most
  // every 20 ms (reading it is a system call that costs as much as hundreds of fast operations).
  let peakRss = process.memoryUsage.rss();
  let rssSampled = performance.now();
  const yieldEvery = spec.yieldEvery ?? 0;
  const caller = async (): Promise<void> => {
    let sinceYield = 0;
    // One clock reading per operation: an operation starts when the caller's previous one ended (the
    // reading that timed it), unless the caller did something else in between. (A reading costs ~60 ns,
    // 1% of what is measured for a store that answers in 5 µs.)
    let t0 = performance.now();
    while (next < spec.operations) {
      if (yieldEvery > 0 && ++sinceYield >= yieldEvery) {
        sinceYield = 0;
        await nextTurn();
        if (next >= spec.operations) break;
        t0 = performance.now();
      }
      const i = next++;
      let kind: number | void;
      try {
        kind = await spec.step(i);
      } catch (err) {
        next = spec.operations;
        throw err;
      }
      const t1 = performance.now();
      overall.recordSince(t0, t1);
      if (typeof kind === 'number') byKind[kind]!.recordSince(t0, t1);
      if ((i & 1023) === 0) {
        progress.update(i);
        if (t1 - rssSampled >= 20) {
          rssSampled = t1;
          peakRss = Math.max(peakRss, process.memoryUsage.rss());
        }
        t0 = performance.now();
      } else {
        t0 = t1;
      }
    }
  };
  const started = performance.now();
  try {
    // On a failure the other callers stop after their current operation, and all have settled before
    // the error propagates (and the store is closed under them).
    const settled = await Promise.allSettled(Array.from({ length: Math.max(1, spec.concurrency) }, caller));
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  } finally {
    progress.done();
  }
  const seconds = (performance.now() - started) / 1000;
  const result: PhaseResult = {
    phase: spec.name,
    kind: 'throughput',
    operations: spec.operations,
    seconds,
    opsPerSec: spec.operations / seconds,
    latency: overall.summary(),
    extra: { peakRssMB: Math.round(peakRss / 2 ** 20) },
  };
  if (spec.kinds) {
    result.latencyByOp = {};
    spec.kinds.forEach((k, i) => {
      if (byKind[i]!.count > 0) result.latencyByOp![k] = byKind[i]!.summary();
    });
  }
  return result;
}

/** A phase that times one event, e.g. a reopen. */
export async function timeOnce(
  name: string,
  action: () => Promise<Record<string, number | string | boolean> | void>,
): Promise<PhaseResult> {
  const started = performance.now();
  const extra = await action();
  const seconds = (performance.now() - started) / 1000;
  return { phase: name, kind: 'duration', operations: 1, seconds, opsPerSec: 1 / seconds, ...(extra ? { extra } : {}) };
}

/** The phase with what the store reports about itself right after it (Strata: its stats()). */
export function withStoreStats(phase: PhaseResult, store: Store): PhaseResult {
  const storeStats = store.facts?.();
  return storeStats ? { ...phase, storeStats } : phase;
}
