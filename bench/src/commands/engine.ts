// `engine`: the engine-core micro-benchmarks of issue 3, after LevelDB's db_bench, per engine:
// fillseq, readrandom over that set, reopen after a clean close, fillrandom, fillsync64 (64 concurrent
// writers, fsync always) and WAL replay (a child loads N records into a huge memtable and is SIGKILLed).
import { adapterNamed, type Adapter, type Store } from '../adapters/index.js';
import { runLoader } from '../child/spawn-loader.js';
import { benchKey, ValuePool } from '../random/keys.js';
import { Prng } from '../random/prng.js';
import { runPhase } from '../report/phase.js';
import { timeReopen } from './reopen.js';
import { finishReport, freshDir, measureSubject, newReport, removeDir } from '../report/report.js';
import type { BenchReport, PhaseResult } from '../report/result.js';

export interface EngineOptions {
  engines: string[];
  records: number;
  syncRecords: number;
  writers: number;
  valueSize: number;
  seed: number;
  dir: string;
}

/** Big enough that the whole replay set stays in the WAL, never flushed to a table before the kill. */
const HUGE_MEMTABLE = 1 << 30;

export async function engine(options: EngineOptions): Promise<BenchReport> {
  const report = newReport('engine', { ...options }, options.dir);
  report.notes.push(
    `16-byte keys, ${options.valueSize}-byte random values; fill* phases with fsync no and one writer awaiting each put ` +
      `except fillsync (fsync always, ${options.writers} concurrent writers); readrandom over the fillseq set.`,
  );
  for (const name of options.engines) {
    const adapter = adapterNamed(name);
    const notes = [`fill*: ${adapter.describeFsync('no')}`, `fillsync: ${adapter.describeFsync('always')}`];
    if (name === 'lmdb') notes.push('lmdb has no WAL: walreplay is its reopen after kill -9');
    await measureSubject(report, name, notes, (record) => engineSubject(adapter, options, record));
  }
  return finishReport(report);
}

async function engineSubject(adapter: Adapter, o: EngineOptions, record: (p: PhaseResult) => void): Promise<void> {
  const name = adapter.name;
  const values = new ValuePool(new Prng(o.seed), o.valueSize);
  const label = (phase: string): string => `${name} ${phase}`;

  const seqDir = freshDir(o.dir, `engine-${name}`);
  try {
    const store = await adapter.open(seqDir, { fsync: 'no' });
    try {
      record(await runPhase({ name: 'fillseq', operations: o.records, concurrency: 1, step: (i) => store.put(benchKey(i), values.value(i)) }, label('fillseq')));
      const prng = new Prng(o.seed + 1);
      let found = 0;
      const read = await runPhase(
        {
          name: 'readrandom',
          operations: o.records,
          concurrency: 1,
          step: async () => {
            if ((await store.get(benchKey(prng.nextInt(o.records)))) !== undefined) found++;
          },
        },
        label('readrandom'),
      );
      record({ ...read, extra: { found } });
    } finally {
      await store.close();
    }
    record(await timeReopen('reopen', adapter, seqDir, {}, o.records));
  } finally {
    removeDir(seqDir);
  }

  await inFreshStore(adapter, o, 'no', async (store) => {
    const prng = new Prng(o.seed + 2);
    record(await runPhase({ name: 'fillrandom', operations: o.records, concurrency: 1, step: () => store.put(benchKey(prng.nextInt(o.records)), values.value(prng.nextUint32())) }, label('fillrandom')));
  });

  await inFreshStore(adapter, o, 'always', async (store) => {
    const prng = new Prng(o.seed + 3);
    record(
      await runPhase(
        { name: `fillsync${o.writers}`, operations: o.syncRecords, concurrency: o.writers, step: () => store.put(benchKey(prng.nextInt(o.records)), values.value(prng.nextUint32())) },
        label('fillsync'),
      ),
    );
  });

  const replayDir = freshDir(o.dir, `replay-${name}`);
  try {
    await runLoader({ engine: name, dir: replayDir, records: o.records, seed: o.seed, valueSize: o.valueSize, fsync: 'no', writeBufferSize: HUGE_MEMTABLE, end: 'kill' });
    record(await timeReopen('walreplay', adapter, replayDir, { writeBufferSize: HUGE_MEMTABLE }, o.records));
  } finally {
    removeDir(replayDir);
  }
}

async function inFreshStore(
  adapter: Adapter,
  o: EngineOptions,
  fsync: 'no' | 'always',
  body: (store: Store) => Promise<void>,
): Promise<void> {
  const dir = freshDir(o.dir, `engine-${adapter.name}`);
  try {
    const store = await adapter.open(dir, { fsync });
    try {
      await body(store);
    } finally {
      await store.close();
    }
  } finally {
    removeDir(dir);
  }
}
