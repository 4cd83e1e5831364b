// `engine`: the engine micro-benchmarks of issues 3 and 4, after LevelDB's db_bench, per engine:
//   fillseq                 sequential keys into a fresh store, one writer awaiting each put, fsync no
//   fillrandom, overwrite   random keys into a fresh store, then as many again over the same key range
//   reopen                  open of that store after a clean close (its block cache is cold after this)
//   readrandom              random gets over the key range, one caller
//   readwhilewriting        the same while one writer puts random keys non-stop (flushes, compactions)
//   fillsyncN               --writers concurrent writers with fsync always (group commit)
//   walreplay               a child writes --records into a 1 GiB memtable, is SIGKILLed; time to open
// Store facts (Strata's stats(): flushes, tables, amplification …) are attached to the phases they follow.
import { adapterNamed, type Adapter, type Store } from '../adapters/index.js';
import { runLoader } from '../child/spawn-loader.js';
import { benchKey, ValuePool } from '../random/keys.js';
import { Prng } from '../random/prng.js';
import { runPhase } from '../report/phase.js';
import { finishReport, freshDir, measureSubject, newReport, removeDir } from '../report/report.js';
import type { BenchReport, PhaseResult } from '../report/result.js';
import { timeReopen } from './reopen.js';

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
    `16-byte keys, ${options.valueSize}-byte random values; one caller awaiting each operation and fsync no, ` +
      `except fillsync${options.writers} (fsync always, ${options.writers} concurrent writers). ` +
      'peakRssMB is the resident memory of the whole bench process during the phase.',
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
  const randomPuts = (phase: string, prng: Prng, store: Store, operations: number, concurrency = 1): Promise<PhaseResult> =>
    runPhase(
      { name: phase, operations, concurrency, step: () => store.put(benchKey(prng.nextInt(o.records)), values.value(prng.nextUint32())) },
      label(phase),
    );
  const withFacts = (phase: PhaseResult, store: Store): PhaseResult => {
    const storeStats = store.facts?.();
    return storeStats ? { ...phase, storeStats } : phase;
  };

  await inFreshDir(adapter, o, async (dir) => {
    await withStore(adapter, dir, 'no', async (store) => {
      const fill = await runPhase({ name: 'fillseq', operations: o.records, concurrency: 1, step: (i) => store.put(benchKey(i), values.value(i)) }, label('fillseq'));
      record(withFacts(fill, store));
    });
  });

  await inFreshDir(adapter, o, async (dir) => {
    await withStore(adapter, dir, 'no', async (store) => {
      const prng = new Prng(o.seed + 2);
      record(withFacts(await randomPuts('fillrandom', prng, store, o.records), store));
      record(withFacts(await randomPuts('overwrite', prng, store, o.records), store));
    });
    record(await timeReopen('reopen', adapter, dir, {}, o.records));
    await withStore(adapter, dir, 'no', async (store) => {
      const reads = new Prng(o.seed + 1);
      let found = 0;
      const get = async (): Promise<void> => {
        if ((await store.get(benchKey(reads.nextInt(o.records)))) !== undefined) found++;
      };
      const read = await runPhase({ name: 'readrandom', operations: o.records, concurrency: 1, step: get }, label('readrandom'));
      record({ ...read, extra: { ...read.extra, found } });

      found = 0;
      let writing = true;
      let writes = 0;
      const writesPrng = new Prng(o.seed + 4);
      const writer = (async () => {
        for (; writing; writes++) await store.put(benchKey(writesPrng.nextInt(o.records)), values.value(writes));
      })();
      const before = store.facts?.();
      const mixed = await runPhase({ name: 'readwhilewriting', operations: o.records, concurrency: 1, step: get }, label('readwhilewriting'));
      writing = false;
      await writer;
      const after = store.facts?.() ?? {};
      // How much background work the writer caused during the reads: the stats that changed, as Δname.
      const delta: Record<string, number> = {};
      for (const [k, v] of Object.entries(after)) {
        const was = before?.[k];
        if (typeof v === 'number' && typeof was === 'number' && v !== was) delta[`Δ${k}`] = v - was;
      }
      record({ ...mixed, extra: { ...mixed.extra, found, backgroundWrites: writes }, ...(before ? { storeStats: delta } : {}) });
    });
  });

  await inFreshDir(adapter, o, async (dir) => {
    await withStore(adapter, dir, 'always', async (store) => {
      record(await randomPuts(`fillsync${o.writers}`, new Prng(o.seed + 3), store, o.syncRecords, o.writers));
    });
  });

  await inFreshDir(adapter, o, async (dir) => {
    await runLoader({ engine: name, dir, records: o.records, seed: o.seed, valueSize: o.valueSize, fsync: 'no', writeBufferSize: HUGE_MEMTABLE, end: 'kill' });
    record(await timeReopen('walreplay', adapter, dir, { writeBufferSize: HUGE_MEMTABLE }, o.records));
  });
}

async function inFreshDir(adapter: Adapter, o: EngineOptions, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = freshDir(o.dir, `engine-${adapter.name}`);
  try {
    await body(dir);
  } finally {
    removeDir(dir);
  }
}

async function withStore(adapter: Adapter, dir: string, fsync: 'no' | 'always', body: (store: Store) => Promise<void>): Promise<void> {
  const store = await adapter.open(dir, { fsync });
  try {
    await body(store);
  } finally {
    await store.close();
  }
}
