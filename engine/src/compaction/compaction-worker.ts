// Entry script of the compaction worker thread: runs the jobs it is sent, one at a time, on the real
// disk, and answers each with its result or its error (kind, message and code survive the crossing).

import { parentPort } from 'node:worker_threads';
import { StrataError } from '../errors.js';
import { DiskFileSystem } from '../vfs/disk-fs.js';
import { runCompaction, type CompactionSpec } from './compaction-job.js';
import type { WorkerReply } from './compaction-executor.js';

const port = parentPort;
if (port === null) throw new Error('compaction-worker.js must run in a worker thread');
const fs = new DiskFileSystem();
const noPause = (): undefined => undefined;

port.on('message', (spec: CompactionSpec) => {
  runCompaction(fs, spec, noPause).then(
    (result) => port.postMessage({ result } satisfies WorkerReply),
    (error: unknown) => {
      const e = error instanceof StrataError ? error : undefined;
      const reply: WorkerReply = {
        error: {
          kind: e?.kind ?? 'IOError',
          message: e !== undefined ? e.message.slice(e.kind.length + 2) : `compaction: ${String(error)}`,
          ...(e?.code === undefined ? {} : { code: e.code }),
        },
      };
      port.postMessage(reply);
    },
  );
});
