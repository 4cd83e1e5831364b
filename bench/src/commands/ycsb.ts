// `ycsb`: per engine, in its own fresh directory: load phase, close, drop the page cache, reopen, then the
// run phase of each chosen workload on that dataset.
import { adapterNamed, type FsyncPolicy } from '../adapters/index.js';
import { ValuePool, ycsbKey } from '../random/keys.js';
import { Prng } from '../random/prng.js';
import { dropPageCache } from '../report/machine.js';
import { runPhase, withStoreStats } from '../report/phase.js';
import { finishReport, freshDir, measureSubject, newReport, noteCacheDrop, removeDir } from '../report/report.js';
import type { BenchReport } from '../report/result.js';
import { AcknowledgedCounter } from '../ycsb/generators.js';
import { operationStream } from '../ycsb/runner.js';
import { OPERATION_KINDS, WORKLOADS, type Distribution } from '../ycsb/workloads.js';

export interface YcsbOptions {
  engines: string[];
  workloads: string[];
  records: number;
  operations: number;
  valueSize: number;
  threads: number;
  distribution?: Distribution;
  seed: number;
  fsync: FsyncPolicy;
  /** Policy of the load phase (default: `fsync`); a synced 1M-record load with one caller takes hours. */
  loadFsync: FsyncPolicy;
  dir: string;
  dropCaches: boolean;
}

export async function ycsb(options: YcsbOptions): Promise<BenchReport> {
  const report = newReport('ycsb', { ...options }, options.dir);
  report.notes.push(
    `Keys: "user" + 16 hex digits of fnvhash64(n) (20 bytes); values: ${options.valueSize} random bytes; ` +
      `${options.threads} concurrent caller(s) in one process; workloads run in order on one loaded dataset.`,
  );
  if (options.threads > 1) report.notes.push('With several callers, operation order across callers (and D\'s "latest") depends on timing.');
  for (const name of options.engines) {
    const adapter = adapterNamed(name);
    const notes = [`run: ${adapter.describeFsync(options.fsync)}`];
    if (options.loadFsync !== options.fsync) notes.push(`load: ${adapter.describeFsync(options.loadFsync)}`);
    await measureSubject(report, name, notes, async (record) => {
      const dir = freshDir(options.dir, `ycsb-${name}`);
      try {
        const values = new ValuePool(new Prng(options.seed), options.valueSize);
        let store = await adapter.open(dir, { fsync: options.loadFsync });
        try {
          const load = await runPhase(
            { name: 'load', operations: options.records, concurrency: options.threads, step: (i) => store.put(ycsbKey(i), values.value(i)) },
            `${name} load`,
          );
          record(withStoreStats(load, store));
        } finally {
          await store.close();
        }
        noteCacheDrop(report, dropPageCache(options.dropCaches));
        store = await adapter.open(dir, { fsync: options.fsync });
        try {
          const inserted = new AcknowledgedCounter(options.records);
          for (const w of options.workloads) {
            const workload = WORKLOADS[w]!;
            const prng = new Prng(options.seed + w.charCodeAt(0));
            const stream = operationStream(
              store,
              workload,
              options.distribution ?? workload.distribution,
              options.operations,
              inserted,
              prng,
              values,
            );
            const run = await runPhase(
              { name: `run-${workload.name}`, operations: options.operations, concurrency: options.threads, kinds: OPERATION_KINDS, step: (i) => stream.step(i) },
              `${name} run ${workload.name}`,
            );
            record(withStoreStats(run, store));
          }
        } finally {
          await store.close();
        }
      } finally {
        removeDir(dir);
      }
    });
  }
  return finishReport(report);
}
