// The shape of every figure the tool writes: one report per command, one entry per engine or server,
// one entry per phase. The JSON file is exactly this object.
import type { LatencySummary } from './latency.js';
import type { MachineFacts } from './machine.js';

export interface PhaseResult {
  phase: string;
  /** `throughput` phases are many operations; `duration` phases time one event (a reopen, a replay). */
  kind: 'throughput' | 'duration';
  operations: number;
  seconds: number;
  opsPerSec: number;
  latency?: LatencySummary;
  /** Per operation type (YCSB read/update/insert/scan/rmw). */
  latencyByOp?: Record<string, LatencySummary>;
  extra?: Record<string, number | string | boolean>;
  /** What the store said about itself after the phase (Strata: stats(), flattened). */
  storeStats?: Record<string, number | string | boolean>;
}

export interface SubjectResult {
  /** Engine or server name. */
  subject: string;
  /** What the durability setting means for this subject, and other caveats. */
  notes: string[];
  phases: PhaseResult[];
  /** Set when the subject failed; its phases so far are kept. */
  error?: string;
}

export interface CacheDrop {
  attempted: boolean;
  dropped: boolean;
  detail: string;
}

export interface BenchReport {
  command: string;
  startedAt: string;
  finishedAt: string;
  options: Record<string, unknown>;
  machine: MachineFacts;
  cacheDrop: CacheDrop;
  notes: string[];
  results: SubjectResult[];
  /** Strata / peer ratio of ops/s per phase (server: per redis-benchmark test). */
  ratios?: Record<string, number>;
}
