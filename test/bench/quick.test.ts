// Runs every bench subcommand with --quick as a real child process and checks the JSON it writes: the
// report's shape, machine facts, and that every engine or server produced figures (never how fast).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderMarkdown, type BenchReport } from '@strata/bench';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(root, 'bench', 'dist', 'cli.js');

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function quickRun(command: string, extra: string[], subjects: string[]): Promise<BenchReport> {
  const tmp = mkdtempSync(join(os.tmpdir(), `strata-bench-test-${command}-`));
  try {
    const out = join(tmp, 'out', `${command}.json`);
    const { code, stdout, stderr } = await runCli([command, '--quick', '--dir', tmp, '--out', out, ...extra]);
    assert.equal(code, 0, `bench ${command} exited ${code}\n${stdout}\n${stderr}`);
    const report = JSON.parse(readFileSync(out, 'utf8')) as BenchReport;
    assert.ok(readFileSync(out.replace(/\.json$/, '.svg'), 'utf8').startsWith('<svg'), 'an SVG chart beside the JSON');
    assert.match(stdout, /subject\s+phase\s+ops/, 'a table on the terminal');
    assert.equal(report.command, command);
    assert.ok(report.machine.cores > 0 && report.machine.memoryBytes > 0);
    assert.match(report.machine.node, /^v\d+/);
    assert.equal(typeof report.machine.cpuModel, 'string');
    assert.equal(typeof report.machine.filesystem, 'string');
    assert.equal(typeof report.cacheDrop.dropped, 'boolean');
    assert.ok(Date.parse(report.finishedAt) >= Date.parse(report.startedAt));
    assert.deepEqual(report.results.map((r) => r.subject), subjects);
    for (const r of report.results) {
      assert.equal(r.error, undefined, `${r.subject} failed: ${r.error}`);
      assert.ok(r.phases.length > 0, `${r.subject} has phases`);
      for (const p of r.phases) {
        assert.ok(p.seconds > 0 && Number.isFinite(p.seconds), `${r.subject} ${p.phase} seconds`);
        assert.ok(p.opsPerSec > 0 && Number.isFinite(p.opsPerSec), `${r.subject} ${p.phase} ops/s`);
        if (p.kind === 'throughput') {
          const l = p.latency!;
          assert.ok(l.p50Us <= l.p95Us && l.p95Us <= l.p99Us && l.p99Us <= l.maxUs, `${r.subject} ${p.phase} percentiles ordered`);
        }
      }
    }
    // Every subject ran the same phases, so the figures line up side by side.
    const phases = report.results.map((r) => r.phases.map((p) => p.phase).join(','));
    assert.ok(phases.every((p) => p === phases[0]), `same phases for every subject: ${phases.join(' | ')}`);
    return report;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

test('ycsb --quick: every engine loads and runs workloads A-F', async () => {
  const report = await quickRun('ycsb', [], ['strata', 'classic-level', 'rocksdb', 'lmdb']);
  assert.deepEqual(report.results[0]!.phases.map((p) => p.phase), ['load', 'run-A', 'run-B', 'run-C', 'run-F', 'run-D', 'run-E']);
  const runE = report.results[0]!.phases.find((p) => p.phase === 'run-E')!;
  assert.ok(runE.latencyByOp?.scan && runE.latencyByOp.insert, 'workload E reports scan and insert latencies');
  const markdown = renderMarkdown(report);
  assert.match(markdown, /^\| phase \| strata \| classic-level \| rocksdb \| lmdb \| strata \/ classic-level \|/);
  assert.match(markdown, /\n\| run-E \| [\d.]+k?\/s \(P99 \d+ µs\) \|.*\d\.\d\d× \|\n/);
});

test('engine --quick: db_bench phases for strata and a peer', async () => {
  const report = await quickRun('engine', ['--engines', 'strata,classic-level'], ['strata', 'classic-level']);
  const phases = report.results[0]!.phases;
  assert.deepEqual(phases.map((p) => p.phase), ['fillseq', 'fillrandom', 'overwrite', 'reopen', 'readrandom', 'readwhilewriting', 'compact', 'readcompacted', 'fillsync64', 'walreplay']);
  for (const r of report.results) {
    // Random keys over [0, 2000) twice leave about 86% of the range present; the same seed, the same keys.
    const found = r.phases.find((p) => p.phase === 'readrandom')!.extra!.found as number;
    assert.ok(found > 1500 && found < 2000, `${r.subject} readrandom found ${found}`);
    assert.equal(found, report.results[0]!.phases.find((p) => p.phase === 'readrandom')!.extra!.found, 'same keys for every engine');
    // readwhilewriting only adds keys, and compaction loses none.
    const compacted = r.phases.find((p) => p.phase === 'readcompacted')!.extra!.found as number;
    assert.ok(compacted >= found && compacted <= 2000, `${r.subject} readcompacted found ${compacted}, readrandom ${found}`);
  }
  assert.equal(phases.find((p) => p.phase === 'compact')!.storeStats!.tables, 1, 'strata compacted to one table');
  assert.equal(phases.find((p) => p.phase === 'walreplay')!.storeStats!.recoveredRecords, 2000, 'strata replayed every record from its WAL');
});

test('recovery --quick: reopen after close and after kill -9 keeps the keys', async () => {
  const report = await quickRun('recovery', [], ['strata', 'classic-level']);
  for (const r of report.results)
    for (const p of r.phases) assert.equal(p.extra!.found, p.extra!.sampled, `${r.subject} ${p.phase} found every sampled key`);
});

test('server --quick --warmup: redis-benchmark against redis-server and strata-server, each warmed up first', async () => {
  const report = await quickRun('server', ['--warmup', '500'], ['redis-server', 'strata-server']);
  assert.deepEqual(Object.keys(report.ratios ?? {}).sort(), ['GET', 'SET']);
  assert.ok(report.notes.some((note) => note.includes('untimed with -n 500')), report.notes.join('\n'));
  for (const r of report.results) assert.deepEqual(r.phases.map((p) => p.phase), ['SET', 'GET'], `${r.subject}: only the measured runs are reported`);
});

test('server --quick --ceiling: a redis-server that persists nothing runs beside the two, outside the ratios', async () => {
  const report = await quickRun('server', ['--ceiling'], ['redis-server', 'strata-server', 'redis-server-no-persistence']);
  assert.deepEqual(Object.keys(report.ratios ?? {}).sort(), ['GET', 'SET']);
  const ceiling = report.results[2]!;
  assert.deepEqual(ceiling.phases.map((p) => p.phase), ['SET', 'GET']);
  assert.ok(ceiling.notes.some((note) => note.includes('appendonly no')));
});

test('server --quick --node-floor: a Node.js server that stores nothing answers every test, outside the ratios', async () => {
  const tests = ['SET', 'GET', 'INCR', 'PING_INLINE', 'PING_MBULK', 'MSET (10 keys)'];
  const report = await quickRun('server', ['--node-floor', '-t', 'set,get,incr,ping_inline,ping_mbulk,mset', '-P', '3'], ['redis-server', 'strata-server', 'node-floor']);
  assert.deepEqual(Object.keys(report.ratios ?? {}).sort(), [...tests].sort());
  const floor = report.results[2]!;
  assert.deepEqual(floor.phases.map((p) => p.phase), tests);
  for (const p of floor.phases) assert.ok(p.opsPerSec > 0, `${p.phase} answered`);
});
