// The terminal table: one row per subject and phase, latencies in microseconds.
import type { BenchReport } from './result.js';
import { formatCount } from './progress.js';

/** Store stats worth a place in the table (the JSON has them all): what recovery replayed, the shape
 *  of the tree, background work and amplification. */
const TABLE_STATS = /^Δ?(recoveredRecords|tables|flushes)$|compaction|amplification|stall/i;

export function renderTable(report: BenchReport): string {
  const header = ['subject', 'phase', 'ops', 'ops/s', 'secs', 'p50 µs', 'p95 µs', 'p99 µs', 'p99.9 µs', 'max µs', 'notes'];
  const rows: string[][] = [];
  for (const r of report.results) {
    for (const p of r.phases) {
      const l = p.latency;
      const shownStats = Object.entries(p.storeStats ?? {}).filter(([k]) => TABLE_STATS.test(k));
      const extra = [...Object.entries(p.extra ?? {}), ...shownStats].map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : v}`);
      if (report.ratios?.[p.phase] !== undefined && r.subject.startsWith('strata')) extra.unshift(`ratio=${report.ratios[p.phase]!.toFixed(2)}`);
      rows.push([
        r.subject,
        p.phase,
        String(p.operations),
        p.kind === 'throughput' ? formatCount(p.opsPerSec) : '',
        p.seconds.toFixed(3),
        l ? String(l.p50Us) : '',
        l ? String(l.p95Us) : '',
        l ? String(l.p99Us) : '',
        l?.p999Us !== undefined ? String(l.p999Us) : '',
        l ? String(l.maxUs) : '',
        extra.join(' '),
      ]);
    }
    // The first line only: the whole error is in the JSON and was printed when it happened.
    if (r.error) rows.push([r.subject, 'ERROR', '', '', '', '', '', '', '', '', r.error.split('\n')[0]!.slice(0, 160)]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const format = (row: string[]): string =>
    row.map((cell, i) => (i < 2 || i === row.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  const lines = [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(format)];
  for (const r of report.results) for (const n of r.notes) lines.push(`${r.subject}: ${n}`);
  for (const n of report.notes) lines.push(`note: ${n}`);
  lines.push(`page cache: ${report.cacheDrop.detail}`);
  return lines.join('\n') + '\n';
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}
