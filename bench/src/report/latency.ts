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
    return {
      count: h.totalCount,
      meanUs: round(h.mean),
      p50Us: h.getValueAtPercentile(50),
      p95Us: h.getValueAtPercentile(95),
      p99Us: h.getValueAtPercentile(99),
      p999Us: h.getValueAtPercentile(99.9),
      maxUs: h.maxValue,
    };
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
