// @strata/bench as a library: the seeded generators and report helpers, for tests and for other scripts.
export { Prng } from './random/prng.js';
export { fnvhash64, mod64 } from './random/fnv.js';
export { benchKey, ycsbKey, ValuePool } from './random/keys.js';
export {
  AcknowledgedCounter,
  ScrambledZipfianGenerator,
  SkewedLatestGenerator,
  UniformGenerator,
  ZipfianGenerator,
} from './ycsb/generators.js';
export { WORKLOADS, OPERATION_KINDS, type Workload, type Distribution } from './ycsb/workloads.js';
export { LatencyRecorder, type LatencySummary } from './report/latency.js';
export { parseCsv } from './redis/redis-benchmark.js';
export { renderChart } from './report/svg.js';
export { renderMarkdown } from './report/markdown.js';
export type { BenchReport, PhaseResult, SubjectResult, CacheDrop } from './report/result.js';
export type { MachineFacts } from './report/machine.js';
export { adapters, adapterNamed, type Adapter, type Store } from './adapters/index.js';
