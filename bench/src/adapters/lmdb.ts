// lmdb (lmdb-js): a copy-on-write B+tree with no WAL; writes issued in one event turn share a transaction.
// `always`: the put resolves after the commit is synced; `everysec`: overlapping sync (durability trails
// the visible commit); `no`: noSync, the OS flushes the map when it likes.
import type { Adapter, AdapterOptions, FsyncPolicy, Store } from './adapter.js';

const syncOptions: Record<FsyncPolicy, { noSync?: boolean; overlappingSync?: boolean }> = {
  always: { overlappingSync: false },
  everysec: { overlappingSync: true },
  no: { noSync: true },
};

export const lmdb: Adapter = {
  name: 'lmdb',
  describeFsync: (policy) =>
    ({
      always: 'commit synced before the put resolves (one txn per event turn)',
      everysec: 'overlappingSync: sync trails the visible commit',
      no: 'noSync: OS flushes the memory map',
    })[policy],
  async open(dir: string, options: AdapterOptions): Promise<Store> {
    const { open: openLmdb } = await import('lmdb');
    const db = openLmdb<Uint8Array, Uint8Array>({
      path: dir,
      keyEncoding: 'binary',
      encoding: 'binary',
      ...syncOptions[options.fsync],
    });
    return {
      put: async (key, value) => {
        await db.put(key, value);
      },
      get: async (key) => db.get(key),
      async scan(start, count) {
        let read = 0;
        for (const entry of db.getRange({ start, limit: count })) if (entry) read++;
        return read;
      },
      close: () => db.close(),
    };
  },
};
