// `server`: a real redis-server and strata-server side by side on free loopback ports, same appendfsync
// policy, fresh data directories of the same kind; redis-benchmark runs each test against both,
// alternating which goes first, and the Strata/Redis ratio of ops/s is reported per test.
import { fileURLToPath } from 'node:url';
import { redisBenchmark, type RedisBenchmarkOptions } from '../redis/redis-benchmark.js';
import { freePort, startServer, stopServer, type ServerProcess } from '../redis/server-process.js';
import { finishReport, freshDir, newReport, removeDir } from '../report/report.js';
import type { BenchReport, SubjectResult } from '../report/result.js';
import type { FsyncPolicy } from '../adapters/index.js';

export interface ServerOptions extends Omit<RedisBenchmarkOptions, 'test'> {
  tests: string[];
  fsync: FsyncPolicy;
  dir: string;
  /** Requests of an untimed run of each test against each server before the measured runs (0: none).
   *  A fresh Node.js process compiles its hot paths during its first requests (measured: a first -P 16
   *  run of 200k SETs stalls 0.25 s and goes 135k/s, the next ones 188k and 231k/s); a long-running
   *  server is past that, as redis-server always is. */
  warmup: number;
  /** Also run a redis-server that persists nothing: what redis-benchmark itself can drive on this machine
   *  with these options, the ceiling any server's figure stays under. */
  ceiling: boolean;
  /** Also run a Node.js server that stores nothing and answers every command with a fixed reply
   *  (redis/node-floor.ts): the most any server on Node.js reaches here before its commands do any work. */
  nodeFloor: boolean;
}

const strataMain = fileURLToPath(new URL('../../../server/dist/main.js', import.meta.url));
const nodeFloorMain = fileURLToPath(new URL('../redis/node-floor.js', import.meta.url));

interface Contender {
  result: SubjectResult;
  dataDir: string;
  launch(port: number): Promise<ServerProcess>;
  process?: ServerProcess;
}

export async function server(options: ServerOptions): Promise<BenchReport> {
  const report = newReport('server', { ...options }, options.dir);
  report.notes.push(`redis-benchmark -c ${options.clients} -P ${options.pipeline} -n ${options.requests} -d ${options.dataSize}${options.keyspace ? ` -r ${options.keyspace}` : ''}, one run per test per server, alternating which server goes first.`);
  if (options.warmup > 0) report.notes.push(`each server first ran every test untimed with -n ${options.warmup} (warm-up).`);
  const redisDir = freshDir(options.dir, 'redis');
  const strataDir = freshDir(options.dir, 'strata-server');
  const contenders: Contender[] = [
    {
      result: { subject: 'redis-server', notes: [`appendonly yes, appendfsync ${options.fsync}, save ''`], phases: [] },
      dataDir: redisDir,
      launch: (port) =>
        startServer('redis-server', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', options.fsync, '--save', '', '--dir', redisDir], port),
    },
    {
      result: { subject: 'strata-server', notes: [`--appendfsync ${options.fsync}`], phases: [] },
      dataDir: strataDir,
      launch: (port) =>
        startServer('strata-server', process.execPath, [strataMain, '--port', String(port), '--dir', strataDir, '--appendfsync', options.fsync], port),
    },
  ];
  if (options.ceiling) {
    const ceilingDir = freshDir(options.dir, 'redis-ceiling');
    contenders.push({
      result: { subject: 'redis-server-no-persistence', notes: ["appendonly no, save '': the load generator's ceiling"], phases: [] },
      dataDir: ceilingDir,
      launch: (port) =>
        startServer('redis-server', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'no', '--save', '', '--dir', ceilingDir], port),
    });
  }
  if (options.nodeFloor) {
    contenders.push({
      result: { subject: 'node-floor', notes: ['node:net, no storage, a fixed reply per command: the floor of any Node.js server'], phases: [] },
      dataDir: freshDir(options.dir, 'node-floor'),
      launch: (port) => startServer('node-floor', process.execPath, [nodeFloorMain, String(port)], port),
    });
  }
  report.results.push(...contenders.map((c) => c.result));
  try {
    for (const c of contenders) {
      try {
        c.process = await c.launch(await freePort());
      } catch (err) {
        c.result.error = (err as Error).message;
      }
    }
    for (const c of contenders) {
      if (!c.process || c.result.error || options.warmup === 0) continue;
      try {
        for (const test of options.tests) await redisBenchmark(c.process.port, { ...options, test, requests: options.warmup });
      } catch (err) {
        c.result.error = `warm-up: ${(err as Error).message}\n${c.process.output().slice(-2000)}`;
      }
    }
    for (const [index, test] of options.tests.entries()) {
      const order = index % 2 === 0 ? contenders : [...contenders].reverse();
      for (const c of order) {
        if (!c.process || c.result.error) continue;
        try {
          for (const phase of await redisBenchmark(c.process.port, { ...options, test })) {
            c.result.phases.push(phase);
            process.stderr.write(`${c.result.subject} ${phase.phase}: ${Math.round(phase.opsPerSec)} ops/s\n`);
          }
        } catch (err) {
          c.result.error = `${(err as Error).message}\n${c.process.output().slice(-2000)}`;
        }
      }
    }
  } finally {
    for (const c of contenders) if (c.process) await stopServer(c.process);
    for (const c of contenders) removeDir(c.dataDir);
  }
  report.ratios = {};
  const [redis, strata] = contenders.map((c) => c.result) as [SubjectResult, SubjectResult, ...SubjectResult[]];
  for (const phase of strata.phases) {
    const peer = redis.phases.find((p) => p.phase === phase.phase);
    if (peer) report.ratios[phase.phase] = Math.round((phase.opsPerSec / peer.opsPerSec) * 1000) / 1000;
  }
  return finishReport(report);
}
