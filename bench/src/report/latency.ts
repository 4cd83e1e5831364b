// Latency recording in microseconds with an HDR histogram (3 significant digits): percentiles come from
// the histogram's buckets, never from sorting an array of samples.
import * as hdr from 'hdr-histogram-js';

export interface LatencySummary {
  count: number;
  meanUs: number;
  p50Us: number;
  p95Us: number;
  p99Us: number;
  /** Absent where the source does not report it (redis-benchmark's CSV stops at P99). */
  p999Us?: number;
  maxUs: number;
}

export class LatencyRecorder {
  private readonly histogram = hdr.build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });

  /** Record one operation that started at `startMs` (a `performance.now()` reading). */
  recordSince(startMs: number, nowMs: number): void {
    this.histogram.recordValue(Math.round((nowMs - startMs) * 1000));
  }

  recordUs(us: number): void {
    this.histogram.recordValue(Math.round(us));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  summary(): LatencySummary {
    const h = this.histogram;
    const max = h.maxValue;
    // A percentile reads as the top of its bucket, which may lie above the largest value recorded.
    const at = (percentile: number): number => Math.min(h.getValueAtPercentile(percentile), max);
    return { count: h.totalCount, meanUs: round(h.mean), p50Us: at(50), p95Us: at(95), p99Us: at(99), p999Us: at(99.9), maxUs: max };
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
