// Strata's own engine, through its public API only. Imported on open, like every adapter's store, so
// that one store that fails to load costs only its own figures.
import type { Adapter, AdapterOptions, Store } from './adapter.js';

export const strata: Adapter = {
  name: 'strata',
  describeFsync: (policy) =>
    ({
      always: 'fsync: always: group-committed fdatasync before the put resolves',
      everysec: 'fsync: everysec: written to the OS, fdatasync at least once a second',
      no: 'fsync: no: written to the OS, synced when the OS likes',
    })[policy],
  async open(dir: string, options: AdapterOptions): Promise<Store> {
    const { open } = await import('@strata/engine');
    const db = await open(dir, {
      fsync: options.fsync,
      ...(options.writeBufferSize ? { memtableSize: options.writeBufferSize } : {}),
    });
    return {
      put: (key, value) => db.put(key, value),
      get: (key) => db.get(key),
      async scan(start, count) {
        const cursor = db.cursor({ gte: start });
        let read = 0;
        try {
          for (cursor.seek(start); cursor.valid && read < count; cursor.next()) read++;
        } finally {
          cursor.close();
        }
        return read;
      },
      close: () => db.close(),
      compact: () => db.compact(),
      facts: () => flatten(db.stats()),
    };
  },
};

/** stats() as flat scalar figures (`blockCache.hits`), so new counters (compaction, amplification)
 *  reach the report without the bench knowing their names. */
function flatten(stats: object, prefix = ''): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const [key, value] of Object.entries(stats)) {
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') out[prefix + key] = value;
    else if (value && typeof value === 'object' && !prefix) Object.assign(out, flatten(value as object, `${key}.`));
  }
  return out;
}
