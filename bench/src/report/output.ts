// Writes a finished report: the table to stdout, the JSON (every figure) and the SVG chart beside it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BenchReport } from './result.js';
import { renderChart } from './svg.js';
import { renderTable } from './table.js';

export function defaultOutPath(command: string, at = new Date()): string {
  return join('bench-results', `${command}-${at.toISOString().replace(/[:.]/g, '-')}.json`);
}

export function writeReport(report: BenchReport, outPath: string): { json: string; svg: string } {
  const svg = outPath.replace(/\.json$/i, '') + '.svg';
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(svg, renderChart(report));
  process.stdout.write(renderTable(report));
  process.stdout.write(`results: ${outPath}\nchart:   ${svg}\n`);
  return { json: outPath, svg };
}
