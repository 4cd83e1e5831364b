// `engine`: the engine micro-benchmarks of issues 3 and 4, after LevelDB's db_bench, per engine:
//   fillseq                 sequential keys into a fresh store, one writer awaiting each put, fsync no
//   fillrandom, overwrite   random keys into a fresh store, then as many again over the same key range
//   reopen                  open of that store after a clean close (its block cache is cold after this)
//   readrandom              random gets over the key range, one caller
//   readwhilewriting        the same while one writer puts random keys non-stop (flushes, compactions)
//   compact, readcompacted  the store merged into its final shape on request (LevelDB's CompactRange over
//                           all keys; stores without one skip both), then readrandom's gets again
//   fillsyncN               --writers concurrent writers with fsync always (group commit)
//   walreplay               a child writes --records into a memtable that holds them all (>= 1 GiB) and
//                           is SIGKILLed; the time to open is the replay
// Store facts (Strata's stats(): flushes, tables, amplification …) are attached to the phases they follow.
import { adapterNamed, type Adapter, type Store } from '../adapters/index.js';
import { runLoader } from '../child/spawn-loader.js';
import { benchKey, ValuePool } from '../random/keys.js';
import { Prng } from '../random/prng.js';
import { runPhase, timeOnce, withStoreStats } from '../report/phase.js';
import { finishReport, freshDir, measureSubject, newReport, removeDir } from '../report/report.js';
import type { BenchReport, PhaseResult } from '../report/result.js';
import { timeReopen } from './reopen.js';

/** Groups of phases that can be run alone (`--phases`); each group works in its own fresh store. */
export const ENGINE_PHASE_GROUPS = ['fillseq', 'fillrandom', 'fillsync', 'walreplay'] as const;
export type EnginePhaseGroup = (typeof ENGINE_PHASE_GROUPS)[number];

export interface EngineOptions {
  engines: string[];
  /** `fillrandom` includes the phases that run on its store: overwrite, reopen, readrandom, readwhilewriting,
   *  compact, readcompacted. */
  phases: EnginePhaseGroup[];
  records: number;
  syncRecords: number;
  writers: number;
  valueSize: number;
  seed: number;
  dir: string;
}

/** Gets per event-loop turn in the read phases (see PhaseSpec.yieldEvery), and puts per turn of the
 *  readwhilewriting writer. */
const READ_TURN = 64;

/** readwhilewriting's gets, by whether a compaction was running (stores that report it). */
const WHILE_WRITING_KINDS = ['get, compaction running', 'get, no compaction'] as const;

/** Big enough that the whole replay set stays in the WAL, never flushed to a table before the kill. */
const replayMemtable = (records: number): number => Math.max(1 << 30, records * 256);

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

/** What every phase group needs: the store's adapter, the options, the shared values, and the sink. */
interface Context {
  adapter: Adapter;
  o: EngineOptions;
  values: ValuePool;
  record: (phase: PhaseResult) => void;
}

const GROUPS: Record<EnginePhaseGroup, (c: Context) => Promise<void>> = { fillseq, fillrandom, fillsync, walreplay };

async function engineSubject(adapter: Adapter, o: EngineOptions, record: (p: PhaseResult) => void): Promise<void> {
  const context: Context = { adapter, o, values: new ValuePool(new Prng(o.seed), o.valueSize), record };
  for (const group of ENGINE_PHASE_GROUPS) if (o.phases.includes(group)) await GROUPS[group](context);
}

const label = (c: Context, phase: string): string => `${c.adapter.name} ${phase}`;

function randomPuts(c: Context, phase: string, prng: Prng, store: Store, operations: number, concurrency = 1): Promise<PhaseResult> {
  const step = (): Promise<void> => store.put(benchKey(prng.nextInt(c.o.records)), c.values.value(prng.nextUint32()));
  return runPhase({ name: phase, operations, concurrency, step }, label(c, phase));
}

async function fillseq(c: Context): Promise<void> {
  await inFreshDir(c, (dir) =>
    withStore(c.adapter, dir, 'no', async (store) => {
      const step = (i: number): Promise<void> => store.put(benchKey(i), c.values.value(i));
      c.record(withStoreStats(await runPhase({ name: 'fillseq', operations: c.o.records, concurrency: 1, step }, label(c, 'fillseq')), store));
    }),
  );
}

async function fillrandom(c: Context): Promise<void> {
  const { o } = c;
  await inFreshDir(c, async (dir) => {
    await withStore(c.adapter, dir, 'no', async (store) => {
      const prng = new Prng(o.seed + 2);
      c.record(withStoreStats(await randomPuts(c, 'fillrandom', prng, store, o.records), store));
      c.record(withStoreStats(await randomPuts(c, 'overwrite', prng, store, o.records), store));
    });
    c.record(await timeReopen('reopen', c.adapter, dir, {}));
    await withStore(c.adapter, dir, 'no', async (store) => {
      let reads = new Prng(o.seed + 1);
      let found = 0;
      const get = async (): Promise<void> => {
        if ((await store.get(benchKey(reads.nextInt(o.records)))) !== undefined) found++;
      };
      const readRandom = async (phase: string): Promise<void> => {
        reads = new Prng(o.seed + 1);
        found = 0;
        const read = await runPhase({ name: phase, operations: o.records, concurrency: 1, yieldEvery: READ_TURN, step: get }, label(c, phase));
        c.record({ ...read, extra: { ...read.extra, found } });
      };
      await readRandom('readrandom');

      found = 0;
      let writing = true;
      let writes = 0;
      const writesPrng = new Prng(o.seed + 4);
      // The writer puts READ_TURN keys (awaiting them together), then gives the loop a turn, as the reader
      // does with its gets: the two share the one thread about evenly, as db_bench's two threads share
      // the machine.
      const writer = (async () => {
        const batch: Promise<void>[] = [];
        while (writing) {
          for (let j = 0; j < READ_TURN; j++, writes++) batch.push(store.put(benchKey(writesPrng.nextInt(o.records)), c.values.value(writes)));
          await Promise.all(batch);
          batch.length = 0;
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      const before = store.facts?.();
      // Whether a compaction runs, sampled every 256 gets (a job lasts far longer), so that the gets made
      // while one runs get their own latency figures: the P99 "while a compaction runs" of issue 4.
      const facts = store.facts;
      let compacting = false;
      let sampled = 0;
      const compactionKnown = facts !== undefined && typeof before?.['compaction.running'] === 'number';
      const getTagged = async (): Promise<number> => {
        if ((sampled++ & 255) === 0) compacting = (facts!()['compaction.running'] as number) > 0;
        const during = compacting;
        await get();
        return during ? 0 : 1;
      };
      const mixed = await runPhase(
        compactionKnown
          ? { name: 'readwhilewriting', operations: o.records, concurrency: 1, yieldEvery: READ_TURN, kinds: WHILE_WRITING_KINDS, step: getTagged }
          : { name: 'readwhilewriting', operations: o.records, concurrency: 1, yieldEvery: READ_TURN, step: get },
        label(c, 'readwhilewriting'),
      );
      writing = false;
      await writer;
      const after = store.facts?.() ?? {};
      // How much background work the writer caused during the reads: the stats that changed, as Δname.
      const delta: Record<string, number> = {};
      for (const [k, v] of Object.entries(after)) {
        const was = before?.[k];
        // (A ratio's difference means nothing: amplification is in the phases before, and after.)
        if (typeof v === 'number' && typeof was === 'number' && v !== was && !/Amplification$/.test(k)) delta[`Δ${k}`] = v - was;
      }
      const extra: PhaseResult['extra'] = { ...mixed.extra, found, backgroundWrites: writes };
      if (compactionKnown) {
        const during = mixed.latencyByOp?.[WHILE_WRITING_KINDS[0]];
        const idle = mixed.latencyByOp?.[WHILE_WRITING_KINDS[1]];
        extra.getsWhileCompacting = during?.count ?? 0;
        if (during) extra.p99WhileCompactingUs = during.p99Us;
        if (idle) extra.p99NoCompactionUs = idle.p99Us;
      }
      extra.backgroundWritesPerSec = Math.round(writes / mixed.seconds);
      c.record({ ...mixed, extra, ...(before ? { storeStats: delta } : {}) });

      if (store.compact !== undefined) {
        c.record(withStoreStats(await timeOnce('compact', () => store.compact!()), store));
        await readRandom('readcompacted');
      }
    });
  });
}

async function fillsync(c: Context): Promise<void> {
  await inFreshDir(c, (dir) =>
    withStore(c.adapter, dir, 'always', async (store) => {
      c.record(await randomPuts(c, `fillsync${c.o.writers}`, new Prng(c.o.seed + 3), store, c.o.syncRecords, c.o.writers));
    }),
  );
}

async function walreplay(c: Context): Promise<void> {
  const { o } = c;
  const writeBufferSize = replayMemtable(o.records);
  await inFreshDir(c, async (dir) => {
    await runLoader({ engine: c.adapter.name, dir, records: o.records, seed: o.seed, valueSize: o.valueSize, fsync: 'no', writeBufferSize, end: 'kill' });
    const replay = await timeReopen('walreplay', c.adapter, dir, { writeBufferSize });
    c.record({ ...replay, extra: { ...replay.extra, records: o.records, recordsPerSec: Math.round(o.records / replay.seconds) } });
  });
}

async function inFreshDir(c: Context, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = freshDir(c.o.dir, `engine-${c.adapter.name}`);
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
