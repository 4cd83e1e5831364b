// Assembling a report: machine facts up front, one SubjectResult per engine or server, errors kept
// per subject so one failing store does not lose the others' figures.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { machineFacts } from './machine.js';
import type { BenchReport, CacheDrop, PhaseResult, SubjectResult } from './result.js';

export function newReport(command: string, options: Record<string, unknown>, dataDir: string): BenchReport {
  return {
    command,
    startedAt: new Date().toISOString(),
    finishedAt: '',
    options,
    machine: machineFacts(dataDir),
    cacheDrop: { attempted: false, dropped: false, detail: 'not needed by this command' },
    notes: ['The machine may be shared with other work; see machine.loadAverage at the start of the run.'],
    results: [],
  };
}

/** Run `body` for one subject, collecting the phases it reports; an exception becomes `error`. */
export async function measureSubject(
  report: BenchReport,
  subject: string,
  notes: string[],
  body: (record: (phase: PhaseResult) => void) => Promise<void>,
): Promise<SubjectResult> {
  const result: SubjectResult = { subject, notes, phases: [] };
  report.results.push(result);
  try {
    await body((phase) => {
      result.phases.push(phase);
      process.stderr.write(`${subject} ${phase.phase}: ${summaryLine(phase)}\n`);
    });
  } catch (err) {
    result.error = (err as Error).stack ?? String(err);
    process.stderr.write(`${subject}: failed: ${result.error}\n`);
  }
  return result;
}

function summaryLine(p: PhaseResult): string {
  if (p.kind === 'duration') return `${(p.seconds * 1000).toFixed(1)} ms`;
  const l = p.latency;
  return `${Math.round(p.opsPerSec)} ops/s` + (l ? ` p50 ${l.p50Us} µs p99 ${l.p99Us} µs` : '');
}

/** Merge what each page-cache drop attempt found into the report's one statement. */
export function noteCacheDrop(report: BenchReport, drop: CacheDrop): void {
  if (!report.cacheDrop.attempted || !drop.dropped) report.cacheDrop = drop;
}

export function finishReport(report: BenchReport): BenchReport {
  report.finishedAt = new Date().toISOString();
  return report;
}

/** A fresh, empty data directory under `base`; every store gets its own of the same kind. */
export function freshDir(base: string, label: string): string {
  return mkdtempSync(join(base, `strata-bench-${label}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
