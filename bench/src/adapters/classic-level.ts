// classic-level: LevelDB through abstract-level. `sync: true` writes fsync the log before resolving;
// LevelDB has no periodic sync, so `everysec` runs as unsynced writes.
import { WHOLE_KEY_RANGE, type Adapter, type AdapterOptions, type Store } from './adapter.js';

const codec = { keyEncoding: 'view', valueEncoding: 'view' } as const;

export const classicLevel: Adapter = {
  name: 'classic-level',
  describeFsync: (policy) =>
    policy === 'always' ? 'put({ sync: true }): log fsync per write group' : 'put({ sync: false }): OS page cache, no periodic sync',
  async open(dir: string, options: AdapterOptions): Promise<Store> {
    const { ClassicLevel } = await import('classic-level');
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, {
      ...codec,
      ...(options.writeBufferSize ? { writeBufferSize: options.writeBufferSize } : {}),
    });
    await db.open({ createIfMissing: true });
    const putOptions = { ...codec, sync: options.fsync === 'always' };
    return {
      put: (key, value) => db.put(key, value, putOptions),
      get: (key) => db.get(key, codec),
      async scan(start, count) {
        const it = db.iterator({ ...codec, gte: start, limit: count });
        try {
          return (await it.nextv(count)).length;
        } finally {
          await it.close();
        }
      },
      close: () => db.close(),
      compact: () => db.compactRange(WHOLE_KEY_RANGE.start, WHOLE_KEY_RANGE.end, codec),
    };
  },
};
