// Runs child/loader.js and waits for it: after a clean close, or killed with SIGKILL once it has loaded.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FsyncPolicy } from '../adapters/index.js';

export interface LoaderJob {
  engine: string;
  dir: string;
  records: number;
  seed: number;
  valueSize: number;
  fsync: FsyncPolicy;
  /** Memtable / write buffer bytes (0: the store's default). */
  writeBufferSize: number;
  /** `close`: close cleanly and exit; `kill`: the parent SIGKILLs the child once every put has resolved. */
  end: 'close' | 'kill';
}

const loaderPath = fileURLToPath(new URL('./loader.js', import.meta.url));

export function runLoader(job: LoaderJob): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [loaderPath, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (job.end === 'kill' && !killed && stdout.includes('loaded\n')) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const expected = job.end === 'kill' ? killed && signal === 'SIGKILL' : code === 0 && stdout.includes('closed\n');
      if (expected) resolve();
      else reject(new Error(`loader for ${job.engine} ended with code ${code} signal ${signal}: ${stderr.trim()}`));
    });
  });
}
