// A report as a Markdown comparison table for the README: one row per phase, per subject its ops/s and
// P99, then Strata's ratio to each peer (ops/s over ops/s, for duration phases time over time inverted).
import type { BenchReport, PhaseResult } from './result.js';
import { formatCount } from './progress.js';

export function renderMarkdown(report: BenchReport): string {
  const subjects = report.results.map((r) => r.subject);
  const strata = subjects.find((s) => s.startsWith('strata'));
  const peers = subjects.filter((s) => s !== strata);
  const phases: string[] = [];
  for (const r of report.results) for (const p of r.phases) if (!phases.includes(p.phase)) phases.push(p.phase);
  const find = (subject: string, phase: string): PhaseResult | undefined =>
    report.results.find((r) => r.subject === subject)?.phases.find((p) => p.phase === phase);
  const header = ['phase', ...subjects, ...(strata ? peers.map((p) => `${strata} / ${p}`) : [])];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const phase of phases) {
    const cells = subjects.map((s) => cell(find(s, phase)));
    const ratios = strata
      ? peers.map((peer) => {
          const mine = find(strata, phase);
          const theirs = find(peer, phase);
          return mine && theirs ? `${(mine.opsPerSec / theirs.opsPerSec).toFixed(2)}×` : '';
        })
      : [];
    lines.push(`| ${[phase, ...cells, ...ratios].join(' | ')} |`);
  }
  const errors = report.results.filter((r) => r.error).map((r) => `${r.subject} failed: ${r.error!.split('\n')[0]}`);
  return [...lines, ...errors].join('\n') + '\n';
}

function cell(p: PhaseResult | undefined): string {
  if (!p) return '';
  if (p.kind === 'duration') return `${(p.seconds * 1000).toFixed(0)} ms`;
  return `${formatCount(p.opsPerSec)}/s` + (p.latency ? ` (P99 ${p.latency.p99Us} µs)` : '');
}
