// The YCSB core workloads A–F (workloads/workloada … workloadf in the YCSB repository): operation mix and
// request distribution. `--distribution` overrides the distribution for all of them.

export type Distribution = 'zipfian' | 'uniform' | 'latest';

/** Operation kinds, in the order their latency histograms are reported. */
export const OPERATION_KINDS = ['read', 'update', 'insert', 'scan', 'readmodifywrite'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

export interface Workload {
  name: string;
  description: string;
  /** Proportion of each operation kind; they sum to 1. */
  mix: Partial<Record<OperationKind, number>>;
  distribution: Distribution;
  /** Scan lengths are uniform in [1, maxScanLength] (YCSB's scanlengthdistribution=uniform). */
  maxScanLength: number;
}

export const WORKLOADS: Record<string, Workload> = {
  a: { name: 'A', description: 'update heavy: 50% read, 50% update', mix: { read: 0.5, update: 0.5 }, distribution: 'zipfian', maxScanLength: 100 },
  b: { name: 'B', description: 'read mostly: 95% read, 5% update', mix: { read: 0.95, update: 0.05 }, distribution: 'zipfian', maxScanLength: 100 },
  c: { name: 'C', description: 'read only', mix: { read: 1 }, distribution: 'zipfian', maxScanLength: 100 },
  d: { name: 'D', description: 'read latest: 95% read, 5% insert', mix: { read: 0.95, insert: 0.05 }, distribution: 'latest', maxScanLength: 100 },
  e: { name: 'E', description: 'short ranges: 95% scan, 5% insert', mix: { scan: 0.95, insert: 0.05 }, distribution: 'zipfian', maxScanLength: 100 },
  f: { name: 'F', description: 'read-modify-write: 50% read, 50% rmw', mix: { read: 0.5, readmodifywrite: 0.5 }, distribution: 'zipfian', maxScanLength: 100 },
};

/** YCSB's recommended order on one loaded dataset: the inserting workloads D and E come last. */
export const DEFAULT_ORDER = ['a', 'b', 'c', 'f', 'd', 'e'];
