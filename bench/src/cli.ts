#!/usr/bin/env node
// strata-bench: side-by-side benchmarks. `npm run bench -- <command> [options]` from the repo root.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { adapters, type FsyncPolicy } from './adapters/index.js';
import { engine, ENGINE_PHASE_GROUPS, type EnginePhaseGroup } from './commands/engine.js';
import { recovery } from './commands/recovery.js';
import { server } from './commands/server.js';
import { ycsb } from './commands/ycsb.js';
import { renderMarkdown } from './report/markdown.js';
import { defaultOutPath, writeReport } from './report/output.js';
import type { BenchReport } from './report/result.js';
import { DEFAULT_ORDER, WORKLOADS, type Distribution } from './ycsb/workloads.js';

const FSYNC = ['always', 'everysec', 'no'] as const;
const ENGINE_NAMES = adapters.map((a) => a.name);

/** Sizes come from the flag, else from --quick's tiny defaults, else the full defaults. */
const pick = <T>(given: T | undefined, quick: boolean, small: T, full: T): T => given ?? (quick ? small : full);

const list = (value: string | string[]): string[] =>
  (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

function common<T>(y: Argv<T>) {
  return y
    .option('quick', { type: 'boolean', default: false, describe: 'tiny sizes: a smoke run in well under a minute' })
    .option('out', { type: 'string', describe: 'JSON results path (an .svg chart is written beside it)' })
    .option('dir', { type: 'string', default: os.tmpdir(), describe: 'where fresh data directories are made' });
}

/** Options of the commands that drive stores through their adapters. */
function stores<T>(y: Argv<T>, fallback: string[]) {
  return common(y)
    .option('seed', { type: 'number', default: 42, describe: 'PRNG seed: same seed, same keys and operations' })
    .option('value-size', { type: 'number', default: 100, describe: 'value bytes' })
    .option('engines', {
    type: 'string',
    default: fallback.join(','),
    describe: `comma-separated, from: ${ENGINE_NAMES.join(', ')}`,
    coerce: (v: string) => {
      const names = list(v);
      for (const n of names) if (!ENGINE_NAMES.includes(n)) throw new Error(`unknown engine "${n}" (known: ${ENGINE_NAMES.join(', ')})`);
      return names;
    },
  });
}

async function finish(report: BenchReport, out: string | undefined): Promise<void> {
  writeReport(report, out ?? defaultOutPath(report.command));
  if (report.results.some((r) => r.error)) process.exitCode = 1;
}

await yargs(hideBin(process.argv))
  .scriptName('strata-bench')
  .command(
    'engine',
    'engine micro-benchmarks after db_bench: fillseq, fillrandom, overwrite, reopen, readrandom, readwhilewriting, compact, readcompacted, fillsync, walreplay',
    (y) =>
      stores(y, ['strata'])
        .option('records', { type: 'number', describe: 'keys per phase (default 1,000,000)' })
        .option('sync-records', { type: 'number', describe: 'puts in the fsync-always phase (default 100,000)' })
        .option('writers', { type: 'number', default: 64, describe: 'concurrent writers in the fsync-always phase' })
        .option('phases', {
          type: 'string',
          default: ENGINE_PHASE_GROUPS.join(','),
          describe: 'phase groups to run; fillrandom also runs overwrite, reopen, readrandom, readwhilewriting, compact, readcompacted on its store',
          coerce: (v: string) => {
            const names = list(v);
            for (const n of names)
              if (!(ENGINE_PHASE_GROUPS as readonly string[]).includes(n)) throw new Error(`unknown phase group "${n}" (known: ${ENGINE_PHASE_GROUPS.join(', ')})`);
            return names as EnginePhaseGroup[];
          },
        }),
    async (a) => {
      const report = await engine({
        engines: a.engines,
        phases: a.phases,
        records: pick(a.records, a.quick, 2000, 1_000_000),
        syncRecords: pick(a['sync-records'], a.quick, 500, 100_000),
        writers: a.writers,
        valueSize: a['value-size'],
        seed: a.seed,
        dir: a.dir,
      });
      await finish(report, a.out);
    },
  )
  .command(
    'ycsb',
    'YCSB core workloads A-F: load, then run, per engine',
    (y) =>
      stores(y, ENGINE_NAMES)
        .option('workloads', {
          type: 'string',
          default: DEFAULT_ORDER.join(','),
          describe: 'comma-separated from a-f, run in this order',
          coerce: (v: string) => {
            const names = list(v).map((w) => w.toLowerCase());
            for (const w of names) if (!WORKLOADS[w]) throw new Error(`unknown workload "${w}" (known: a-f)`);
            return names;
          },
        })
        .option('records', { type: 'number', describe: 'records loaded (default 100,000)' })
        .option('operations', { type: 'number', describe: 'operations per workload (default 100,000)' })
        .option('threads', { type: 'number', default: 1, describe: 'concurrent callers' })
        .option('distribution', { choices: ['zipfian', 'uniform', 'latest'] as const, describe: "override every workload's request distribution" })
        .option('fsync', { choices: FSYNC, default: 'no' as FsyncPolicy })
        .option('load-fsync', { choices: FSYNC, describe: 'fsync policy of the load phase (default: --fsync)' })
        .option('drop-caches', { type: 'boolean', describe: 'drop the page cache between load and run (default: on, off with --quick)' }),
    async (a) => {
      const report = await ycsb({
        engines: a.engines,
        workloads: a.workloads,
        records: pick(a.records, a.quick, 2000, 100_000),
        operations: pick(a.operations, a.quick, 2000, 100_000),
        valueSize: a['value-size'],
        threads: a.threads,
        ...(a.distribution ? { distribution: a.distribution as Distribution } : {}),
        seed: a.seed,
        fsync: a.fsync,
        loadFsync: a['load-fsync'] ?? a.fsync,
        dir: a.dir,
        dropCaches: a['drop-caches'] ?? !a.quick,
      });
      await finish(report, a.out);
    },
  )
  .command(
    'server',
    'redis-benchmark against redis-server and strata-server side by side',
    (y) =>
      common(y)
        .option('t', { alias: 'tests', type: 'string', default: 'set,get', describe: 'redis-benchmark tests (-t)' })
        .option('c', { alias: 'clients', type: 'number', describe: 'parallel connections (-c, default 50)' })
        .option('P', { alias: 'pipeline', type: 'number', default: 1, describe: 'pipelined requests (-P)' })
        .option('n', { alias: 'requests', type: 'number', describe: 'requests per test (-n, default 200,000)' })
        .option('d', { alias: 'data-size', type: 'number', default: 3, describe: 'value bytes (-d)' })
        .option('r', { alias: 'keyspace', type: 'number', default: 0, describe: 'random keys (-r; 0: off)' })
        .option('warmup', { type: 'number', default: 0, describe: 'requests of an untimed run of each test against each server first (0: none)' })
        .option('ceiling', { type: 'boolean', default: false, describe: "also run a redis-server that persists nothing: the most redis-benchmark drives here" })
        .option('node-floor', { type: 'boolean', default: false, describe: 'also run a Node.js server that stores nothing: the most any Node.js server reaches here' })
        .option('fsync', { choices: FSYNC, default: 'always' as FsyncPolicy, describe: 'appendfsync for both servers' }),
    async (a) => {
      const report = await server({
        tests: list(a.t),
        clients: pick(a.c, a.quick, 10, 50),
        pipeline: a.P,
        requests: pick(a.n, a.quick, 2000, 200_000),
        dataSize: a.d,
        keyspace: a.r,
        fsync: a.fsync,
        dir: a.dir,
        warmup: a.warmup,
        ceiling: a.ceiling,
        nodeFloor: a['node-floor'],
      });
      await finish(report, a.out);
    },
  )
  .command(
    'recovery',
    'time to reopen after a clean close and after kill -9',
    (y) => stores(y, ['strata', 'classic-level']).option('records', { type: 'number', describe: 'keys loaded (default 1,000,000)' }),
    async (a) => {
      const report = await recovery({
        engines: a.engines,
        records: pick(a.records, a.quick, 2000, 1_000_000),
        valueSize: a['value-size'],
        seed: a.seed,
        dir: a.dir,
      });
      await finish(report, a.out);
    },
  )
  .command(
    'markdown <results..>',
    'print results JSON files as Markdown comparison tables (for the README)',
    (y) => y.positional('results', { type: 'string', array: true, demandOption: true }),
    (a) => {
      for (const file of a.results) {
        const report = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
        process.stdout.write(`${report.command} ${JSON.stringify(report.options)}\n\n${renderMarkdown(report)}\n`);
      }
    },
  )
  .demandCommand(1, 'name a command: engine, ycsb, server, recovery or markdown')
  .strict()
  .help()
  .parseAsync();
