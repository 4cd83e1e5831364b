// What INFO's commandstats, latencystats and errorstats sections report: per command, its calls, the time
// they took, the distribution of that time, and the calls that failed (replied an error) or were rejected
// before running (arity, authentication); per error code (the first word of an error reply, as Redis takes
// it), how many such replies were sent.

import { formatPercentile } from './config.js';
import { LatencyHistogram } from './latency-histogram.js';

/** Redis keeps at most this many error codes; later new codes are not counted by code (the total still is). */
const MAX_ERROR_CODES = 128;

export class CommandStats {
  calls = 0;
  /** Microseconds spent running the command. */
  usec = 0;
  rejected = 0;
  failed = 0;
  /** Created on the first latency recorded (most commands are never called). */
  private latency: LatencyHistogram | undefined;

  reset(): void {
    this.calls = this.usec = this.rejected = this.failed = 0;
    this.latency = undefined;
  }

  recordLatency(micros: number): void {
    (this.latency ??= new LatencyHistogram()).record(micros * 1000);
  }

  /** The value of its `latency_percentiles_usec_<name>` line (`p50=1.003,p99=...`, microseconds), or
   *  undefined if it has no latency recorded. */
  describeLatency(percentiles: readonly number[]): string | undefined {
    const latency = this.latency;
    if (latency === undefined) return undefined;
    return percentiles.map((p) => `p${formatPercentile(p)}=${(latency.valueAtPercentile(p) / 1000).toFixed(3)}`).join(',');
  }

  /** The value of its `cmdstat_<name>` line. */
  describe(): string {
    const usec = Math.round(this.usec);
    const perCall = this.calls === 0 ? 0 : usec / this.calls;
    return `calls=${this.calls},usec=${usec},usec_per_call=${perCall.toFixed(2)},rejected_calls=${this.rejected},failed_calls=${this.failed}`;
  }
}

export class ErrorStats {
  /** Error replies sent (INFO's total_error_replies). */
  total = 0;
  private readonly byCode = new Map<string, number>();

  /** Counts one error reply. Its code is its first word when a space comes within its first 32 bytes, else
   *  ERR (Redis's rule). */
  count(message: string): void {
    this.total++;
    const space = message.indexOf(' ');
    const code = space >= 0 && space < 32 ? message.slice(0, space) : 'ERR';
    const seen = this.byCode.get(code);
    if (seen !== undefined) this.byCode.set(code, seen + 1);
    else if (this.byCode.size < MAX_ERROR_CODES) this.byCode.set(code, 1);
  }

  /** The errorstats section's lines: `errorstat_<code>` and its count, by code. */
  lines(): Array<[string, string]> {
    return [...this.byCode].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([code, n]) => [`errorstat_${code}`, `count=${n}`]);
  }

  reset(): void {
    this.total = 0;
    this.byCode.clear();
  }
}
