// Runs redis-benchmark against one server and parses its `--csv` output (redis-benchmark 7: rps and
// avg/min/p50/p95/p99/max latency in ms, from its own HDR histogram).
import { execFile } from 'node:child_process';
import type { PhaseResult } from '../report/result.js';

export interface RedisBenchmarkOptions {
  test: string;
  clients: number;
  pipeline: number;
  requests: number;
  dataSize: number;
  /** `-r`: spread keys over this many random key names (0: redis-benchmark's single key per test). */
  keyspace: number;
}

export function redisBenchmark(port: number, o: RedisBenchmarkOptions): Promise<PhaseResult[]> {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-t', o.test, '-c', String(o.clients), '-P', String(o.pipeline), '-n', String(o.requests), '-d', String(o.dataSize), '--csv'];
  if (o.keyspace > 0) args.push('-r', String(o.keyspace));
  return new Promise((resolve, reject) => {
    execFile('redis-benchmark', args, { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`redis-benchmark ${args.join(' ')} failed: ${err.message} ${stderr}`));
      try {
        resolve(parseCsv(stdout, o.requests));
      } catch (parseErr) {
        reject(parseErr);
      }
    });
  });
}

export function parseCsv(csv: string, requests: number): PhaseResult[] {
  const rows = csv
    .split('\n')
    .filter((line) => line.startsWith('"') && !line.startsWith('"test"'))
    .map((line) => line.split('","').map((cell) => cell.replace(/^"|"$/g, '')));
  if (rows.length === 0) throw new Error(`redis-benchmark printed no results: ${csv.trim()}`);
  return rows.map(([test, rps, avg, min, p50, p95, p99, max]) => {
    const us = (ms: string | undefined): number => Math.round(Number(ms) * 1000);
    const opsPerSec = Number(rps);
    if (!test || !Number.isFinite(opsPerSec) || opsPerSec <= 0) throw new Error(`unreadable redis-benchmark row: ${test} ${rps}`);
    return {
      phase: test,
      kind: 'throughput',
      operations: requests,
      seconds: requests / opsPerSec,
      opsPerSec,
      latency: { count: requests, meanUs: us(avg), p50Us: us(p50), p95Us: us(p95), p99Us: us(p99), maxUs: us(max) },
      extra: { minUs: us(min) },
    };
  });
}
