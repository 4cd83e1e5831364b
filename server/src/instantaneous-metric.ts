// Redis's instantaneous metrics (INFO instantaneous_ops_per_sec, instantaneous_input_kbps, ...): a counter
// is sampled every 100 ms, and the rate is the average over the last 16 samples (server.c
// trackInstantaneousMetric / getInstantaneousMetric).

const SAMPLES = 16;
/** Redis samples in serverCron with run_with_period(100). */
export const METRIC_PERIOD_MS = 100;

export class InstantaneousMetric {
  private readonly rates = new Float64Array(SAMPLES);
  private index = 0;
  private lastTime = 0;
  private lastValue = 0;

  /** Records the counter's value at `now` (ms); the first call only sets the starting point. */
  sample(now: number, value: number): void {
    if (this.lastTime !== 0 && now > this.lastTime) {
      this.rates[this.index] = ((value - this.lastValue) * 1000) / (now - this.lastTime);
      this.index = (this.index + 1) % SAMPLES;
    }
    this.lastTime = now;
    this.lastValue = value;
  }

  /** Per second, averaged over the last samples. */
  perSecond(): number {
    let sum = 0;
    for (const rate of this.rates) sum += rate;
    return sum / SAMPLES;
  }

  /** CONFIG RESETSTAT: the counter restarts from `value`. */
  reset(value: number): void {
    this.rates.fill(0);
    this.lastValue = value;
  }
}
