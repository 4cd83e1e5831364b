// A child process that loads N keys into one store, then either closes it cleanly and exits, or reports
// "loaded" and waits to be killed with SIGKILL (the crash the recovery figures start from).
// Run by child/spawn-loader.ts only: `node loader.js '<json LoaderJob>'`.
import { adapterNamed } from '../adapters/index.js';
import { benchKey, ValuePool } from '../random/keys.js';
import { Prng } from '../random/prng.js';
import type { LoaderJob } from './spawn-loader.js';

const CALLERS = 16;

const job = JSON.parse(process.argv[2]!) as LoaderJob;
const store = await adapterNamed(job.engine).open(job.dir, {
  fsync: job.fsync,
  ...(job.writeBufferSize ? { writeBufferSize: job.writeBufferSize } : {}),
});
const values = new ValuePool(new Prng(job.seed), job.valueSize);
let next = 0;
await Promise.all(
  Array.from({ length: CALLERS }, async () => {
    while (next < job.records) {
      const i = next++;
      await store.put(benchKey(i), values.value(i));
    }
  }),
);
if (job.end === 'close') {
  await store.close();
  process.stdout.write('closed\n');
} else {
  process.stdout.write('loaded\n');
  setInterval(() => {}, 1 << 30); // stay alive, store open, until SIGKILL
}
