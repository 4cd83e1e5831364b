// Child process of the kill test: writes keys with several concurrent writers and fsync 'always', and
// prints each key on stdout once its put has resolved (= acknowledged), until the parent kills it.
// Usage: node writer.js <dir> <round> <memtableSize> <writers>

import { open } from '@strata/engine';
import { keyFor, valueFor } from './kill-protocol.js';

const [dir, round, memtableSize, writers] = process.argv.slice(2);
if (dir === undefined || round === undefined || memtableSize === undefined || writers === undefined) {
  throw new Error('usage: writer.js <dir> <round> <memtableSize> <writers>');
}
const db = await open(dir, { fsync: 'always', memtableSize: Number(memtableSize) });
const write = async (writer: number): Promise<never> => {
  for (let index = 0; ; index++) {
    const key = keyFor(Number(round), writer, index);
    await db.put(Buffer.from(key), Buffer.from(valueFor(key)));
    // stdout is a pipe: writes are synchronous on Linux, so a printed key has left this process.
    process.stdout.write(`${key}\n`);
  }
};
await Promise.all(Array.from({ length: Number(writers) }, (_, w) => write(w)));
