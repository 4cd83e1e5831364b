// Spawns the real compiled server (`node server/dist/main.js --port 0 --dir <tmp> ...`) for tests, waits for
// its ready line and reports the port it picked.
//
//   const server = await startServer({ args: ['--requirepass', 'secret'] });
//   const client = await RespClient.connect(server.port);
//   ...
//   await server.stop();          // SIGTERM, waits for exit, removes the temp dir it created
//
// Pass `dir` to reuse a data directory across restarts (the caller then owns and removes it; see tempDir()).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { RespClient } from './resp-client.js';

/** The compiled server entry point (test/dist/server/support -> repo root). */
export const SERVER_MAIN = fileURLToPath(new URL('../../../../server/dist/main.js', import.meta.url));

export interface ServerOptions {
  /** Extra command-line arguments (after --port 0 --dir <dir>, so they win). */
  args?: string[];
  /** Data directory to use; a fresh temp dir (removed by stop()) when omitted. */
  dir?: string;
  /** Milliseconds to wait for the ready line (default 15000). */
  timeoutMs?: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningServer {
  host: string;
  port: number;
  dir: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<Exit>;
  /** Send `signal` (default SIGTERM), wait for the exit, remove the temp dir if we made it. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/** A loopback port that was free a moment ago, for a program that cannot pick its own (redis-server,
 *  nutcracker). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A connection to `port`, retrying while the program there starts listening (at most 50 tries, 100 ms
 *  apart). */
export async function connectWhenListening(port: number): Promise<RespClient> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await RespClient.connect(port);
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A fresh temp directory; the caller removes it with removeDir(). */
export function tempDir(prefix = 'strata-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? tempDir();
  const child = spawn(process.execPath, [SERVER_MAIN, '--port', '0', '--dir', dir, ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const cleanup = (): void => {
    if (ownDir) removeDir(dir);
  };
  return new Promise((resolve, reject) => {
    let port: number | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server not ready after ${options.timeoutMs ?? 15000} ms; output:\n${output}`));
    }, options.timeoutMs ?? 15000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      port ??= Number(/port=(\d+)/.exec(output)?.[1]) || undefined;
      if (port !== undefined && output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
        resolve({
          host: '127.0.0.1',
          port,
          dir,
          child,
          output: () => output,
          exited,
          async stop(signal: NodeJS.Signals = 'SIGTERM') {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            const exit = await exited;
            cleanup();
            return exit;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    void exited.then((exit) => {
      if (port !== undefined && output.includes('Ready to accept connections')) return;
      clearTimeout(timer);
      cleanup();
      reject(new Error(`server exited before ready (${exit.code ?? exit.signal}); output:\n${output}`));
    });
  });
}

/** One server and one client shared by a whole test file: started before its first test, stopped after its
 *  last. Read `server` and `c` only inside tests and hooks. */
export function serverForFile(options: ServerOptions = {}): { server: RunningServer; c: RespClient } {
  const shared = {} as { server: RunningServer; c: RespClient };
  before(async () => {
    shared.server = await startServer(options);
    shared.c = await RespClient.connect(shared.server.port);
  });
  after(async () => {
    await shared.c?.close();
    await shared.server?.stop();
  });
  return shared;
}
