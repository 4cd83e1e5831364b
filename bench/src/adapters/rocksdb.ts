// rocksdb (the leveldown-style binding): callback API wrapped in promises. `sync: true` writes fsync the
// WAL before the callback; RocksDB's own periodic WAL sync is not exposed, so `everysec` is unsynced.
import { createRequire } from 'node:module';
import { WHOLE_KEY_RANGE, type Adapter, type AdapterOptions, type Store } from './adapter.js';

type Callback<T = void> = (err: Error | null | undefined, value: T) => void;
interface RocksIterator {
  next(cb: (err: Error | null | undefined, key?: Buffer, value?: Buffer) => void): void;
  end(cb: Callback): void;
}
interface RocksDb {
  open(options: object, cb: Callback): void;
  put(key: Uint8Array, value: Uint8Array, options: object, cb: Callback): void;
  get(key: Uint8Array, options: object, cb: Callback<Buffer>): void;
  iterator(options: object): RocksIterator;
  close(cb: Callback): void;
  compactRange(start: Uint8Array, end: Uint8Array, cb: Callback): void;
}

function call<T>(fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}

export const rocksdb: Adapter = {
  name: 'rocksdb',
  describeFsync: (policy) =>
    policy === 'always' ? 'put({ sync: true }): WAL fsync per write group' : 'put({ sync: false }): OS page cache, no periodic sync',
  async open(dir: string, options: AdapterOptions): Promise<Store> {
    const rocksdbFactory = createRequire(import.meta.url)('rocksdb') as (location: string) => RocksDb;
    const db = rocksdbFactory(dir);
    await call((cb) =>
      db.open({ createIfMissing: true, ...(options.writeBufferSize ? { writeBufferSize: options.writeBufferSize } : {}) }, cb),
    );
    const putOptions = { sync: options.fsync === 'always' };
    const getOptions = { asBuffer: true, fillCache: true };
    return {
      put: (key, value) => call((cb) => db.put(key, value, putOptions, cb)),
      get: (key) =>
        new Promise((resolve, reject) =>
          db.get(key, getOptions, (err, value) => {
            if (!err) resolve(value);
            else if (/NotFound/i.test(err.message)) resolve(undefined);
            else reject(err);
          }),
        ),
      async scan(start, count) {
        const it = db.iterator({ gte: start, limit: count, keyAsBuffer: true, valueAsBuffer: true });
        let read = 0;
        try {
          for (;;) {
            const key = await new Promise<Buffer | undefined>((resolve, reject) =>
              it.next((err, k) => (err ? reject(err) : resolve(k))),
            );
            if (key === undefined) return read;
            read++;
          }
        } finally {
          await call((cb) => it.end(cb));
        }
      },
      close: () => call((cb) => db.close(cb)),
      compact: () => call((cb) => db.compactRange(WHOLE_KEY_RANGE.start, WHOLE_KEY_RANGE.end, cb)),
    };
  },
};
