// A small SVG writer for the report chart: grouped bars of throughput (and of durations) per phase, and
// per-phase latency bars in which P99.9, P99, P95 and P50 are overlaid from light to dark on a log scale.
import type { BenchReport, PhaseResult } from './result.js';

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
const PANEL_HEIGHT = 220;
const MARGIN = { left: 80, right: 20, top: 40, bottom: 60 };
const GROUP_WIDTH_PER_SUBJECT = 26;
const GROUP_GAP = 24;
const MIN_GROUP_WIDTH = 90;
const LEGEND_WIDTH = 160;

type Value = (p: PhaseResult) => number | undefined;

interface Panel {
  title: string;
  phases: string[];
  value: Value;
  log?: boolean;
  /** Latency panel: overlay these percentiles (largest first) with fading opacity. */
  layers?: { label: string; value: Value }[];
}

export function renderChart(report: BenchReport): string {
  const subjects = report.results.map((r) => r.subject);
  const phasesOf = (kind: PhaseResult['kind']): string[] => {
    const names: string[] = [];
    for (const r of report.results)
      for (const p of r.phases) if (p.kind === kind && !names.includes(p.phase)) names.push(p.phase);
    return names;
  };
  const throughput = phasesOf('throughput');
  const durations = phasesOf('duration');
  const latencyPhases = throughput.filter((name) =>
    report.results.some((r) => r.phases.some((p) => p.phase === name && p.latency)),
  );
  const panels: Panel[] = [];
  if (throughput.length) panels.push({ title: 'Throughput (ops/s, higher is better)', phases: throughput, value: (p) => p.opsPerSec });
  if (durations.length) panels.push({ title: 'Duration (ms, lower is better)', phases: durations, value: (p) => p.seconds * 1000 });
  if (latencyPhases.length)
    panels.push({
      title: 'Latency (µs, log scale; bar shades: P99.9, P99, P95, P50)',
      phases: latencyPhases,
      value: (p) => p.latency?.p999Us,
      log: true,
      layers: [
        { label: 'P99.9', value: (p) => p.latency?.p999Us },
        { label: 'P99', value: (p) => p.latency?.p99Us },
        { label: 'P95', value: (p) => p.latency?.p95Us },
        { label: 'P50', value: (p) => p.latency?.p50Us },
      ],
    });

  // Wide enough for the phase labels under each group and for the legend row.
  const groupWidth = Math.max(MIN_GROUP_WIDTH, subjects.length * GROUP_WIDTH_PER_SUBJECT + GROUP_GAP);
  const widest = Math.max(1, ...panels.map((p) => p.phases.length));
  const width = Math.max(MARGIN.left + MARGIN.right + widest * groupWidth, MARGIN.left + subjects.length * LEGEND_WIDTH);
  const panelTotal = PANEL_HEIGHT + MARGIN.top + MARGIN.bottom;
  const legendHeight = 30;
  const height = legendHeight + panels.length * panelTotal;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  subjects.forEach((s, i) => {
    const x = MARGIN.left + i * LEGEND_WIDTH;
    out.push(rect(x, 10, 12, 12, color(i)), text(x + 16, 20, `${report.command}: ${s}`));
  });
  panels.forEach((panel, index) =>
    out.push(...drawPanel(panel, report, subjects, legendHeight + index * panelTotal, groupWidth)),
  );
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function drawPanel(panel: Panel, report: BenchReport, subjects: string[], top: number, groupWidth: number): string[] {
  const out: string[] = [];
  const plotTop = top + MARGIN.top;
  const plotBottom = plotTop + PANEL_HEIGHT;
  const find = (subject: string, phase: string): PhaseResult | undefined =>
    report.results.find((r) => r.subject === subject)?.phases.find((p) => p.phase === phase);
  const values = panel.phases.flatMap((ph) => subjects.map((s) => find(s, ph)).map((p) => (p ? panel.value(p) : undefined)));
  const max = Math.max(1, ...values.filter((v): v is number => v !== undefined && Number.isFinite(v)));
  const scale = panel.log
    ? (v: number) => (Math.log10(Math.max(v, 1)) / Math.log10(max * 1.1)) * PANEL_HEIGHT
    : (v: number) => (v / (max * 1.1)) * PANEL_HEIGHT;
  out.push(text(MARGIN.left, top + 24, panel.title, 'bold'));
  out.push(line(MARGIN.left, plotBottom, MARGIN.left + panel.phases.length * groupWidth, plotBottom));
  out.push(line(MARGIN.left, plotTop, MARGIN.left, plotBottom));
  for (const tick of ticks(max, panel.log === true)) {
    const y = plotBottom - scale(tick);
    out.push(line(MARGIN.left - 4, y, MARGIN.left, y), text(MARGIN.left - 6, y + 4, formatTick(tick), 'end'));
  }
  panel.phases.forEach((phase, g) => {
    const gx = MARGIN.left + g * groupWidth + (groupWidth - subjects.length * GROUP_WIDTH_PER_SUBJECT) / 2;
    subjects.forEach((subject, s) => {
      const result = find(subject, phase);
      if (!result) return;
      const x = gx + s * GROUP_WIDTH_PER_SUBJECT;
      const layers = panel.layers ?? [{ label: '', value: panel.value }];
      layers.forEach((layer, l) => {
        const v = layer.value(result);
        if (v === undefined || !Number.isFinite(v)) return;
        const h = Math.max(1, scale(v));
        const opacity = (l + 1) / layers.length;
        out.push(rect(x, plotBottom - h, GROUP_WIDTH_PER_SUBJECT - 4, h, color(s), opacity, `${subject} ${phase} ${layer.label} ${formatTick(v)}`));
      });
    });
    out.push(text(gx + (subjects.length * GROUP_WIDTH_PER_SUBJECT) / 2, plotBottom + 16, phase, 'middle'));
  });
  return out;
}

function ticks(max: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let t = 1; t <= max * 1.1; t *= 10) out.push(t);
    return out;
  }
  const step = 10 ** Math.floor(Math.log10(max));
  const unit = max / step > 5 ? step : max / step > 2 ? step / 2 : step / 5;
  const out: number[] = [];
  for (let t = 0; t <= max * 1.1; t += unit) out.push(t);
  return out;
}

function formatTick(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (v >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(2)}`;
}

const color = (i: number): string => PALETTE[i % PALETTE.length]!;

function rect(x: number, y: number, w: number, h: number, fill: string, opacity = 1, title?: string): string {
  const body = `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="${fill}" fill-opacity="${opacity.toFixed(2)}"`;
  return title ? `${body}><title>${escape(title)}</title></rect>` : `${body}/>`;
}

function line(x1: number, y1: number, x2: number, y2: number): string {
  return `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" stroke="#444"/>`;
}

function text(x: number, y: number, content: string, style?: 'bold' | 'end' | 'middle'): string {
  const attrs = style === 'bold' ? ' font-weight="bold" font-size="13"' : style ? ` text-anchor="${style}"` : '';
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${attrs}>${escape(content)}</text>`;
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
