// A one-line progress bar on stderr, drawn only when stderr is a terminal (never into logs or pipes).

const WIDTH = 30;
const REDRAW_MS = 200;

export class Progress {
  private readonly enabled = process.stderr.isTTY === true;
  private lastDraw = 0;
  private readonly started = performance.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {}

  /** Report `done` of `total`; redraws at most every 200 ms. */
  update(done: number): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.lastDraw < REDRAW_MS && done < this.total) return;
    this.lastDraw = now;
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const filled = Math.round(fraction * WIDTH);
    const rate = done / Math.max((now - this.started) / 1000, 1e-9);
    process.stderr.write(
      `\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ` +
        `${formatCount(rate)}/s `,
    );
  }

  done(): void {
    if (this.enabled) process.stderr.write('\r\x1b[2K');
  }
}

export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(0);
}
