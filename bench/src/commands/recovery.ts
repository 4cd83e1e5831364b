// `recovery`: per engine, time to reopen N keys after a clean close and after kill -9. A child process
// loads the keys (the store's default memtable, fsync no) and either closes or is SIGKILLed; then a
// sample of keys is read back to show the reopened store really holds them.
import { adapterNamed } from '../adapters/index.js';
import { runLoader } from '../child/spawn-loader.js';
import { benchKey } from '../random/keys.js';
import { Prng } from '../random/prng.js';
import { finishReport, freshDir, measureSubject, newReport, removeDir } from '../report/report.js';
import type { BenchReport } from '../report/result.js';
import { timeReopen } from './reopen.js';

export interface RecoveryOptions {
  engines: string[];
  records: number;
  valueSize: number;
  seed: number;
  dir: string;
}

const SAMPLE = 1000;

export async function recovery(options: RecoveryOptions): Promise<BenchReport> {
  const report = newReport('recovery', { ...options }, options.dir);
  report.notes.push(`A child process loads ${options.records} keys (16-byte keys, ${options.valueSize}-byte values, fsync no, 16 concurrent writers), then closes or is SIGKILLed.`);
  for (const name of options.engines) {
    const adapter = adapterNamed(name);
    await measureSubject(report, name, [`load: ${adapter.describeFsync('no')}`], async (record) => {
      for (const end of ['close', 'kill'] as const) {
        const dir = freshDir(options.dir, `recovery-${name}`);
        try {
          await runLoader({ engine: name, dir, records: options.records, seed: options.seed, valueSize: options.valueSize, fsync: 'no', writeBufferSize: 0, end });
          const sample = Math.min(SAMPLE, options.records);
          const phase = await timeReopen(end === 'close' ? 'reopen-clean' : 'reopen-kill9', adapter, dir, {}, async (store) => {
            const prng = new Prng(options.seed);
            let found = 0;
            for (let i = 0; i < sample; i++) if ((await store.get(benchKey(prng.nextInt(options.records)))) !== undefined) found++;
            return { sampled: sample, found };
          });
          record(phase);
          if (phase.extra?.found !== sample) throw new Error(`${name} lost keys after ${end}: ${phase.extra?.found} of ${sample} sampled found`);
        } finally {
          removeDir(dir);
        }
      }
    });
  }
  return finishReport(report);
}
